"""A ledger export printed as the office prints it: converted to PDF by LibreOffice, then read.

The vaccination ledger of 487 people once printed as 49 US Letter pages with a third of the
columns on each. Here the same ledger comes out on A4 landscape, every column on each page, a
handful of pages, the title and header on every page and "第 N 页 共 M 页" at the foot.

LibreOffice (Debian's libreoffice-calc-nogui) and poppler-utils are installed by
scripts/services.sh; where they cannot be, this test skips and says so.
"""

import datetime
import re
import shutil
import subprocess

import pytest
from django.urls import reverse

from ledgers.models import VaccinationDose
from retirees.models import Retiree
from retirees.services import retiree_set_search_keys

pytestmark = pytest.mark.django_db

PEOPLE = 487  # the ledger
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
GIVEN = "建国秀英志明玉兰文华淑珍德胜桂芳永红金凤"
SITES = ("校医院", "街道社区卫生服务中心", "区人民医院")


@pytest.fixture
def soffice():
    """LibreOffice's command, with poppler's PDF readers beside it, or skip saying what is missing."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    found = {"LibreOffice": soffice, "pdfinfo": shutil.which("pdfinfo"), "pdftotext": shutil.which("pdftotext")}
    missing = [name for name, path in found.items() if not path]
    if missing:
        pytest.skip(
            f"{', '.join(missing)} not installed (scripts/services.sh installs libreoffice-calc-nogui and "
            "poppler-utils as root; this machine could not)"
        )
    return soffice


def to_pdf(soffice, xlsx, tmp_path):
    # A profile of its own: parallel runs sharing one would wait on each other's lock.
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", tmp_path, xlsx],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = xlsx.with_suffix(".pdf")
    assert pdf.exists(), "LibreOffice wrote no PDF"
    return pdf


def pdf_info(pdf) -> tuple[int, float, float]:
    """Pages, and the first page's width and height in points."""
    info = subprocess.run(["pdfinfo", pdf], check=True, capture_output=True, text=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    width, height = re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", info, re.M).groups()
    return pages, float(width), float(height)


def page_text(pdf, number: int) -> str:
    """A page's text with the spaces taken out (the layout spreads CJK labels with them)."""
    text = subprocess.run(
        ["pdftotext", "-f", str(number), "-l", str(number), pdf, "-"], check=True, capture_output=True, text=True
    ).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture
def vaccination_ledger(branch_a, frozen_day):
    """487 retirees with full contact details, most with two or three doses."""
    retirees = []
    for number in range(PEOPLE):
        retiree = Retiree(
            name=SURNAMES[number % 20] + GIVEN[number % 17] + GIVEN[(number * 7) % 19],
            gender="male" if number % 2 else "female",
            birth_date=datetime.date(1932, 1, 1) + datetime.timedelta(days=number * 23),
            branch=branch_a,
            phone=f"139{number:08d}",
            residence_area="east",
            community="学院路小区",
            address=f"学院路小区{number % 30 + 1}号楼{number % 6 + 1}单元{number % 18 + 1}01",
            consent_given=True,
        )
        retiree_set_search_keys(retiree=retiree)
        retirees.append(retiree)
    Retiree.objects.bulk_create(retirees)
    doses = []
    for number, retiree in enumerate(Retiree.objects.filter(branch=branch_a).order_by("pk")):
        first = datetime.date(2021, 3, 15) + datetime.timedelta(days=number % 150)
        for dose in range(1, 2 + number % 3):
            doses.append(
                VaccinationDose(
                    retiree=retiree,
                    dose_number=dose,
                    given_on=first + datetime.timedelta(days=40 * (dose - 1)),
                    product="科兴",
                    site=SITES[number % 3],
                )
            )
    VaccinationDose.objects.bulk_create(doses)


def test_vaccination_ledger_prints_on_a_few_a4_landscape_pages_with_every_column(
    soffice, login, office, vaccination_ledger, tmp_path
):
    response = login(office).get(reverse("ledgers:vaccination"), {"export": "xlsx"})
    assert response.status_code == 200
    xlsx = tmp_path / "ledger.xlsx"
    xlsx.write_bytes(b"".join(response.streaming_content))

    pdf = to_pdf(soffice, xlsx, tmp_path)
    pages, width, height = pdf_info(pdf)
    # A4 landscape is 842 × 595 points (US Letter would be 792 × 612).
    assert abs(width - 842) < 2 and abs(height - 595) < 2, (width, height)
    # One page width, so only the rows make pages: about fifty to a page, not 49 pages.
    assert 5 <= pages <= 15, pages

    headers = ["序号", "姓名", "联系电话", "接种剂次", "第一剂", "第四剂", "接种点", "接种意愿", "原因"]
    first, second, last = page_text(pdf, 1), page_text(pdf, 2), page_text(pdf, pages)
    for text in (first, second, last):
        assert "疫苗接种台账（全校）" in text  # the title row repeats
        assert all(header in text for header in headers), [h for h in headers if h not in text]
    # Rows are whole on a page: early columns' values (phones) beside late ones' (sites).
    assert re.search(r"1390000\d{4}", second) and "街道社区卫生服务中心" in second
    assert f"第1页共{pages}页" in first
    assert f"第2页共{pages}页" in second
    assert f"第{pages}页共{pages}页" in last
