"""The office's own words: matched by aliases, and a value that matches nothing asked about once,
mapped for every row that holds it and remembered for the office's next import."""

import datetime

import pytest
from django.urls import reverse

from branches.models import Branch
from ledgers.models import ImportMapping
from ledgers.tests.importing import confirm, problems, upload, upload_of, xlsx_file
from retirees.models import Retiree
from tests.factories import make_user

pytestmark = pytest.mark.django_db

HEADER = ["序号", "姓名", "性别", "出生年月", "支部", "类别", "居住区域", "自理情况", "居住情况"]


@pytest.fixture
def branches(db):
    """The demo's branches: the office calls them 第一党支部, 一支部, 第1党支部…"""
    return {
        number: Branch.objects.create(name=f"离退休第{word}党支部", short_name=f"第{word}支部")
        for number, word in enumerate("一二三四五", start=1)
    }


def office_roster():
    """Seven rows as an office keeps them: every branch and area in its own words."""
    return [
        ["离退休人员名册"],
        HEADER,
        [1, "王明", "男性", "1940.5.3", "第一党支部", "离休干部", "东家属区", "能自理", "老两口"],
        [2, "李华", "女", "1941年2月3日", "一支部", "退休", "北家属区", "半自理", "独居"],
        [3, "赵强", "M", "1942-03-04", "离退休一支部", "退休职工", "东区家属区", "失能", "有保姆"],
        [4, "钱芳", "F", "1943/4/5", "第1党支部", "退", "东区", "自理", "与子女同住"],
        [5, "孙丽", "女", "1944-05-06", "第六党支部", "退休", "校外", "自理", "与配偶同住"],
        [6, "周杰", "男", "1945-06-07", "第六党支部", "退休", "北区", "自理", "与配偶同住"],
        [7, "吴刚", "男", "1946-07-08", "离退休第二党支部", "退休", "北区家属区", "需要照顾", "与配偶同住"],
    ]


def test_an_office_roster_in_its_own_words_has_no_problem_and_two_questions(login, office, branches):
    response = upload(login(office), xlsx_file(office_roster()))
    checked = upload_of(response)
    assert problems(checked) == []
    assert [(p["column"], p["text"], p["rows"], p["count"]) for p in checked.prompts] == [
        ("支部", "第六党支部", [7, 8], 2),  # asked once for both rows
        ("自理情况", "需要照顾", [9], 1),
    ]
    page = response.content.decode()
    # The drop-down offers every branch by name, and the care levels by label.
    for branch in branches.values():
        assert f">{branch.name}</option>" in page
    assert ">半失能</option>" in page
    assert "确认导入" not in page


def test_a_mapping_applies_to_every_row_and_is_remembered_for_the_next_import(login, office, branches):
    client = login(office)
    checked = upload_of(upload(client, xlsx_file(office_roster())))
    prompts = checked.prompts
    response = client.post(
        reverse("ledgers:import_map", args=[checked.pk]),
        {"map-0": str(branches[5].pk), "map-1": "partly_dependent"},
        follow=True,
    )
    assert "已记住" in response.content.decode()
    rechecked = upload_of(response)
    assert rechecked.prompts == [] and problems(rechecked) == [] and rechecked.is_ready
    assert {(m.vocabulary, m.text, m.branch_id, m.value) for m in ImportMapping.objects.all()} == {
        ("branch", "6", branches[5].pk, ""),
        ("care_level", "需要照顾", None, "partly_dependent"),
    }
    assert [p["text"] for p in prompts] == ["第六党支部", "需要照顾"]
    confirm(client, rechecked)
    assert set(Retiree.objects.filter(branch=branches[5]).values_list("name", flat=True)) == {"孙丽", "周杰"}
    assert Retiree.objects.get(name="吴刚").care_level == "partly_dependent"
    by_name = {r.name: r for r in Retiree.objects.all()}
    assert {by_name[n].branch_id for n in ("王明", "李华", "赵强", "钱芳")} == {branches[1].pk}
    assert (by_name["王明"].residence_area, by_name["赵强"].residence_area, by_name["李华"].residence_area) == (
        "east",
        "east",
        "north",
    )
    assert (by_name["赵强"].living_situation, by_name["李华"].living_situation) == ("caregiver", "alone")

    # Another member of the office, another file, the value written another way: no question.
    colleague = make_user("office2", role="office")
    rows = [HEADER, [1, "郑新", "男", "1947-01-01", "第6党支部", "退休", "东区", "需要照顾", "独居"]]
    again = upload_of(upload(login(colleague), xlsx_file(rows)))
    assert again.prompts == [] and again.is_ready


def test_a_choice_outside_the_options_shown_is_refused_and_nothing_is_remembered(login, office, branches):
    client = login(office)
    checked = upload_of(upload(client, xlsx_file(office_roster())))
    response = client.post(
        reverse("ledgers:import_map", args=[checked.pk]), {"map-0": "999999", "map-1": "flying"}, follow=True
    )
    assert "请从列出的选项中选择" in response.content.decode()
    assert not ImportMapping.objects.exists()
    assert upload_of(response).prompts == checked.prompts


def test_only_the_uploader_maps_their_upload_and_a_secretary_never(login, office, admin_user, secretary_a, branches):
    checked = upload_of(upload(login(office), xlsx_file(office_roster())))
    url = reverse("ledgers:import_map", args=[checked.pk])
    assert login(admin_user).post(url, {"map-0": str(branches[5].pk)}).status_code == 404
    assert login(secretary_a).post(url, {"map-0": str(branches[5].pk)}).status_code == 403
    assert not ImportMapping.objects.exists()


def test_a_ledger_value_is_mapped_the_same_way(login, office, branch_a):
    from ledgers.models import NucleicTest
    from tests.factories import make_retiree

    make_retiree(branch_a, "王明", birth_date=datetime.date(1940, 5, 3))
    client = login(office)
    rows = [["姓名", "检测日期", "结果"], ["王明", "2022-05-01", "未检出"], ["王明", "2022-05-02", "未检出"]]
    checked = upload_of(upload(client, xlsx_file(rows), "testing"))
    assert [(p["text"], p["count"]) for p in checked.prompts] == [("未检出", 2)]
    response = client.post(reverse("ledgers:import_map", args=[checked.pk]), {"map-0": "negative"}, follow=True)
    confirm(client, upload_of(response))
    assert list(NucleicTest.objects.values_list("result", flat=True)) == ["negative", "negative"]
