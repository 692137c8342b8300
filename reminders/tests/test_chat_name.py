"""How a group chat names a retiree (reminders.digests.chat_name)."""

import pytest
from django.utils import translation

from reminders.digests import chat_name
from retirees.models import Retiree


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("王从未", "王某"),
        ("欧阳明", "欧阳某"),
        ("司马青云", "司马某"),
        ("诸葛 亮", "诸葛某"),
        ("司空明", "司空某"),
        ("东方", "东某"),  # two characters: family name 东, given name 方
        ("欧阳", "欧某"),
    ],
)
def test_without_consent_the_chat_shows_the_whole_surname_only(name, shown):
    with translation.override("zh-hans"):
        assert chat_name(Retiree(name=name, consent_given=False)) == shown


def test_with_consent_the_chat_shows_the_full_name():
    assert chat_name(Retiree(name="欧阳明", consent_given=True)) == "欧阳明"
