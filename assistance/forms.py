from crispy_forms.layout import Column, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_who_may_serve
from accounts.models import User
from core.dates import SCHEDULE, DateRangeMixin
from core.widgets import UserChoiceField, form_helper
from retirees.forms import DateInput
from volunteers.selectors import assignable_volunteers

from .choices import AssistanceKind


class AssistanceRequestForm(DateRangeMixin, forms.Form):
    default_date_range = SCHEDULE
    kind = forms.ChoiceField(label=_("What help is needed"), choices=AssistanceKind.choices, widget=forms.RadioSelect)
    needed_by = forms.DateField(label=_("Needed by"), required=False, widget=DateInput())
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    volunteer = forms.ModelChoiceField(
        label=_("Volunteer"), queryset=assignable_volunteers(user=None), required=False
    )  # set per user in __init__

    def __init__(self, *args, user, retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_may_serve(branch_id=retiree.branch_id)
        self.fields["volunteer"].queryset = assignable_volunteers(user=user)
        self.helper = form_helper(
            Row(Column("assignee", css_class="col-md-6"), Column("volunteer", css_class="col-md-6"))
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("assignee")) == bool(data.get("volunteer")):
            raise forms.ValidationError(_("Choose one staff member or one volunteer."))
        return data


class CompleteForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what was done before marking the request done.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
