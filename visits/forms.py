from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_who_may_serve
from accounts.models import User
from core.addressing import AddressedForm
from core.dates import SCHEDULE, DateRangeMixin
from core.widgets import UserChoiceField, form_helper
from retirees.forms import DateInput

from .models import Visit, VisitCampaign


class VisitForm(DateRangeMixin, forms.ModelForm):
    default_date_range = SCHEDULE
    visitors = UserChoiceField(label=_("Visitors"), queryset=User.objects.none(), required=False)

    class Meta:
        model = Visit
        fields = ["status", "planned_on", "visited_on", "campaign", "visitors", "other_visitors", "brought", "notes"]
        widgets = {
            "planned_on": DateInput(),
            "visited_on": DateInput(),
            "status": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitors"] = forms.ModelMultipleChoiceField(
            label=_("Visitors"),
            queryset=staff_who_may_serve(branch_id=retiree.branch_id),
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["campaign"].queryset = VisitCampaign.objects.visible_to(user)
        self.helper = form_helper(
            "status",
            Row(
                Column("planned_on", css_class="col-md-4"),
                Column("visited_on", css_class="col-md-4"),
                Column("campaign", css_class="col-md-4"),
            ),
            "visitors",
            Row(Column("other_visitors", css_class="col-md-6"), Column("brought", css_class="col-md-6")),
            "notes",
        )

    def validate_constraints(self, exclude=None):
        pass  # checked again by the service, whose messages are the same


class CampaignForm(AddressedForm):
    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=VisitCampaign._meta.get_field("kind").choices)
    target = forms.ChoiceField(label=_("Whom to visit"), choices=VisitCampaign._meta.get_field("target").choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    field_order = ["title", "kind", "target", "starts_on", "ends_on"]
