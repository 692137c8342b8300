from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_who_may_serve
from accounts.models import User
from branches.models import Branch
from checkins.forms import DateTimeInput
from core.dates import PAST, SCHEDULE, DateRangeMixin
from retirees.forms import DateInput
from retirees.models import HouseholdContact

from . import selectors
from .choices import AssistanceKind, DeliveryMethod
from .models import CarePlan, PatrolShift, Visit, VisitCampaign, Volunteer


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _helper(*layout) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    if layout:
        helper.layout = Layout(*layout)
    return helper


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.get_role_display()}"


class CarePlanForm(DateRangeMixin, forms.ModelForm):
    default_date_range = SCHEDULE

    class Meta:
        model = CarePlan
        fields = [
            "responsible",
            "cadence_days",
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
        self.helper = _helper(
            Row(Column("responsible", css_class="col-md-6"), Column("review_on", css_class="col-md-6")),
            Row(
                Column("cadence_days", css_class="col-md-4"),
                Column("preferred_channel", css_class="col-md-4"),
                Column("preferred_time", css_class="col-md-4"),
            ),
            "household_contacts",
            "special_needs",
        )

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "responsible": data["responsible"],
            "review_on": data["review_on"],
            "cadence_days": data.get("cadence_days"),
            "preferred_channel": data["preferred_channel"],
            "preferred_time": data.get("preferred_time", ""),
            "household_contacts": data.get("household_contacts") or [],
            "special_needs": data.get("special_needs", ""),
        }


class AssistanceRequestForm(DateRangeMixin, forms.Form):
    default_date_range = SCHEDULE
    kind = forms.ChoiceField(label=_("What help is needed"), choices=AssistanceKind.choices, widget=forms.RadioSelect)
    needed_by = forms.DateField(label=_("Needed by"), required=False, widget=DateInput())
    details = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class AssignForm(forms.Form):
    assignee = UserChoiceField(label=_("Staff member"), queryset=User.objects.none(), required=False)
    volunteer = forms.ModelChoiceField(label=_("Volunteer"), queryset=Volunteer.objects.none(), required=False)

    def __init__(self, *args, user, retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff_who_may_serve(branch_id=retiree.branch_id)
        self.fields["volunteer"].queryset = selectors.assignable_volunteers(user=user)
        self.helper = _helper(Row(Column("assignee", css_class="col-md-6"), Column("volunteer", css_class="col-md-6")))

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
        self.helper = _helper()


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class VolunteerForm(DateRangeMixin, forms.ModelForm):
    default_date_range = PAST

    class Meta:
        model = Volunteer
        fields = ["area", "skills", "since", "is_active", "notes"]
        widgets = {"since": DateInput(), "area": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class ShiftForm(DateRangeMixin, forms.ModelForm):
    default_date_range = SCHEDULE

    class Meta:
        model = PatrolShift
        fields = ["area", "date", "starts_at", "ends_at", "volunteers_needed", "note"]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput(), "area": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(
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
        self.fields["volunteer"].queryset = selectors.assignable_volunteers(user=user)


class AddressedForm(DateRangeMixin, forms.Form):
    default_date_range = SCHEDULE
    """A choice between every branch and some branches."""

    all_branches = forms.BooleanField(label=_("All branches"), required=False, initial=True)
    branches = forms.ModelMultipleChoiceField(
        label=_("Or only these branches"),
        queryset=Branch.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.visible_to(user).filter(is_active=True).order_by("name")
        self.helper = _helper()

    def clean(self):
        data = super().clean()
        if not data.get("all_branches") and not data.get("branches"):
            raise forms.ValidationError(_("Choose at least one branch, or all branches."))
        return data

    def chosen_branches(self):
        return None if self.cleaned_data.get("all_branches") else list(self.cleaned_data["branches"])


class NoticeForm(AddressedForm):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, PNG or JPEG; checked by its content."),
    )
    field_order = ["title", "body", "attachment", "all_branches", "branches"]


class DeliveryForm(forms.Form):
    retiree = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("How"), choices=DeliveryMethod.choices, initial=DeliveryMethod.PHONE)
    acknowledged = forms.BooleanField(label=_("Acknowledged"), required=False)


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
        self.helper = _helper(
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
    field_order = ["title", "kind", "target", "starts_on", "ends_on", "all_branches", "branches"]


class MeetingForm(AddressedForm):
    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    mode = forms.ChoiceField(label=_("Online or in person"), choices=[], widget=forms.RadioSelect)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place or meeting link"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["title", "kind", "mode", "starts_at", "place", "notes", "all_branches", "branches"]

    def __init__(self, *args, **kwargs):
        from .choices import MeetingKind, MeetingMode

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = MeetingKind.choices
        self.fields["mode"].choices = MeetingMode.choices
