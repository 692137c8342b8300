"""Ledger sign-off at the end of a round: who signs, the frozen snapshot, changes, exports."""

import csv
import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from branches.models import Branch
from checkins import services as checkin_services
from ledgers import services, signoffs
from ledgers.models import ExportLog, ExposureEvent, LedgerSignoff, VaccinationDose
from tests.factories import make_retiree, make_user

from .conftest import DAY

pytestmark = pytest.mark.django_db
BEIJING = datetime.timezone(datetime.timedelta(hours=8))


def at(day: datetime.date, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=BEIJING)


def open_round(office, *, starts_on, ends_on, title="五月摸排", branches=None):
    with time_machine.travel(at(starts_on), tick=False):
        return checkin_services.round_create(
            user=office, title=title, starts_on=starts_on, ends_on=ends_on, branches=branches
        )


def sign(secretary, checkin_round, *, on=None, note=""):
    with time_machine.travel(at(on or checkin_round.ends_on, 16), tick=False):
        return signoffs.ledger_signoff(user=secretary, checkin_round=checkin_round, note=note)


@pytest.fixture
def may_round(office, branch_a, branch_b):
    return open_round(office, starts_on=DAY - datetime.timedelta(days=9), ends_on=DAY)


def rows_by_name(signoff, ledger):
    return {row["values"]["name"]: row["values"] for row in signoff.snapshot["ledgers"][ledger]}


# --- The snapshot ---------------------------------------------------------------------------


def test_secretary_signs_off_and_the_snapshot_holds_the_branch_ledgers(secretary_a, may_round, ledger_a, ledger_b):
    signoff = sign(secretary_a, may_round, note="全部核实")
    assert (signoff.branch, signoff.signed_by, signoff.note) == (secretary_a.branch, secretary_a, "全部核实")
    vaccination = rows_by_name(signoff, "vaccination")
    assert set(vaccination) == {ledger_a.name}  # branch B's retiree is not in branch A's snapshot
    assert vaccination[ledger_a.name]["dose1_on"] == "2021-04-01"
    assert vaccination[ledger_a.name]["last_arrangement"] == "车接车送"  # labels as the office's file shows them
    assert rows_by_name(signoff, "testing")[ledger_a.name]["last_result"] == "阴性"
    assert rows_by_name(signoff, "exposure")[ledger_a.name]["kind"] == "密切接触者"
    assert signoff.row_count == 4  # one row per ledger for retiree A
    assert signoff.totals["total"] == 1 and signoff.totals["dose2"] == 1 and signoff.totals["exposed"] == 1


def test_the_snapshot_stays_frozen_when_the_ledger_changes(login, secretary_a, may_round, ledger_a):
    signoff = sign(secretary_a, may_round)
    VaccinationDose.objects.create(retiree=ledger_a, dose_number=3, given_on=DAY)
    signoff.refresh_from_db()
    assert rows_by_name(signoff, "vaccination")[ledger_a.name]["dose3_on"] is None
    page = login(secretary_a).get(reverse("ledgers:signoff_detail", args=[signoff.pk]))
    assert page.status_code == 200
    snapshot = page.content.decode().split("data-snapshot")[1]
    assert "2021-04-01" in snapshot and DAY.isoformat() not in snapshot


def test_only_the_branchs_secretary_signs(committee_a, office, secretary_b, may_round, ledger_a):
    for user in (committee_a, office):
        with pytest.raises(PermissionDenied):
            sign(user, may_round)
    other = open_round(office, starts_on=DAY, ends_on=DAY, title="只有一支部", branches=[committee_a.branch])
    with pytest.raises(ValidationError, match="不在本轮"):
        sign(secretary_b, other)
    assert not LedgerSignoff.objects.exists()


def test_a_round_is_signed_off_once_per_branch(secretary_a, may_round, ledger_a):
    sign(secretary_a, may_round)
    with pytest.raises(ValidationError, match="已经签核"):
        sign(secretary_a, may_round)
    assert LedgerSignoff.objects.count() == 1


def test_the_database_refuses_a_second_signoff_of_the_same_round(secretary_a, may_round, ledger_a):
    first = sign(secretary_a, may_round)
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerSignoff.objects.create(
            checkin_round=may_round,
            branch=first.branch,
            signed_by=secretary_a,
            totals={},
            snapshot=first.snapshot,
            row_count=0,
        )


