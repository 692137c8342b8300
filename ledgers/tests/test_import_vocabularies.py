"""The aliases table: the office's own words for branches, areas and every coded value."""

import pytest

from branches.models import Branch
from ledgers.choices import Vocabulary
from ledgers.imports.vocabularies import VOCABULARIES, Resolver, branch_key, numeral_key, text_key

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "vocabulary, words, code",
    [
        (Vocabulary.GENDER, ["男", "男性", "M", "ｍ", "male", " 男 "], "male"),
        (Vocabulary.GENDER, ["女", "女性", "F", "Female"], "female"),
        (Vocabulary.CATEGORY, ["离休", "离休干部", "离", "Retired cadre (离休)"], "lixiu"),
        (Vocabulary.CATEGORY, ["退休", "退休职工", "退休教师", "退"], "tuixiu"),
        # The seed's wording, the app's label, and how offices shorten them.
        (Vocabulary.RESIDENCE_AREA, ["东家属区", "东区家属区", "东区", "东", "东 家属区", "East family area"], "east"),
        (Vocabulary.RESIDENCE_AREA, ["北家属区", "北区家属区", "北区", "北院"], "north"),
        (Vocabulary.RESIDENCE_AREA, ["校外", "校外社区", "校外小区"], "off_campus"),
        (Vocabulary.LIVING_SITUATION, ["独居", "一人居住", "Lives alone"], "alone"),
        (Vocabulary.LIVING_SITUATION, ["与配偶同住", "老两口", "老伴"], "spouse"),
        (Vocabulary.LIVING_SITUATION, ["与子女同住", "与家人同住"], "family"),
        (Vocabulary.LIVING_SITUATION, ["保姆", "有保姆", "与保姆同住", "护工"], "caregiver"),
        (Vocabulary.CARE_LEVEL, ["自理", "能自理", "生活自理"], "self_care"),
        (Vocabulary.CARE_LEVEL, ["半自理", "半失能", "部分失能"], "partly_dependent"),
        (Vocabulary.CARE_LEVEL, ["失能", "不能自理", "卧床", "Dependent (失能)"], "dependent"),
        (Vocabulary.RELATION, ["配偶", "老伴", "妻子", "丈夫"], "spouse"),
        (Vocabulary.RELATION, ["子女", "儿子", "女儿"], "child"),
        (Vocabulary.RELATION, ["保姆", "护工", "住家保姆"], "caregiver"),
        (Vocabulary.YES_NO, ["是", "Y", "√", "1", "同住"], "yes"),
        (Vocabulary.YES_NO, ["否", "N", "×", "0", "无"], "no"),
        (Vocabulary.DOSE_NUMBER, ["1", "第一剂", "第1剂", "第一针", "首针", "１"], "1"),
        (Vocabulary.DOSE_NUMBER, ["3", "第三剂", "加强针", "第三剂（加强针）"], "3"),
        (Vocabulary.DOSE_NUMBER, ["第四剂", "第二剂加强针"], "4"),
        (Vocabulary.ARRANGEMENT, ["车接车送", "接送"], "transport"),
        (Vocabulary.ARRANGEMENT, ["上门接种", "上门"], "home"),
        (Vocabulary.STANCE, ["愿意", "愿意接种"], "willing"),
        (Vocabulary.STANCE, ["禁忌", "有禁忌症"], "contraindicated"),
        (Vocabulary.TEST_RESULT, ["阴性", "阴"], "negative"),
        (Vocabulary.TEST_RESULT, ["阳性", "阳"], "positive"),
        (Vocabulary.EXPOSURE_KIND, ["密接", "密切接触者"], "close_contact"),
        (Vocabulary.EXPOSURE_KIND, ["次密接"], "secondary_contact"),
        (Vocabulary.EXPOSURE_KIND, ["封控区", "封控"], "sealed_community"),
        (Vocabulary.EXPOSURE_STATUS, ["已解除", "解除", "解封"], "lifted"),
        (Vocabulary.CONDITION, ["良好", "健康"], "good"),
        (Vocabulary.CONDITION, ["住院", "住院治疗"], "hospitalised"),
    ],
)
def test_every_form_of_a_value_means_its_code(vocabulary, words, code):
    table = VOCABULARIES[vocabulary].table()
    for word in words:
        assert table.get(VOCABULARIES[vocabulary].key(word)) == code, word


