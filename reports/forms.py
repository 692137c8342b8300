import datetime

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import selectors


class ReportForm(forms.Form):
    """A week that is over and a scope: all branches, one branch or one residence area."""

    week = forms.TypedChoiceField(label=_lazy("Week"), coerce=str)
    scope = forms.ChoiceField(label=_lazy("For"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.mondays = {monday.isoformat(): monday for monday in selectors.weeks_offered()}
        self.fields["week"].choices = [
            (
                iso,
                _("%(start)s – %(end)s")
                % {
                    "start": date_format(monday, "SHORT_DATE_FORMAT"),
                    "end": date_format(monday + datetime.timedelta(days=6), "MONTH_DAY_FORMAT"),
                },
            )
            for iso, monday in self.mondays.items()
        ]
        self.fields["scope"].choices = selectors.scope_choices(user=user)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-lg"

    def clean(self):
        data = super().clean()
        if "scope" in data:
            scope = selectors.scope_from_value(user=self.user, value=data["scope"])
            if scope is None:
                self.add_error("scope", _("Choose whom the report is for."))
            data["scope_obj"] = scope
        if "week" in data:
            data["monday"] = self.mondays[data["week"]]
        return data
