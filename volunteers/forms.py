from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import PAST, SCHEDULE, DateRangeMixin
from core.widgets import TimeInput, form_helper
from retirees.forms import DateInput

from .models import PatrolShift, Volunteer
from .selectors import assignable_volunteers


class VolunteerForm(DateRangeMixin, forms.ModelForm):
    default_date_range = PAST

    class Meta:
        model = Volunteer
        fields = ["area", "skills", "since", "is_active", "notes"]
        widgets = {"since": DateInput(), "area": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ShiftForm(DateRangeMixin, forms.ModelForm):
    default_date_range = SCHEDULE

    class Meta:
        model = PatrolShift
        fields = ["area", "date", "starts_at", "ends_at", "volunteers_needed", "note"]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput(), "area": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper(
            "area",
            Row(
                Column("date", css_class="col-md-4"),
                Column("starts_at", css_class="col-md-4"),
                Column("ends_at", css_class="col-md-4"),
            ),
            Row(Column("volunteers_needed", css_class="col-md-4"), Column("note", css_class="col-md-8")),
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_at") and data.get("ends_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("A shift must end after it starts."))
        return data

    def validate_constraints(self, exclude=None):
        # The service checks the same rules and gives the clearer messages above.
        pass


class ShiftAssignForm(forms.Form):
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"), queryset=Volunteer.objects.none(), widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["volunteer"].queryset = assignable_volunteers(user=user)
