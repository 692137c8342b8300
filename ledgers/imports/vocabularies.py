"""What an office's words mean: every list a cell is matched against, with the forms offices write.

A cell matches by its normalised form (full-width to half-width, no spaces or punctuation, lower
case; for branches and doses also 第一 = 第1 = 一), then by the known aliases of each choice, then
by what office staff chose once for a value that matched nothing (`ImportMapping`). A value that
still matches nothing is asked about once in the preview, however many rows hold it.

An alias that would mean two things (two branches both reduce to "1") means neither: it is asked.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils import translation

from branches.models import Branch
from retirees.choices import CareLevel, Category, Gender, LivingSituation, Relation, ResidenceArea

from ..choices import DOSE_LABELS, Arrangement, Condition, ExposureKind, ExposureStatus, Stance, TestResult, Vocabulary
from ..models import ImportMapping

_SPACE_AND_PUNCTUATION = re.compile(r"[\s\-_·•.,，、:：;；'\"“”‘’()（）\[\]【】<>《》/\\|*]+")
_NUMERAL = re.compile(r"[零〇一二两三四五六七八九十]+")
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _numeral(match: re.Match) -> str:
    """一 -> 1, 十二 -> 12, 二十 -> 20 (the numbers a branch or a dose is named with)."""
    text = match[0]
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        value = (_DIGITS.get(tens[-1], 1) if tens else 1) * 10 + (_DIGITS.get(ones[:1], 0) if ones else 0)
        return str(value)
    return "".join(str(_DIGITS[char]) for char in text)


def text_key(value) -> str:
    """The form a cell is compared in: NFKC (full width to half), no spaces or punctuation, lower case."""
    return _SPACE_AND_PUNCTUATION.sub("", unicodedata.normalize("NFKC", str(value or ""))).lower()


def numeral_key(value) -> str:
    """`text_key` with Chinese numerals written in digits: 第一剂 -> 第1剂."""
    return _NUMERAL.sub(_numeral, text_key(value))


# Words a branch name may carry or leave out: 离退休第一党支部 = 第一党支部 = 一支部 = 第1党支部.
_BRANCH_WORDS = re.compile(r"中共|离退休|党总支|党支部|总支|支部|党委|党")


def branch_key(value) -> str:
    """A branch name reduced to what tells it apart: 离退休第一党支部 -> 1, 离休干部党支部 -> 离休干部."""
    key = _BRANCH_WORDS.sub("", numeral_key(value))
    return re.sub(r"第(\d+)", r"\1", key)


@dataclass(frozen=True)
class Choices:
    """A list of coded choices and the words offices use for each (besides its labels)."""

    vocabulary: str
    choices: list  # (code, label) pairs
    aliases: dict = field(default_factory=dict)  # code -> words
    key: object = text_key

    def table(self) -> dict[str, str]:
        """Normalised word -> code: the codes, the labels in every language (and the parts of a
        label such as "离休干部 (离休)"), then the aliases. A word claimed by two codes is dropped."""
        table: dict[str, str] = {}
        ambiguous: set[str] = set()

        def add(word, code):
            word = self.key(word)
            if not word:
                return
            if table.get(word, code) != code:
                ambiguous.add(word)
            table[word] = code

        for code, label in self.choices:
            add(code, code)
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    text = str(label)
                add(text, code)
                for part in re.split(r"[()（）]", text):
                    add(part, code)
        for code, words in self.aliases.items():
            for word in words:
                add(word, code)
        return {word: code for word, code in table.items() if word not in ambiguous}

    def labels(self) -> list[tuple[str, str]]:
        return [(code, str(label)) for code, label in self.choices]


YES, NO = "yes", "no"

VOCABULARIES = {
    choices.vocabulary: choices
    for choices in [
        Choices(Vocabulary.GENDER, Gender.choices, {"male": ["男性", "男士", "M"], "female": ["女性", "女士", "F"]}),
        Choices(
            Vocabulary.CATEGORY,
            Category.choices,
            {
                "lixiu": ["离休干部", "离休人员", "离休老干部", "离"],
                "tuixiu": ["退休干部", "退休职工", "退休教师", "退休教职工", "退休人员", "退"],
            },
        ),
        # The seed says 东家属区 and 北家属区; the app has said 东区家属区; offices say 东区, 东院.
        Choices(
            Vocabulary.RESIDENCE_AREA,
            ResidenceArea.choices,
            {
                "east": ["东", "东区", "东家属区", "东区家属区", "东院", "东家属院", "东区家属院", "East"],
                "north": ["北", "北区", "北家属区", "北区家属区", "北院", "北家属院", "北区家属院", "North"],
                "off_campus": ["校外", "校外社区", "校外小区", "院外", "社会小区", "校外居住", "off campus"],
            },
        ),
        Choices(
            Vocabulary.LIVING_SITUATION,
            LivingSituation.choices,
            {
                "alone": ["独居", "一人居住", "独自居住", "单独居住", "空巢独居", "一人"],
                "spouse": ["与配偶同住", "配偶", "与老伴同住", "老伴", "老两口", "夫妻同住", "夫妻", "与配偶"],
                "family": ["与子女同住", "与家人同住", "子女同住", "与子女", "家人", "子女", "与子女等家人同住"],
                "caregiver": ["保姆", "有保姆", "与保姆同住", "护工", "住家保姆", "保姆照护", "有保姆照护"],
            },
        ),
        Choices(
            Vocabulary.CARE_LEVEL,
            CareLevel.choices,
            {
                "self_care": ["能自理", "生活自理", "完全自理", "可自理", "生活能自理", "自理"],
                "partly_dependent": ["半自理", "部分自理", "部分失能", "轻度失能", "中度失能", "半失能"],
                "dependent": ["完全失能", "不能自理", "生活不能自理", "卧床", "重度失能", "失能"],
            },
        ),
        Choices(
            Vocabulary.RELATION,
            Relation.choices,
            {
                "spouse": ["老伴", "妻子", "丈夫", "爱人", "夫妻", "夫", "妻", "老伴儿"],
                "child": ["儿子", "女儿", "长子", "长女", "次子", "次女", "儿", "女", "子", "儿女"],
                "child_in_law": ["儿媳", "女婿", "儿媳妇", "媳妇"],
                "grandchild": ["孙子", "孙女", "外孙", "外孙女", "孙"],
                "sibling": ["哥哥", "弟弟", "姐姐", "妹妹", "兄", "弟", "姐", "妹", "兄弟", "姐妹"],
                "caregiver": ["护工", "照护人员", "住家保姆", "护理员", "钟点工", "家政"],
                "other": ["朋友", "邻居", "亲戚", "侄子", "侄女", "外甥", "外甥女"],
            },
        ),
        Choices(
            Vocabulary.YES_NO,
            [(YES, "是"), (NO, "否")],
            {
                YES: ["是的", "有", "对", "Y", "yes", "true", "1", "√", "✓", "✔", "同住", "首选"],
                NO: ["无", "没有", "不", "N", "no", "false", "0", "×", "✗", "不同住"],
            },
        ),
        Choices(
            Vocabulary.DOSE_NUMBER,
            [(str(number), label) for number, label in DOSE_LABELS.items()],
            {
                "1": ["第1剂", "第1针", "1针", "1剂", "首针", "首剂"],
                "2": ["第2剂", "第2针", "2针", "2剂"],
                "3": ["第3剂", "第3针", "3针", "3剂", "加强针", "加强", "第1剂加强针", "第1针加强"],
                "4": ["第4剂", "第4针", "4针", "4剂", "第2剂加强针", "第2针加强", "第2加强针"],
            },
            key=numeral_key,
        ),
        Choices(
            Vocabulary.ARRANGEMENT,
            Arrangement.choices,
            {
                "self": ["自行", "自己去", "自行接种", "本人前往"],
                "transport": ["接送", "派车", "车接车送"],
                "home": ["上门", "入户接种", "上门接种"],
            },
        ),
        Choices(
            Vocabulary.STANCE,
            Stance.choices,
            {
                "willing": ["愿意", "同意", "同意接种"],
                "undecided": ["未决定", "考虑中", "犹豫", "待定", "未定"],
                "unwilling": ["不愿意", "拒绝", "不同意", "拒绝接种", "不接种"],
                "contraindicated": ["禁忌", "禁忌症", "不宜接种", "不能接种", "有禁忌"],
            },
        ),
        Choices(
            Vocabulary.TEST_RESULT,
            TestResult.choices,
            {
                "pending": ["待出", "未出", "等待结果", "待定", "结果未出"],
                "negative": ["阴", "阴性", "-"],
                "positive": ["阳", "阳性", "+"],
            },
        ),
        Choices(
            Vocabulary.EXPOSURE_KIND,
            ExposureKind.choices,
            {
                "confirmed": ["确诊", "阳性感染者", "感染者", "无症状感染者"],
                "close_contact": ["密接", "密切接触"],
                "secondary_contact": ["次密接", "次密切接触"],
                "sealed_community": ["封控", "封控小区", "小区封控"],
                "controlled_community": ["管控", "管控小区", "小区管控"],
                "home_isolation": ["居家监测", "健康监测", "居家健康监测"],
            },
        ),
        Choices(
            Vocabulary.EXPOSURE_STATUS,
            ExposureStatus.choices,
            {
                "ongoing": ["未解除", "管控中", "隔离中", "封控中", "监测中"],
                "lifted": ["解除", "已结束", "结束", "解封", "已解封"],
            },
        ),
        Choices(
            Vocabulary.CONDITION,
            Condition.choices,
            {
                "good": ["健康", "好", "正常", "身体健康", "身体良好"],
                "stable": ["稳定", "慢性病", "基础病稳定", "慢病", "病情稳定"],
                "unwell": ["不适", "生病", "欠佳", "身体欠佳", "患病"],
                "hospitalised": ["住院治疗", "在院", "入院"],
            },
        ),
    ]
}


class Resolver:
    """Looks cells up in the vocabularies, the user's branches and the remembered mappings.

    Built once per check (two queries: the branches, the mappings); `lookup` runs none.
    """

    def __init__(self, *, user, vocabularies):
        self.vocabularies = set(vocabularies)
        self.tables = {name: VOCABULARIES[name].table() for name in self.vocabularies if name in VOCABULARIES}
        self.branches = {}
        if Vocabulary.BRANCH in self.vocabularies:
            self.branches = {branch.pk: branch for branch in Branch.objects.visible_to(user)}
            self.tables[Vocabulary.BRANCH] = _branch_table(self.branches.values())
        self.remembered: dict[tuple[str, str], object] = {}
        for mapping in ImportMapping.objects.filter(vocabulary__in=self.vocabularies):
            if mapping.vocabulary == Vocabulary.BRANCH:
                if mapping.branch_id in self.branches:  # a branch outside the user's scope means nothing here
                    self.remembered[(mapping.vocabulary, mapping.text)] = self.branches[mapping.branch_id]
            elif mapping.value in self.tables.get(mapping.vocabulary, {}).values():
                self.remembered[(mapping.vocabulary, mapping.text)] = mapping.value

    def lookup(self, vocabulary: str, text: str):
        """The code (or Branch) `text` means, or None. The mapping is consulted under `prompt_key`."""
        table = self.tables[vocabulary]
        if vocabulary == Vocabulary.BRANCH:
            found = table.get(text_key(text)) or table.get(branch_key(text))
            found = self.branches.get(found) if found is not None else None
        else:
            found = table.get(VOCABULARIES[vocabulary].key(text))
        if found is None:
            found = self.remembered.get((vocabulary, prompt_key(vocabulary, text)))
        return found

    def options(self, vocabulary: str) -> list[tuple[str, str]]:
        """What a value of `vocabulary` may be mapped to, as (value, label) for the preview's drop-down."""
        if vocabulary == Vocabulary.BRANCH:
            branches = sorted(self.branches.values(), key=lambda branch: _natural(branch.name))
            return [(str(branch.pk), branch.name) for branch in branches]
        return VOCABULARIES[vocabulary].labels()


def _natural(name: str) -> list:
    """Sort key putting 第二 before 第十 (numbers as numbers, whatever script they are written in)."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", numeral_key(name))]


def prompt_key(vocabulary: str, text: str) -> str:
    """The form a value the office maps is remembered under."""
    if vocabulary == Vocabulary.BRANCH:
        return branch_key(text) or text_key(text)
    return VOCABULARIES[vocabulary].key(text)[:100]


def _branch_table(branches) -> dict[str, int]:
    """Normalised and reduced forms of each branch's name and short name -> its key. A form two
    branches share (two branches reduce to "1") belongs to neither: it is asked about."""
    table: dict[str, int] = {}
    ambiguous: set[str] = set()
    for branch in branches:
        for name in filter(None, [branch.name, branch.short_name]):
            for word in {text_key(name), branch_key(name)}:
                if not word:
                    continue
                if table.get(word, branch.pk) != branch.pk:
                    ambiguous.add(word)
                table[word] = branch.pk
    return {word: pk for word, pk in table.items() if word not in ambiguous}
