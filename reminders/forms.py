from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import SCHEDULE, DateRangeMixin

from .models import Holiday


class HolidayForm(DateRangeMixin, forms.Form):
    """An office exception to the statutory calendar (services.holiday_exception_save)."""

    default_date_range = SCHEDULE
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    kind = forms.ChoiceField(label=_("Kind"), choices=Holiday.Kind.choices, initial=Holiday.Kind.HOLIDAY)
    name = forms.CharField(
        label=_("Name of the day"),
        max_length=50,
        help_text=_(
            "For example 校庆放假 (a day the university gives off), or 照常上班 for a statutory day the office works."
        ),
    )
