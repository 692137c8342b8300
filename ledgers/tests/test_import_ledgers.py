"""Importing each ledger: the office's own layout, idempotent re-import, the export's round trip,
all or nothing, and the retiree found again from what a ledger file says about them."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ledgers import services
from ledgers.models import ExposureEvent, HealthRecord, NucleicTest, VaccinationDose, VaccinationStance
from ledgers.tests.importing import confirm, csv_file, export, imported, problems, summary, upload, upload_of, xlsx_file
from retirees.models import Retiree
from tests.factories import make_retiree

pytestmark = pytest.mark.django_db

LEDGER_MODELS = (VaccinationDose, VaccinationStance, NucleicTest, ExposureEvent, HealthRecord)


def ledger_state():
    """Every ledger row and its change history: an import that changes nothing leaves both as they were."""
    return {model.__name__: (sorted(model.objects.values_list()), model.history.count()) for model in LEDGER_MODELS}


@pytest.fixture
def people(branch_a, branch_b):
    """Two retirees in two branches, and two namesakes in branch A told apart only by phone."""
    return {
        "wang": make_retiree(branch_a, "王明", birth_date=datetime.date(1940, 5, 3), phone="13800000001"),
        "li": make_retiree(
            branch_b, "李华", gender="female", birth_date=datetime.date(1944, 2, 1), phone="13800000002"
        ),
        "zhang1": make_retiree(branch_a, "张伟", birth_date=datetime.date(1941, 1, 1), phone="13800000003"),
        "zhang2": make_retiree(branch_a, "张伟", birth_date=datetime.date(1950, 1, 1), phone="13800000004"),
    }


@pytest.fixture
def ledgers(people, office):
    """Some of everything, recorded through the services as the app's forms do."""
    wang, li, zhang1, zhang2 = people["wang"], people["li"], people["zhang1"], people["zhang2"]
    day = datetime.date
    services.vaccination_record(user=office, retiree=wang, dose_number=1, given_on=day(2021, 4, 1), product="科兴")
    services.vaccination_record(
        user=office,
        retiree=wang,
        dose_number=2,
        given_on=day(2021, 5, 3),
        product="国药",
        site="校医院",
        arrangement="transport",
    )
    services.vaccination_record(user=office, retiree=zhang2, dose_number=1, given_on=day(2021, 6, 1))
    services.vaccination_stance_record(
        user=office, retiree=li, stance="contraindicated", stated_on=day(2022, 5, 1), reason="过敏"
    )
    services.vaccination_stance_record(user=office, retiree=zhang1, stance="willing", stated_on=day(2022, 5, 2))
    services.nucleic_test_record(user=office, retiree=wang, tested_on=day(2022, 5, 9), result="negative", site="东门")
    services.nucleic_test_record(user=office, retiree=zhang1, tested_on=day(2022, 5, 8), result="pending")
    services.nucleic_test_record(user=office, retiree=zhang2, tested_on=day(2022, 5, 7), result="negative")
    services.exposure_record(user=office, retiree=wang, kind="close_contact", started_on=day(2022, 5, 6))
    services.exposure_record(
        user=office,
        retiree=li,
        kind="sealed_community",
        started_on=day(2022, 4, 20),
        ended_on=day(2022, 5, 4),
        status="lifted",
        notes="=小区封控",
    )
    services.exposure_record(user=office, retiree=zhang2, kind="home_isolation", started_on=day(2022, 5, 1))
    services.health_record(
        user=office, retiree=wang, recorded_on=day(2022, 5, 9), condition="stable", notes="高血压，服药中（每日）"
    )
    services.health_record(user=office, retiree=zhang1, recorded_on=day(2022, 5, 9), condition="good")
    services.health_record(user=office, retiree=zhang2, recorded_on=day(2022, 5, 8), condition="hospitalised")
    return people


# --- the round trip: each ledger's export imports back to no change ---------------------------


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    "kind, url_name",
    [
        ("vaccination", "ledgers:vaccination"),
        ("testing", "ledgers:testing"),
        ("exposure", "ledgers:exposure"),
        ("health", "ledgers:health"),
    ],
)
def test_each_ledger_export_imports_back_to_no_change(login, office, ledgers, kind, url_name, file_format):
    before = ledger_state()
    client = login(office)
    content = export(client, url_name, file_format)
    response = upload(client, SimpleUploadedFile(f"{kind}.{file_format}", content), kind)
    assert problems(response) == []
    assert upload_of(response).prompts == []
    result = summary(response)
    assert result["create"] == result["update"] == 0 and result["unchanged"] > 0
    assert ledger_state() == before  # the check's rehearsal was rolled back too


def test_an_export_finds_namesakes_again_by_their_phone(login, office, ledgers):
    """The ledger files carry name, branch, phone and age: two 张伟 of one branch are told apart."""
    client = login(office)
    response = upload(client, SimpleUploadedFile("t.xlsx", export(client, "ledgers:testing")), "testing")
    assert problems(response) == [] and summary(response)["unchanged"] == 3


# --- each ledger in the office's own layout ---------------------------------------------------


