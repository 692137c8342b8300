"""Where a Chinese name's family name ends (core.names)."""

import pytest

from core.names import split_name


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("王明", ("王", "明")),
        ("王小明", ("王", "小明")),
        ("欧阳明", ("欧阳", "明")),
        ("司空 青云", ("司空", "青云")),
        ("上官婉儿", ("上官", "婉儿")),
        ("东方", ("东", "方")),  # a two-character name is never all family name
        ("王", ("王", "")),
        ("", ("", "")),
    ],
)
def test_compound_surnames_are_kept_whole(name, parts):
    assert split_name(name) == parts