def test_no_alias_means_two_things_in_one_list():
    """An alias claimed by two codes would be dropped silently: the table has none."""
    for choices in VOCABULARIES.values():
        seen = {}
        for code, words in choices.aliases.items():
            for word in words:
                key = choices.key(word)
                assert seen.setdefault(key, code) == code, (choices.vocabulary, word)


@pytest.mark.parametrize(
    "text, key",
    [
        ("离退休第一党支部", "1"),
        ("第一党支部", "1"),
        ("一支部", "1"),
        ("离退休一支部", "1"),
        ("第1党支部", "1"),
        ("第 1 党支部", "1"),
        ("第十二党支部", "12"),
        ("离休干部党支部", "离休干部"),
        ("家属区党支部", "家属区"),
    ],
)
def test_branch_names_reduce_to_what_tells_them_apart(text, key):
    assert branch_key(text) == key


def test_text_keys_ignore_width_spaces_and_punctuation():
    assert text_key(" 东区（家属区） ") == text_key("东区家属区")
    assert text_key("ＡＢＣ") == "abc"
    assert numeral_key("第二十三剂") == "第23剂"


@pytest.fixture
def demo_branches(db):
    return [
        Branch.objects.create(name="离退休第一党支部", short_name="第一支部"),
        Branch.objects.create(name="离退休第二党支部", short_name="第二支部"),
        Branch.objects.create(name="离休干部党支部", short_name="离休支部"),
        Branch.objects.create(name="家属区党支部", short_name="家属区支部"),
    ]


@pytest.mark.parametrize(
    "text, index",
    [
        ("离退休第一党支部", 0),
        ("第一党支部", 0),
        ("一支部", 0),
        ("离退休一支部", 0),
        ("第1党支部", 0),
        ("第一支部", 0),
        ("二支部", 1),
        ("离休干部党支部", 2),
        ("离休支部", 2),
        ("家属区支部", 3),
        ("第六党支部", None),
        ("支部", None),
    ],
)
def test_branches_are_found_as_the_office_writes_them(office, demo_branches, text, index):
    found = Resolver(user=office, vocabularies={Vocabulary.BRANCH}).lookup(Vocabulary.BRANCH, text)
    assert found == (demo_branches[index] if index is not None else None)


def test_a_short_form_two_branches_share_is_asked_about_not_guessed(office):
    Branch.objects.create(name="离退休第一党支部")
    Branch.objects.create(name="机关第一党支部", short_name="第一支部")
    resolver = Resolver(user=office, vocabularies={Vocabulary.BRANCH})
    assert resolver.lookup(Vocabulary.BRANCH, "一支部") is None  # both reduce to "1": neither is guessed
    assert resolver.lookup(Vocabulary.BRANCH, "第一支部").name == "机关第一党支部"  # its own short name
    assert resolver.lookup(Vocabulary.BRANCH, "机关一支部").name == "机关第一党支部"


def test_a_secretary_finds_only_their_own_branch(secretary_a, branch_b):
    resolver = Resolver(user=secretary_a, vocabularies={Vocabulary.BRANCH})
    assert resolver.lookup(Vocabulary.BRANCH, "第二党支部") is None
    assert resolver.lookup(Vocabulary.BRANCH, "一支部") == secretary_a.branch


def test_the_branches_offered_for_a_mapping_come_in_their_numbers_order(office, demo_branches):
    Branch.objects.create(name="离退休第十党支部")
    labels = [label for _value, label in Resolver(user=office, vocabularies={Vocabulary.BRANCH}).options("branch")]
    assert labels[:3] == ["家属区党支部", "离休干部党支部", "离退休第一党支部"]
    assert labels[3:] == ["离退休第二党支部", "离退休第十党支部"]
