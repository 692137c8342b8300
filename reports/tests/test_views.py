"""The weekly report's pages and downloads: office staff only, bad input a message."""

import datetime
import io
import shutil
import subprocess

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from reports import services
from reports.models import WeeklyReport
from reports.selectors import Scope
from tests.factories import at

NOW = at(2026, 11, 25, 10)
WEEK = datetime.date(2026, 11, 16)


@pytest.fixture
def report(office, retiree_a, retiree_b):
    with time_machine.travel(NOW, tick=False):
        return services.report_issue(user=office, week=WEEK, scope=Scope())


@time_machine.travel(NOW, tick=False)
def test_office_issues_a_report_and_a_second_request_opens_it(login, office, retiree_a, branch_a):
    client = login(office)
    page = client.get(reverse("reports:list"))
    assert page.status_code == 200
    response = client.post(reverse("reports:list"), {"week": WEEK.isoformat(), "scope": f"branch:{branch_a.pk}"})
    report = WeeklyReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    client.post(reverse("reports:list"), {"week": WEEK.isoformat(), "scope": f"branch:{branch_a.pk}"})
    assert WeeklyReport.objects.count() == 1
    detail = client.get(report.get_absolute_url())
    assert detail.status_code == 200
    assert branch_a.name in detail.content.decode()
    assert "<svg" in detail.content.decode()


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(
    "data",
    [
        {"week": WEEK.isoformat(), "scope": "branch:999999"},
        {"week": WEEK.isoformat(), "scope": "area:moon"},
        {"week": WEEK.isoformat(), "scope": ""},
        {"week": "2026-11-23", "scope": "all"},  # this week: not over
        {"week": "1999-01-04", "scope": "all"},
        {"week": "x" * 500, "scope": "all\x00"},
    ],
)
def test_bad_choices_are_a_message_and_nothing_is_issued(login, office, retiree_a, data):
    response = login(office).post(reverse("reports:list"), data)
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert not WeeklyReport.objects.exists()


def test_the_pdf_is_a4_pages_of_the_report(login, office, report):
    response = login(office).get(reverse("reports:pdf", args=[report.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    if shutil.which("pdfinfo"):  # poppler-utils: the page size and count as a reader sees them
        info = subprocess.run(["pdfinfo", "-"], input=response.content, capture_output=True, check=True).stdout
        assert b"595.276 x 841.89 pts (A4)" in info
        pages = int(next(line for line in info.splitlines() if line.startswith(b"Pages:")).split()[1])
        assert pages <= 2


def test_the_xlsx_has_a_sheet_per_section_set_up_for_a4(login, office, report):
    response = login(office).get(reverse("reports:xlsx", args=[report.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 6
    coverage = workbook.worksheets[0]
    assert int(coverage.page_setup.paperSize) == int(coverage.PAPERSIZE_A4)
    assert coverage.page_setup.orientation == "landscape"
    values = [cell for row in coverage.iter_rows(values_only=True) for cell in row if cell is not None]
    assert report.figures["coverage"]["total"] > 0
    assert any(isinstance(value, int) for value in values)  # numbers as numbers


@pytest.mark.parametrize("persona", ["secretary_a", "committee_a"])
def test_branch_workers_see_no_report(request, login, report, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("reports:list")).status_code == 403
    for name in ("reports:detail", "reports:pdf", "reports:xlsx"):
        assert client.get(reverse(name, args=[report.pk])).status_code == 403


def test_the_report_list_costs_a_fixed_number_of_queries(login, office, report, django_assert_num_queries):
    client = login(office)
    client.get(reverse("reports:list"))
    with time_machine.travel(NOW, tick=False):
        # session and user (2), the branches for the scope choices (1), the reports with their
        # issuers (1), the unread notifications' badge (1)
        with django_assert_num_queries(5, exact=False):
            client.get(reverse("reports:list"))