def test_a_dose_ledger_of_one_row_per_dose_imports_and_imports_again_to_no_change(login, office, people):
    rows = [
        ["疫苗接种台账"],
        ["姓名", "所在支部", "接种剂次", "接种日期", "疫苗厂家", "接种地点", "接种方式"],
        ["王明", "一支部", "第一针", "2021.4.1", "科兴", "校医院", "自行前往"],
        ["王明", "第1党支部", 2, "2021年5月3日", "科兴", "校医院", "车接车送"],
        ["李华", "二支部", "加强针", "2021-12-01", "智飞", None, None],
    ]
    client = login(office)
    done = imported(client, xlsx_file(rows, "接种.xlsx"), "vaccination")
    assert done.summary == {"create": 3, "update": 0, "unchanged": 0}
    doses = {(d.retiree.name, d.dose_number): d for d in VaccinationDose.objects.select_related("retiree")}
    assert doses[("王明", 2)].given_on == datetime.date(2021, 5, 3) and doses[("王明", 2)].arrangement == "transport"
    assert doses[("李华", 3)].product == "智飞" and doses[("李华", 3)].recorded_by == office
    before = ledger_state()
    again = upload(client, xlsx_file(rows, "接种.xlsx"), "vaccination")
    assert summary(again) == {"create": 0, "update": 0, "unchanged": 3}
    assert ledger_state() == before


def test_a_changed_cell_updates_the_dose_and_a_blank_one_leaves_it(login, office, ledgers):
    client = login(office)
    rows = [["姓名", "剂次", "接种日期", "疫苗", "接种点"], ["王明", 2, "2021-05-04", None, "社区卫生站"]]
    done = imported(client, xlsx_file(rows), "vaccination")
    assert done.summary == {"create": 0, "update": 1, "unchanged": 0}
    dose = VaccinationDose.objects.get(retiree__name="王明", dose_number=2)
    assert (dose.given_on, dose.site, dose.product, dose.arrangement) == (
        datetime.date(2021, 5, 4),
        "社区卫生站",
        "国药",  # blank in the file: left as it was
        "transport",
    )


def test_the_same_willingness_on_each_dose_row_is_one_and_two_different_ones_are_a_problem(login, office, people):
    rows = [
        ["姓名", "剂次", "接种日期", "接种意愿"],
        ["王明", 1, "2021-04-01", "愿意"],
        ["王明", 2, "2021-05-01", "愿意接种"],
        ["李华", 1, "2021-04-01", "愿意"],
        ["李华", 2, "2021-05-01", "不愿意"],
    ]
    response = upload(login(office), xlsx_file(rows), "vaccination")
    assert problems(response) == [(5, "接种意愿", "第 4 行已有此人的同一项内容。")]
    rows.pop()
    done = imported(login(office), xlsx_file(rows), "vaccination")
    assert done.summary["create"] == 5  # four doses, and 王明's willingness once
    assert VaccinationStance.objects.filter(retiree__name="王明").count() == 1


def test_willingness_is_recorded_once(login, office, people):
    rows = [["姓名", "接种意愿", "原因"], ["李华", "不愿意", "担心副作用"]]
    client = login(office)
    assert imported(client, xlsx_file(rows), "vaccination").summary["create"] == 1
    assert summary(upload(client, xlsx_file(rows), "vaccination")) == {"create": 0, "update": 0, "unchanged": 1}
    assert VaccinationStance.objects.get().reason == "担心副作用"


def test_tests_import_and_a_second_result_for_the_day_corrects_the_first(login, office, people):
    client = login(office)
    rows = [
        ["姓名", "采样日期", "检测结果", "采样点"],
        ["王明", "2022/5/9", "待出", "东门"],
        ["李华", "2022/5/9", "阴", None],
    ]
    assert imported(client, csv_file(rows), "testing").summary == {"create": 2, "update": 0, "unchanged": 0}
    rows[1][2] = "阴性"
    done = imported(client, csv_file(rows), "testing")
    assert done.summary == {"create": 0, "update": 1, "unchanged": 1}
    assert NucleicTest.objects.get(retiree__name="王明").result == "negative"


def test_exposures_import_lifted_ones_need_their_end(login, office, people):
    client = login(office)
    rows = [
        ["姓名", "涉疫类型", "开始日期", "解除日期", "状态"],
        ["王明", "密接", "2022-05-01", "2022-05-08", None],  # ended in the past: lifted
        ["李华", "封控小区", "2022-05-02", None, None],  # ongoing
    ]
    assert imported(client, xlsx_file(rows), "exposure").summary["create"] == 2
    statuses = dict(ExposureEvent.objects.values_list("retiree__name", "status"))
    assert statuses == {"王明": "lifted", "李华": "ongoing"}
    response = upload(client, xlsx_file([rows[0], ["李华", "封控", "2022-05-02", None, "已解除"]]), "exposure")
    # The model's rule, found by the check's rehearsal through the service: no row is written.
    assert problems(response) == [(2, "", "已解除的涉疫情况须填写结束日期。")]
    assert "确认导入" not in response.content.decode()


