"""What an export may hold: masked ID numbers, no retiree without recorded consent unless office
staff tick otherwise, and an audit event for every file."""

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from ledgers.models import VaccinationDose
from tests.factories import make_retiree

from .conftest import DAY
from .test_signoffs import open_round, sign

pytestmark = pytest.mark.django_db

VALID_ID = "11010519491231002X"


def read_csv(response):
    content = b"".join(response.streaming_content)
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def export_events():
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).order_by("id"))


def test_registry_export_masks_id_numbers_unless_full_ones_are_ticked(login, office, branch_a):
    make_retiree(branch_a, "王明", id_number=VALID_ID)
    client = login(office)
    lines = read_csv(client.get(reverse("retirees:list"), {"export": "csv"}))
    column = lines[1].index("身份证号")
    assert lines[2][column] == "1101**********002X"
    assert VALID_ID not in str(lines)
    lines = read_csv(client.get(reverse("retirees:list"), {"export": "csv", "full_id_numbers": "1"}))
    assert lines[2][column] == VALID_ID
    masked, full = export_events()
    assert masked.detail["full_id_numbers"] is False
    assert full.detail["full_id_numbers"] is True and full.detail["row_count"] == 1
    assert full.actor == office and full.detail["ledger"] == "registry"


def test_every_export_writes_one_audit_event(login, office, secretary_a, ledger_a, branch_a, branch_b):
    client = login(office)
    b"".join(client.get(reverse("ledgers:vaccination"), {"export": "xlsx"}).streaming_content)
    read_csv(client.get(reverse("ledgers:health"), {"export": "csv"}))
    checkin_round = open_round(office, starts_on=DAY, ends_on=DAY, branches=[branch_a, branch_b])
    signoff = sign(secretary_a, checkin_round)
    read_csv(client.get(reverse("ledgers:signoff_snapshot_export", args=[signoff.pk, "vaccination", "csv"])))
    read_csv(client.get(reverse("ledgers:signoff_changes_export", args=[signoff.pk, "csv"])))
    client.get(reverse("retirees:personal_data", args=[ledger_a.pk]))
    assert [event.detail["ledger"] for event in export_events()] == [
        "vaccination",
        "health",
        "signoff",
        "signoff_changes",
    ]
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PERSONAL_DATA_EXPORT, retiree=ledger_a).count() == 1


def test_retirees_without_consent_are_left_out_and_counted_in_the_title(login, office, branch_a):
    make_retiree(branch_a, "王明")
    make_retiree(branch_a, "李未同意", consent_given=False)
    client = login(office)
    for url in (reverse("retirees:list"), reverse("ledgers:health")):
        lines = read_csv(client.get(url, {"export": "csv"}))
        names = [line[1] for line in lines[2:]]
        assert names == ["王明"], url
        assert "未登记同意的 1 位老同志未列入" in lines[0][0], url
        lines = read_csv(client.get(url, {"export": "csv", "without_consent": "1"}))
        assert sorted(line[1] for line in lines[2:]) == ["李未同意", "王明"], url
        assert "未登记同意" not in lines[0][0], url
    left_out, included = export_events()[-2:]
    assert (left_out.detail["without_consent"], left_out.detail["left_out"]) == (False, 1)
    assert (included.detail["without_consent"], included.detail["row_count"]) == (True, 2)


def test_exposure_export_applies_the_consent_rule_through_the_retiree(login, office, branch_a):
    for retiree in (make_retiree(branch_a, "王明"), make_retiree(branch_a, "李未同意", consent_given=False)):
        retiree.exposureevents.create(kind="close_contact", started_on=DAY)
    lines = read_csv(login(office).get(reverse("ledgers:exposure"), {"export": "csv"}))
    assert [line[1] for line in lines[2:]] == ["王明"]


def test_signoff_snapshot_export_leaves_out_retirees_without_consent(login, office, secretary_a, branch_a):
    make_retiree(branch_a, "王明")
    refused = make_retiree(branch_a, "李未同意", consent_given=False)
    VaccinationDose.objects.create(retiree=refused, dose_number=1, given_on=DAY)
    signoff = sign(secretary_a, open_round(office, starts_on=DAY, ends_on=DAY, branches=[branch_a]))
    assert len(signoff.snapshot["ledgers"]["vaccination"]) == 2  # the ledger itself keeps everybody
    url = reverse("ledgers:signoff_snapshot_export", args=[signoff.pk, "vaccination", "csv"])
    client = login(office)
    lines = read_csv(client.get(url))
    assert [line[1] for line in lines[2:]] == ["王明"]
    assert "未登记同意的 1 位老同志未列入" in lines[0][0]
    lines = read_csv(client.get(url, {"without_consent": "1"}))
    assert sorted(line[1] for line in lines[2:]) == ["李未同意", "王明"]


def test_export_page_offers_both_ticks_to_office_staff(login, office, retiree_a):
    page = login(office).get(reverse("retirees:list")).content.decode()
    assert 'name="full_id_numbers"' in page and 'name="without_consent"' in page
    ledger_page = login(office).get(reverse("ledgers:health")).content.decode()
    assert 'name="full_id_numbers"' not in ledger_page  # no ID numbers in a ledger
    assert 'name="without_consent"' in ledger_page
