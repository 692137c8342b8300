"""Pinyin search keys for names, computed once when a name is saved.

pypinyin reads a character by its most common reading, which is wrong for several surnames
(曾 is zeng, not ceng; 单 is shan, not dan). The family name is therefore read from the
surname table below first, compound surnames included.
"""

from pypinyin import Style, lazy_pinyin

# Surname readings that differ from a character's common reading.
SURNAME_READINGS = {
    "万俟": ["mo", "qi"],
    "尉迟": ["yu", "chi"],
    "单于": ["chan", "yu"],
    "曾": ["zeng"],
    "单": ["shan"],
    "解": ["xie"],
    "仇": ["qiu"],
    "查": ["zha"],
    "区": ["ou"],
    "朴": ["piao"],
    "盖": ["ge"],
    "乐": ["yue"],
    "尉": ["yu"],
    "覃": ["qin"],
    "缪": ["miao"],
    "翟": ["zhai"],
    "繁": ["po"],
    "员": ["yun"],
    "召": ["shao"],
    "秘": ["bi"],
    "种": ["chong"],
    "折": ["she"],
    "黑": ["he"],
    "那": ["na"],
    "柏": ["bai"],
    "薄": ["bo"],
    "任": ["ren"],
    "纪": ["ji"],
    "长": ["chang"],
    "重": ["chong"],
    "宿": ["su"],
    "句": ["gou"],
    "华": ["hua"],
    "阚": ["kan"],
    "隗": ["wei"],
    "能": ["nai"],
}


def name_syllables(name: str) -> list[str]:
    """The name's pinyin syllables, lower case without tones, surname read as a surname."""
    name = "".join(name.split())
    for length in (2, 1):
        surname = name[:length]
        if len(surname) == length and surname in SURNAME_READINGS:
            return SURNAME_READINGS[surname] + _syllables(name[length:])
    return _syllables(name)


def _syllables(text: str) -> list[str]:
    if not text:
        return []
    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default", v_to_u=False) if s.strip()]


def name_search_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name, e.g. 曾国藩 -> ("zengguofan", "zgf")."""
    syllables = name_syllables(name)
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full[:200], initials[:50]
