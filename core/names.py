"""Chinese personal names: where the family name ends.

One rule for every place that splits a name: a user's family and given name (accounts), and the
surname a group chat may show of a retiree without consent (reminders: 欧阳某, not 欧某).
"""

# Two-character family names; any other name's family name is its first character.
COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 令狐 慕容 长孙 宇文 司徒 司空 夏侯 轩辕 端木 独孤 南宫 西门 百里 "
    "呼延 万俟 闻人 澹台 公冶 宗政 濮阳 太叔 申屠 钟离 赫连 拓跋 左丘 东郭 第五".split()
)


def split_name(name: str) -> tuple[str, str]:
    """A Chinese full name as (family name, given name), spaces dropped. A two-character name is
    always one character each: 东方 may be Mr 东 named 方, and a given name is never empty."""
    name = "".join(name.split())
    if len(name) > 2 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    return name[:1], name[1:]
