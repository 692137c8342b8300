import pytest

from retirees.pinyin import name_search_keys


@pytest.mark.parametrize(
    "name, full, initials",
    [
        ("曾国藩", "zengguofan", "zgf"),
        ("单田芳", "shantianfang", "stf"),
        ("解缙", "xiejin", "xj"),
        ("仇英", "qiuying", "qy"),
        ("查良镛", "zhaliangyong", "zly"),
        ("区文华", "ouwenhua", "owh"),
        ("尉迟恭", "yuchigong", "ycg"),
        ("张 建国", "zhangjianguo", "zjg"),
    ],
)
def test_surnames_are_read_as_surnames(name, full, initials):
    assert name_search_keys(name) == (full, initials)


def test_given_name_keeps_its_common_reading():
    # 曾 is only a surname reading at the start of the name.
    assert name_search_keys("王曾")[0] == "wangceng"