def test_a_round_that_has_not_started_cannot_be_signed_off(office, secretary_a, branch_a):
    later = open_round(office, starts_on=DAY + datetime.timedelta(days=5), ends_on=DAY + datetime.timedelta(days=9))
    with pytest.raises(ValidationError, match="尚未开始"):
        sign(secretary_a, later, on=DAY)


# --- What changed since the previous sign-off -----------------------------------------------


def test_changes_since_the_previous_round(office, secretary_a, branch_a, may_round, ledger_a):
    first = sign(secretary_a, may_round)
    newcomer = make_retiree(branch_a, "李新来")
    VaccinationDose.objects.create(retiree=ledger_a, dose_number=3, given_on=DAY + datetime.timedelta(days=20))
    event = ExposureEvent.objects.get(retiree=ledger_a)
    with time_machine.travel(at(DAY + datetime.timedelta(days=21)), tick=False):
        services.exposure_lift(user=office, event=event, ended_on=DAY + datetime.timedelta(days=21))
    june = open_round(office, starts_on=DAY + datetime.timedelta(days=30), ends_on=DAY + datetime.timedelta(days=40))
    # A year later the retiree is a year older: the age alone is not a change.
    second = sign(secretary_a, june, on=DAY + datetime.timedelta(days=400))

    assert signoffs.previous_signoff(branch=branch_a, before=second.signed_at) == first
    changes = signoffs.snapshot_diff(first.snapshot, second.snapshot)
    found = {(c.ledger, c.kind, c.name): c for c in changes}
    dose = found[("vaccination", "changed", ledger_a.name)]
    assert ("第三剂", None, "2022-05-30") in [(str(label), b, a) for label, b, a in _zh(dose.fields)]
    assert ("vaccination", "added", newcomer.name) in found
    lifted = found[("exposure", "changed", ledger_a.name)]
    assert {str(label) for label, _b, _a in _zh(lifted.fields)} == {"结束日期", "状态"}
    assert not any("年龄" == str(label) for c in changes for label, _b, _a in _zh(c.fields))


def _zh(fields):
    from django.utils import translation

    with translation.override("zh-hans"):
        return [(str(label), before, after) for label, before, after in fields]


def test_a_retiree_who_left_is_listed_as_no_longer_in_the_ledger(office, secretary_a, branch_a, may_round, ledger_a):
    first = sign(secretary_a, may_round)
    ledger_a.status, ledger_a.deceased_on = "deceased", DAY
    ledger_a.save()
    june = open_round(office, starts_on=DAY + datetime.timedelta(days=30), ends_on=DAY + datetime.timedelta(days=40))
    second = sign(secretary_a, june)
    kinds = {(c.ledger, c.kind) for c in signoffs.snapshot_diff(first.snapshot, second.snapshot)}
    assert kinds == {(ledger, "removed") for ledger in signoffs.SNAPSHOT_LEDGERS}


# --- Pages ----------------------------------------------------------------------------------