def test_health_records_import_once_per_day_and_finding(login, office, people):
    client = login(office)
    rows = [
        ["姓名", "记录日期", "健康状况", "备注"],
        ["王明", "2022-05-09", "慢病稳定", "高血压"],
        ["李华", "2022-05-09", "良好", None],
    ]
    assert imported(client, xlsx_file(rows), "health").summary["create"] == 2
    rows[1][3] = "高血压，服药中"
    done = imported(client, xlsx_file(rows), "health")
    assert done.summary == {"create": 0, "update": 1, "unchanged": 1}
    assert HealthRecord.objects.get(retiree__name="王明").notes == "高血压，服药中"
    assert HealthRecord.objects.count() == 2


# --- all or nothing, and clear problems ---------------------------------------------------------


def test_one_bad_row_stops_the_whole_ledger_and_every_problem_is_listed(login, office, people):
    before = ledger_state()
    rows = [
        ["姓名", "所在支部", "剂次", "接种日期"],
        ["王明", "一支部", 1, "2021-04-01"],  # fine on its own
        ["赵强", "一支部", 1, "2021-04-01"],  # nobody of that name
        ["张伟", "一支部", 1, "2021-04-01"],  # two of them
        ["王明", "一支部", 1, "2021-04-02"],  # the same dose twice
        ["李华", "二支部", 2, "2999-01-01"],  # in the future: the service refuses it
        ["李华", "一支部", 3, "2021-04-01"],  # not in that branch
    ]
    response = upload(login(office), xlsx_file(rows), "vaccination")
    found = problems(response)
    assert (3, "姓名", "没有名为“赵强”的老同志登记在册：请先导入名册。") in found
    assert (4, "姓名", "有多位老同志名叫“张伟”：请填写身份证号或出生日期以便区分。") in found
    assert (5, "剂次", "第 2 行已有此人的同一项内容。") in found
    assert (7, "所在支部", "名叫“李华”的老同志不在这个支部。") in found
    assert "确认导入" not in response.content.decode()
    assert ledger_state() == before
    # The future date is a service's refusal: found by the rehearsal once the rest is right.
    response = upload(login(office), xlsx_file([rows[0], rows[1], rows[5]]), "vaccination")
    assert problems(response) == [(3, "接种日期", "该日期不能晚于今天。")]
    assert ledger_state() == before


def test_a_registry_changed_since_the_check_imports_nothing_and_says_why(login, office, people):
    client = login(office)
    response = upload(
        client,
        xlsx_file([["姓名", "剂次", "接种日期"], ["王明", 1, "2021-04-01"], ["李华", 1, "2021-04-02"]]),
        "vaccination",
    )
    Retiree.objects.filter(name="李华").update(name="李 华华")  # renamed meanwhile
    done = upload_of(confirm(client, response))
    assert done.status == "checked" and done.result["changed_since_check"]
    assert [row for row, _column, _message in done.problems] == [3]
    assert not VaccinationDose.objects.exists()


def test_ids_and_dates_of_birth_find_the_retiree_whatever_the_name_column_says(login, office, people):
    from retirees.validators import id_number_check_digit

    number = "11010819400503002" + id_number_check_digit("11010819400503002")
    Retiree.objects.filter(pk=people["wang"].pk).update(id_number=number)
    rows = [
        ["姓名", "身份证号", "出生日期", "检测日期", "结果"],
        ["王明", number, None, "2022-05-01", "阴性"],
        ["张伟", None, "1950-01-01", "2022-05-01", "阴性"],  # the namesake born in 1950
        ["王敏", number, None, "2022-05-02", "阴性"],  # the number is 王明's
    ]
    response = upload(login(office), xlsx_file(rows), "testing")
    assert problems(response) == [(4, "姓名", "该身份证号登记的是王明，不是王敏。")]
    rows.pop()
    imported(login(office), xlsx_file(rows), "testing")
    assert set(NucleicTest.objects.values_list("retiree_id", flat=True)) == {people["wang"].pk, people["zhang2"].pk}


@pytest.mark.parametrize("kind", ["contacts", "vaccination", "testing", "exposure", "health"])
def test_each_template_downloads_with_its_headers_and_imports_once_filled(login, office, people, kind):
    import io

    from django.urls import reverse
    from openpyxl import load_workbook

    client = login(office)
    response = client.get(reverse("ledgers:import_template"), {"kind": kind})
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[2]]
    assert headers[0] == "姓名*"
    values = {
        "所在支部": "一支部",
        "联系人姓名*": "王小明",
        "关系": "儿子",
        "联系人电话": "13911110000",
        "剂次": "第一剂",
        "接种日期": "2021-04-01",
        "检测日期": "2022-05-01",
        "结果": "阴性",
        "类型": "密接",
        "开始日期": "2022-05-01",
        "记录日期": "2022-05-01",
        "健康状况": "良好",
    }
    sheet.append(["王明", *[values.get(header) for header in headers[1:]]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    done = imported(client, SimpleUploadedFile("template.xlsx", buffer.getvalue()), kind)
    assert done.summary["create"] == 1
