"""Every ledger page and export filters by residence area next to the branch, and shows the area."""

import pytest
from django.urls import reverse

from ledgers import signoffs
from ledgers.models import VaccinationDose
from tests.factories import make_retiree

from .test_exports import read_csv, read_xlsx

pytestmark = pytest.mark.django_db
LEDGERS = ("vaccination", "testing", "exposure", "health")


@pytest.fixture
def east_a(ledger_a, ledger_b):
    """Retiree A lives in the East family area; retiree B off campus."""
    ledger_a.residence_area = "east"
    ledger_a.save(update_fields=["residence_area"])
    return ledger_a


@pytest.mark.parametrize("ledger", LEDGERS)
def test_each_ledger_lists_only_the_residents_of_the_chosen_area(login, office, east_a, ledger_b, ledger):
    client = login(office)
    east = client.get(reverse(f"ledgers:{ledger}"), {"residence_area": "east"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert [row["retiree"] for row in east.context["rows"]] == [east_a]
    html = east.content.decode()
    assert "东家属区" in html and ledger_b.name not in html
    off = client.get(reverse(f"ledgers:{ledger}"), {"residence_area": "off_campus"})
    assert [row["retiree"] for row in off.context["rows"]] == [ledger_b]


@pytest.mark.parametrize("ledger", LEDGERS)
def test_the_area_filter_sits_next_to_the_branch_filter(login, office, ledger):
    fields = list(login(office).get(reverse(f"ledgers:{ledger}")).context["filter"].form.fields)
    assert fields[fields.index("branch") + 1] == "residence_area"


def test_branch_and_area_together(login, office, east_a, branch_a, branch_b):
    client = login(office)
    rows = client.get(reverse("ledgers:health"), {"branch": branch_b.pk, "residence_area": "east"}).context["rows"]
    assert rows == []
    rows = client.get(reverse("ledgers:health"), {"branch": branch_a.pk, "residence_area": "east"}).context["rows"]
    assert [row["retiree"] for row in rows] == [east_a]


def test_the_export_of_an_area_has_its_residence_column_and_names_the_area(login, office, east_a, ledger_b):
    response = login(office).get(reverse("ledgers:exposure"), {"residence_area": "east", "export": "xlsx"})
    assert "%E4%B8%9C%E5%AE%B6%E5%B1%9E%E5%8C%BA" in response["Content-Disposition"]  # 东家属区, in the file name
    sheet = read_xlsx(response)
    assert sheet["A1"].value.startswith("涉疫人员台账（全校·东家属区）")
    headers = [cell.value for cell in sheet[2]]
    rows = [dict(zip(headers, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)]
    assert [(row["姓名"], row["居住地"]) for row in rows] == [(east_a.name, "东家属区")]


def test_every_ledger_file_has_the_residence_column(login, admin_user, east_a, ledger_b):
    client = login(admin_user)
    for ledger in LEDGERS:
        rows = read_csv(client.get(reverse(f"ledgers:{ledger}"), {"export": "csv"}))
        column = rows[1].index("居住地")
        assert {row[1]: row[column] for row in rows[2:]}[east_a.name] == "东家属区", ledger


def test_the_ledger_index_counts_one_area(login, office, east_a, ledger_b):
    response = login(office).get(reverse("ledgers:index"), {"residence_area": "east"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.context["overall"]["total"] == 1
    assert {row["branch"].name: row["total"] for row in response.context["totals"]} == {
        "第一党支部": 1,
        "第二党支部": 0,
    }
    html = response.content.decode()
    assert "residence_area=east" in html  # the links to the ledgers keep the area
    assert login(office).get(reverse("ledgers:index"), {"residence_area": "west"}).context["overall"]["total"] == 2


def test_a_ledger_page_filtered_by_area_costs_the_same_queries_for_any_number_of_rows(
    login, office, branch_a, frozen_day, django_assert_num_queries
):
    for _ in range(5):
        retiree = make_retiree(branch_a, "王明", residence_area="east")
        VaccinationDose.objects.create(retiree=retiree, dose_number=1, given_on=frozen_day)
    client = login(office)
    # 1 session, 2 user, 3 branches for the filter's choices, 4 count, 5 the page of rows
    with django_assert_num_queries(5):
        response = client.get(reverse("ledgers:vaccination"), {"residence_area": "east"})
    assert len(response.context["rows"]) == 5


def test_a_column_the_previous_snapshot_lacked_is_not_a_change():
    before = {"ledgers": {"health": [{"key": 1, "retiree": 1, "values": {"name": "甲", "health": "良好"}}]}}
    after = {
        "ledgers": {
            "health": [
                {"key": 1, "retiree": 1, "values": {"name": "甲", "health": "良好", "residence_area": "东家属区"}}
            ]
        }
    }
    assert signoffs.snapshot_diff(before, after) == []
    after["ledgers"]["health"][0]["values"]["health"] = "发热"
    assert [change.kind for change in signoffs.snapshot_diff(before, after)] == ["changed"]