def test_secretary_sees_the_changes_then_confirms(login, secretary_a, may_round, ledger_a):
    client = login(secretary_a)
    url = reverse("ledgers:signoff_round", args=[may_round.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-signoff-form" in body and "第一次签核" in body
    refused = client.post(url, {"note": "已核"})  # the box is not ticked
    assert refused.status_code == 200 and "请勾选" in refused.content.decode()
    assert not LedgerSignoff.objects.exists()
    done = client.post(url, {"note": "已核", "confirm": "on"})
    signoff = LedgerSignoff.objects.get()
    assert done.status_code == 302 and done.url == signoff.get_absolute_url()
    assert signoff.note == "已核"
    again = client.get(url)
    assert "data-signoff-form" not in again.content.decode()
    assert "已经签核" in again.content.decode()


def test_a_late_second_post_changes_nothing(login, secretary_a, may_round, ledger_a):
    client = login(secretary_a)
    url = reverse("ledgers:signoff_round", args=[may_round.pk])
    first = sign(secretary_a, may_round)
    response = client.post(url, {"confirm": "on"}, follow=True)
    assert "已经签核" in response.content.decode()
    assert list(LedgerSignoff.objects.all()) == [first]


def test_round_page_shows_how_many_branches_signed(login, office, secretary_a, may_round, ledger_a):
    sign(secretary_a, may_round)
    body = login(office).get(may_round.get_absolute_url()).content.decode()
    assert "data-signoff-panel" in body and "2 个支部中已有 1 个" in body


def test_office_list_of_signoffs_runs_the_same_queries_for_any_number_of_branches(
    login, office, secretary_a, may_round, ledger_a, django_assert_num_queries
):
    sign(secretary_a, may_round)
    client = login(office)
    url = reverse("ledgers:signoff_round", args=[may_round.pk])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = count()
    for number in range(3):
        branch = Branch.objects.create(name=f"第{number + 5}党支部", short_name=f"{number + 5}支")
        may_round.branches.add(branch)
        secretary = make_user(f"sec-extra{number}", role="branch", branch=branch, position="secretary")
        make_retiree(branch, f"王{number}")
        sign(secretary, may_round)
    assert count() == before


# --- Files ----------------------------------------------------------------------------------


def test_office_exports_the_snapshot_as_excel(login, office, secretary_a, may_round, ledger_a):
    signoff = sign(secretary_a, may_round)
    VaccinationDose.objects.create(retiree=ledger_a, dose_number=3, given_on=DAY)  # after signing: not in the file
    url = reverse("ledgers:signoff_snapshot_export", args=[signoff.pk, "vaccination", "xlsx"])
    response = login(office).get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    title = sheet["A1"].value
    assert "签核快照" in title and secretary_a.branch.name in title and may_round.title in title
    headers = [cell.value for cell in sheet[2]]
    row = {h: c.value for h, c in zip(headers, next(sheet.iter_rows(min_row=3)), strict=True)}
    assert row["序号"] == 1 and row["姓名"] == ledger_a.name
    assert row["第一剂"] == datetime.datetime(2021, 4, 1) and row["第三剂"] is None
    log = ExportLog.objects.get()
    assert (log.ledger, log.row_count, log.scope) == ("signoff", 1, secretary_a.branch.name)


def test_office_exports_the_changes_as_csv(login, office, secretary_a, may_round, ledger_a):
    sign(secretary_a, may_round)
    VaccinationDose.objects.create(retiree=ledger_a, dose_number=3, given_on=DAY + datetime.timedelta(days=20))
    june = open_round(office, starts_on=DAY + datetime.timedelta(days=30), ends_on=DAY + datetime.timedelta(days=40))
    second = sign(secretary_a, june)
    response = login(office).get(reverse("ledgers:signoff_changes_export", args=[second.pk, "csv"]))
    content = b"".join(response.streaming_content)
    assert content.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "变化" in lines[0][0] and june.title in lines[0][0]
    assert lines[1] == ["序号", "台账", "姓名", "变化", "项目", "原值", "现值"]
    assert ["疫苗接种台账", ledger_a.name, "有变化", "第三剂", "", "2022-05-30"] in [line[1:] for line in lines[2:]]
    assert [line[0] for line in lines[2:]] == [str(n) for n in range(1, len(lines) - 1)]


def test_secretaries_do_not_export(login, secretary_a, may_round, ledger_a):
    signoff = sign(secretary_a, may_round)
    client = login(secretary_a)
    assert client.get(reverse("ledgers:signoff_changes_export", args=[signoff.pk, "xlsx"])).status_code == 403
    assert not ExportLog.objects.exists()


def test_unknown_ledger_or_format_is_404(login, office, secretary_a, may_round, ledger_a):
    signoff = sign(secretary_a, may_round)
    client = login(office)
    for ledger, file_format in (("registry", "xlsx"), ("health", "pdf")):
        url = reverse("ledgers:signoff_snapshot_export", args=[signoff.pk, ledger, file_format])
        assert client.get(url).status_code == 404


def test_printed_round_summary_lists_who_signed_off_and_who_did_not(
    login, office, secretary_a, branch_b, may_round, ledger_a
):
    sign(secretary_a, may_round)
    body = login(office).get(reverse("checkins:round_summary", args=[may_round.pk])).content.decode()
    table = body.split("data-signoff-table")[1]
    assert secretary_a.get_full_name() in table and "尚未签核" in table and branch_b.name in table
