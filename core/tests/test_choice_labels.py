"""get_FOO_display() from the kept labels: the same answers as Django's, in each language."""

from django.db.models import Model
from django.utils import translation

from checkins.choices import Outcome
from checkins.models import ContactLog
from core.choice_labels import kept_label
from retirees.models import Retiree


def test_every_model_uses_the_kept_labels():
    assert ContactLog.__dict__["get_outcome_display"].func is kept_label
    assert Retiree.__dict__["get_category_display"].func is kept_label


def test_the_label_in_the_active_language_as_django_gives_it():
    contact = ContactLog(outcome=Outcome.NEEDS_HELP, health_seen="", channel="phone")
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for field_name in ("outcome", "health_seen", "channel"):
                field = ContactLog._meta.get_field(field_name)
                assert getattr(contact, f"get_{field_name}_display")() == Model._get_FIELD_display(contact, field)
    with translation.override("zh-hans"):
        zh = contact.get_outcome_display()
    with translation.override("en"):
        en = contact.get_outcome_display()
        assert en == str(Outcome.NEEDS_HELP.label)
    assert zh != en


def test_a_value_outside_the_choices_is_shown_as_it_is():
    contact = ContactLog(outcome="no-such-outcome")
    assert contact.get_outcome_display() == "no-such-outcome"
    contact.outcome = None
    assert contact.get_outcome_display() is None
