from crispy_forms.layout import Column, Div, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.access import staff_who_may_serve
from accounts.models import User
from core.dates import PAST, SCHEDULE, DateRangeMixin, local_today
from core.widgets import UserChoiceField, form_helper
from ledgers.choices import DOSE_LABELS
from retirees.forms import DateInput
from volunteers.selectors import assignable_volunteers

from .choices import NO_DOSE_REASONS_OFFERED, AssistanceKind, DoseGiven
from .models import AssistanceRequest


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


class CompleteForm(DateRangeMixin, forms.Form):
    """Closing a request, asking what its kind records (the rules are the service's):

    - a vaccination request: whether a dose was given, then the dose (the doses already recorded
      are not offered; the next one is preselected) or the reason why none was;
    - a medicine or parcel pickup: what was brought;
    - any other request: its outcome.
    The outcome is an optional note for the first two.
    """

    default_date_range = PAST

    given = forms.ChoiceField(
        label=_("Was a dose given?"),
        choices=DoseGiven.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose whether a dose was given.")},
    )
    # Every dose number is valid here, so that one recorded meanwhile (in another tab) gets the
    # service's clear message rather than "not a valid choice"; the widget offers only the others.
    dose_number = forms.TypedChoiceField(
        label=_("Which dose"), choices=list(DOSE_LABELS.items()), coerce=int, required=False, empty_value=None
    )
    given_on = forms.DateField(label=_("Date given"), required=False, widget=DateInput())
    product = forms.CharField(label=_("Vaccine"), required=False, help_text=_("Maker or product name."))
    site = forms.CharField(label=_("Vaccination site"), required=False)
    no_dose_reason = forms.ChoiceField(
        label=_("Why no dose was given"),
        required=False,
        choices=[(reason.value, reason.label) for reason in NO_DOSE_REASONS_OFFERED],
        widget=forms.RadioSelect,
    )
    brought = forms.CharField(
        label=_("What was delivered"),
        max_length=AssistanceRequest._meta.get_field("brought").max_length,
        help_text=_("For example: two boxes of blood-pressure tablets; one parcel."),
        error_messages={"required": _("Say what was brought before marking the request done.")},
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Say what was done before marking the request done.")},
    )

    DOSE_FIELDS = ("given", "dose_number", "given_on", "product", "site", "no_dose_reason", "outcome")
    PICKUP_FIELDS = ("brought", "outcome")

    def __init__(self, *args, item: AssistanceRequest, doses=(), **kwargs):
        """`item`: the request being closed; `doses`: those already recorded for its retiree."""
        super().__init__(*args, **kwargs)
        if item.is_vaccination:
            kept = self.DOSE_FIELDS
            layout = (
                "given",
                Div(
                    Row(Column("dose_number", css_class="col-sm-6"), Column("given_on", css_class="col-sm-6")),
                    Row(Column("product", css_class="col-sm-6"), Column("site", css_class="col-sm-6")),
                    css_class="completion-dose",
                ),
                Div("no_dose_reason", css_class="completion-no-dose"),
                "outcome",
            )
        else:
            kept = self.PICKUP_FIELDS if item.is_pickup else ("outcome",)
            layout = kept
        for name in set(self.fields) - set(kept):
            del self.fields[name]
        if item.is_vaccination:
            self._ask_for_the_dose(doses)
        if item.is_vaccination or item.is_pickup:
            self.fields["outcome"].required = False
            self.fields["outcome"].label = _("Notes (optional)")
        self.helper = form_helper(*layout)

    def _ask_for_the_dose(self, doses) -> None:
        recorded = {dose.dose_number for dose in doses}
        offered = [(number, label) for number, label in DOSE_LABELS.items() if number not in recorded]
        self.fields["dose_number"].widget.choices = offered
        if not offered:
            self.fields["given"].choices = [(DoseGiven.NO.value, DoseGiven.NO.label)]
            self.fields["given"].help_text = _("Every dose is already recorded for this retiree.")
            return
        after_last = [number for number, _label in offered if number > max(recorded, default=0)]
        self.initial.setdefault("dose_number", (after_last or [offered[0][0]])[0])
        self.initial.setdefault("given_on", local_today())
        if doses and doses[-1].product:
            self.initial.setdefault("product", doses[-1].product)  # usually the same vaccine again

    def clean(self):
        data = super().clean()
        if data.get("given") == DoseGiven.NO and not data.get("no_dose_reason"):
            self.add_error("no_dose_reason", _("Choose why no dose was given."))
        return data

    def completion(self) -> dict:
        """The service's keyword arguments: the dose or the reason, as the first answer chose."""
        data = self.cleaned_data
        result = {"outcome": data.get("outcome", ""), "brought": data.get("brought", "")}
        if data.get("given") == DoseGiven.YES:
            result.update({key: data.get(key) for key in ("dose_number", "given_on")})
            result.update({key: data.get(key, "") for key in ("product", "site")})
        elif data.get("given") == DoseGiven.NO:
            result["no_dose_reason"] = data.get("no_dose_reason", "")
        return result


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()
