from crispy_forms.layout import Column, Row
from django import forms

from accounts.access import staff_who_may_serve
from core.dates import SCHEDULE, DateRangeMixin
from core.widgets import UserChoiceField, form_helper
from retirees.forms import DateInput
from retirees.models import HouseholdContact

from .models import CarePlan


class CarePlanForm(DateRangeMixin, forms.ModelForm):
    default_date_range = SCHEDULE

    class Meta:
        model = CarePlan
        fields = [
            "responsible",
            "cadence_days",
            "self_checkins_count",
            "preferred_channel",
            "preferred_time",
            "household_contacts",
            "special_needs",
            "review_on",
        ]
        field_classes = {"responsible": UserChoiceField}
        widgets = {
            "review_on": DateInput(),
            "household_contacts": forms.CheckboxSelectMultiple,
            "special_needs": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = staff_who_may_serve(branch_id=retiree.branch_id)
        self.fields["household_contacts"].queryset = HouseholdContact.objects.filter(retiree=retiree)
        self.fields["cadence_days"].widget.attrs.update({"min": 1, "max": 365})
        self.helper = form_helper(
            Row(Column("responsible", css_class="col-md-6"), Column("review_on", css_class="col-md-6")),
            Row(
                Column("cadence_days", css_class="col-md-4"),
                Column("preferred_channel", css_class="col-md-4"),
                Column("preferred_time", css_class="col-md-4"),
            ),
            "self_checkins_count",
            "household_contacts",
            "special_needs",
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "responsible": data["responsible"],
            "review_on": data["review_on"],
            "cadence_days": data.get("cadence_days"),
            "self_checkins_count": data.get("self_checkins_count", False),
            "preferred_channel": data["preferred_channel"],
            "preferred_time": data.get("preferred_time", ""),
            "household_contacts": data.get("household_contacts") or [],
            "special_needs": data.get("special_needs", ""),
        }
