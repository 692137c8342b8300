from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from branches.models import Branch
from core.dates import PAST, SCHEDULE, DateRangeMixin
from core.widgets import SelectOrSearch
from retirees.choices import ResidenceArea
from retirees.filters import BRANCH_SELECT_LIMIT, BranchChoiceField
from retirees.forms import DateInput

from .choices import EXEMPTION_MAX_DAYS, STAFF_CHANNELS, ExemptionReason, Outcome, Reached, RoundStatus
from .models import ROUND_ITEMS, CadencePolicy, CheckinRound, ContactLog, Exemption


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ContactForm(DateRangeMixin, forms.ModelForm):
    """The full contact form: one more screen than the quick log, for a problem or any detail."""

    date_ranges = {"contacted_at": PAST}
    default_date_range = SCHEDULE

    contacted_at = forms.DateTimeField(
        label=_("When"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )

    class Meta:
        model = ContactLog
        fields = [
            "contacted_at",
            "channel",
            "reached",
            "outcome",
            "health_seen",
            "community_status",
            "checked_vaccination",
            "checked_testing",
            "needs",
            "follow_up_on",
            "notes",
        ]
        widgets = {
            "channel": forms.RadioSelect,
            "reached": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "follow_up_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    # A problem call must say whom it reached and what came of it: nothing is preselected, so a
    # form left at its defaults is not saved as "reached the retiree, all well" (issue #14).
    # The page (contact_form.html) lays the fields out: what a problem needs open, the rest folded.
    PROBLEM_FIELDS = ["reached", "outcome", "needs", "follow_up_on", "notes"]
    WHEN_FIELDS = ["contacted_at", "channel"]
    HEALTH_FIELDS = ["health_seen", "community_status", "checked_vaccination", "checked_testing"]

    def __init__(self, *args, **kwargs):
        asked = kwargs.get("initial") or {}  # the page's own prefill (?reached=…&outcome=…)
        super().__init__(*args, **kwargs)
        if not self.is_bound and "contacted_at" not in self.initial:
            self.initial["contacted_at"] = timezone.localtime().replace(second=0, microsecond=0)
        # The retiree's own self check-in is recorded by their page, never logged by a worker.
        self.fields["channel"].choices = STAFF_CHANNELS
        for name in ("reached", "outcome"):
            self.fields[name].initial = None  # the model's default is not an answer
            if name not in asked:
                self.initial.pop(name, None)
        self.fields["reached"].error_messages["required"] = _("Choose whom the call reached.")
        # Reaching nobody decides the outcome (see clean), so the form asks for it only otherwise.
        self.fields["outcome"].required = False
        self.helper = FormHelper()
        self.helper.form_tag = False

    @property
    def when_open(self) -> bool:
        """The folded "when and how" section opens on an error in it (it defaults to now, by phone)."""
        return any(name in self.errors for name in self.WHEN_FIELDS)

    @property
    def health_open(self) -> bool:
        """The folded health questions open on an error or an answer in them."""
        if any(name in self.errors for name in self.HEALTH_FIELDS):
            return True
        return self.is_bound and any(self.data.get(self.add_prefix(name)) for name in self.HEALTH_FIELDS)

    def clean_contacted_at(self):
        contacted_at = self.cleaned_data["contacted_at"]
        if contacted_at > timezone.now():
            raise forms.ValidationError(_("A contact cannot be in the future."))
        return contacted_at

    def clean(self):
        cleaned = super().clean()
        reached, outcome = cleaned.get("reached"), cleaned.get("outcome")
        if reached == Reached.NOBODY:
            # Whom it reached decides: a contact that reached nobody has no other outcome.
            cleaned["outcome"] = Outcome.NOT_REACHED
        elif not outcome:
            self.add_error("outcome", _("Choose what came of the call: all well, a concern, needs help or urgent."))
        elif reached and reached != Reached.NOBODY and outcome == Outcome.NOT_REACHED:
            self.add_error("outcome", _("Somebody was reached: choose what came of it."))
        contacted_at, follow_up_on = cleaned.get("contacted_at"), cleaned.get("follow_up_on")
        if contacted_at and follow_up_on and follow_up_on < timezone.localdate(contacted_at):
            self.add_error("follow_up_on", _("The follow-up date cannot be before the contact."))
        return cleaned

    def _post_clean(self):
        # The service validates the whole record (with the contact date it derives); the form
        # only checks what the user typed, so that errors land on fields.
        pass

    def ask_for_round(self, checks: list[dict]) -> None:
        """Mark the answers that running rounds (摸排) still need from this retiree (`checks` from
        `selectors.round_checks_for`). They stay optional: a call may not get every answer."""
        for check in checks:
            for item in check["missing"]:
                field = self.fields.get(ROUND_ITEMS[item].contact_field)
                if field is not None:
                    field.help_text = _("Asked by the round “%(round)s”.") % {"round": check["round"].title}
                    field.widget.attrs["data-round-item"] = item.value


class RoundForm(DateRangeMixin, forms.Form):
    default_date_range = SCHEDULE
    ALL, CHOSEN = "all", "chosen"

    title = forms.CharField(label=_("Title"), max_length=100)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput())
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput())
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[(ALL, _("All branches")), (CHOSEN, _("Chosen branches"))],
        widget=forms.RadioSelect,
        initial=ALL,
    )
    branches = forms.ModelMultipleChoiceField(
        label=_("Branches"), queryset=Branch.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    areas = forms.MultipleChoiceField(
        label=_("Only those living in"),
        choices=ResidenceArea.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: wherever they live."),
    )
    verify_health = forms.BooleanField(label=_("Verify health"), required=False, initial=True)
    verify_vaccination = forms.BooleanField(label=_("Verify vaccination"), required=False)
    verify_testing = forms.BooleanField(label=_("Verify testing"), required=False)
    verify_community = forms.BooleanField(label=_("Verify community status"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branches"].queryset = Branch.objects.visible_to(user).filter(is_active=True)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            "title",
            Row(Column("starts_on", css_class="col-md-6"), Column("ends_on", css_class="col-md-6")),
            Row(Column("scope", css_class="col-md-4"), Column("branches", css_class="col-md-8")),
            "areas",
            Fieldset(
                _("What must be verified"),
                Row(
                    Column("verify_health", css_class="col-md-3"),
                    Column("verify_vaccination", css_class="col-md-3"),
                    Column("verify_testing", css_class="col-md-3"),
                    Column("verify_community", css_class="col-md-3"),
                ),
            ),
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The round cannot end before it starts."))
        if cleaned.get("scope") == self.CHOSEN and not cleaned.get("branches"):
            self.add_error("branches", _("Choose at least one branch, or all branches."))
        return cleaned

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        scope = data.pop("scope")
        data["branches"] = list(data["branches"]) if scope == self.CHOSEN else None
        return data


class RoundCloseForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was found, what was done, what remains. Printed with the counts."),
    )


class ExemptionForm(DateRangeMixin, forms.ModelForm):
    """A request for an exemption. What makes a request valid (a window in order and not too long,
    one pending request per retiree, an open round of the retiree's branch) is the service's and
    the model's; the form only asks for the dates a request without a round needs."""

    default_date_range = SCHEDULE

    class Meta:
        model = Exemption
        fields = ["reason", "round", "starts_on", "ends_on", "note"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput(), "reason": forms.RadioSelect}
        labels = {"note": _("Details")}

    def __init__(self, *args, user, retiree, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = ExemptionReason.choices  # radios: no blank "---------" choice
        self.fields["round"].queryset = CheckinRound.objects.visible_to(user).filter(
            status=RoundStatus.OPEN, branches=retiree.branch_id
        )
        self.fields["round"].empty_label = _("None: exempt from the regular schedule")
        self.fields["starts_on"].required = False
        self.fields["ends_on"].required = False
        self.fields["starts_on"].initial = timezone.localdate()
        self.fields["starts_on"].help_text = _("Empty with a round: the round's window.")
        self.fields["ends_on"].help_text = format_lazy(
            _("One request covers at most {days} days."), days=EXEMPTION_MAX_DAYS
        )
        self.fields["note"].help_text = _("What happened, e.g. which hospital, or where they went.")
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("round"):
            if not cleaned.get("starts_on") and "starts_on" not in self.errors:
                self.add_error("starts_on", _("Enter the first day of the exemption."))
            if not cleaned.get("ends_on") and "ends_on" not in self.errors:
                self.add_error("ends_on", _("Enter the last day of the exemption."))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the whole record


class ExemptionDecisionForm(forms.Form):
    """Approve or refuse a request: the button pressed, and the reason (which a refusal needs:
    the model's constraint says so)."""

    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(choices=[(APPROVE, _("Approve")), (REFUSE, _("Refuse"))])
    note = forms.CharField(
        label=_("Remarks on the decision"),
        max_length=200,
        required=False,
        help_text=_("Required to refuse; the requester reads it."),
    )


class CadencePolicyForm(forms.ModelForm):
    class Meta:
        model = CadencePolicy
        fields = ["branch", "category", "age_band", "care_level", "cadence_days"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user)
        self.fields["branch"].empty_label = _("All branches (office-wide)")
        for name in ("category", "age_band", "care_level"):
            self.fields[name].choices = [("", _("Any")), *self.fields[name].choices[1:]]
        cadence = self.fields["cadence_days"]
        cadence.validators += [MinValueValidator(1), MaxValueValidator(365)]
        cadence.widget.attrs.update(min=1, max=365)
        self.helper = FormHelper()
        self.helper.form_tag = False


class AttentionLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is attention lifted?"),
        max_length=200,
        error_messages={"required": _("Say why attention is lifted.")},
        help_text=_("For example: the community was reopened on 05-20; back home and well, the family is with her."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class CallListBranchForm(forms.Form):
    """The office's branch on the call list: a list while the branches are few, a search box past
    BRANCH_SELECT_LIMIT (core.widgets.SelectOrSearch, as on the registry), where a name or part of
    one is resolved by retirees.filters.BranchChoiceField. `branch`: the one branch meant, or None
    (all branches); `matches`: the branches a text names when it names several."""

    branch = BranchChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("All branches"),
        widget=SelectOrSearch(
            limit=BRANCH_SELECT_LIMIT,
            placeholder=_("Type a branch name"),
            suggest_url=reverse_lazy("branches:suggest"),
            attrs={"class": "form-select w-auto", "data-autosubmit": ""},
        ),
    )

    # The few matches of a text that names several branches, offered as links.
    MATCHES_SHOWN = 10

    def __init__(self, data, *, user):
        super().__init__(data)
        self.fields["branch"].queryset = Branch.objects.visible_to(user)
        self.matches: list[Branch] = []

    @property
    def chosen(self) -> Branch | None:
        if not self.is_valid():
            return None
        found = self.cleaned_data["branch"] or []
        if len(found) == 1:
            return found[0]
        self.matches = found[: self.MATCHES_SHOWN]
        return None
