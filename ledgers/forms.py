from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Fieldset, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from core.dates import PAST, SCHEDULE, DateRangeMixin, local_today
from core.uploads import check_upload

from .choices import (
    DOSE_LABELS,
    STANCES_NEEDING_REASON,
    Arrangement,
    ExposureKind,
    ImportKind,
    Stance,
    TestResult,
    Vocabulary,
)
from .filters import DateInput
from .imports import ACCEPTED, MAX_UPLOAD_BYTES
from .models import ExposureEvent, HealthRecord, NucleicTest, VaccinationDose, VaccinationStance


class LedgerEntryForm(DateRangeMixin, forms.ModelForm):
    """A ledger entry for one retiree; the view passes cleaned_data to the matching service."""

    date_fields: tuple[str, ...] = ()
    default_date_range = PAST

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.date_fields:
            self.fields[name].widget = DateInput()
            if not self.is_bound and name in self.fields and self.fields[name].required:
                self.initial.setdefault(name, local_today())


class VaccinationDoseForm(LedgerEntryForm):
    date_fields = ("given_on",)

    class Meta:
        model = VaccinationDose
        fields = ["dose_number", "given_on", "product", "site", "arrangement", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dose_number"] = forms.TypedChoiceField(
            label=_("dose"), choices=list(DOSE_LABELS.items()), coerce=int
        )


class VaccinationStanceForm(LedgerEntryForm):
    date_fields = ("stated_on",)

    class Meta:
        model = VaccinationStance
        fields = ["stance", "reason", "stated_on", "notes"]


class NucleicTestForm(LedgerEntryForm):
    date_fields = ("tested_on",)

    class Meta:
        model = NucleicTest
        fields = ["tested_on", "result", "site", "notes"]


class ExposureEventForm(LedgerEntryForm):
    date_ranges = {"ended_on": SCHEDULE}  # an exposure may be known to end ahead
    date_fields = ("started_on", "ended_on")

    class Meta:
        model = ExposureEvent
        fields = ["kind", "started_on", "ended_on", "status", "notes"]


class HealthRecordForm(LedgerEntryForm):
    date_fields = ("recorded_on",)

    class Meta:
        model = HealthRecord
        fields = ["condition", "recorded_on", "notes"]


class ExposureLiftForm(DateRangeMixin, forms.Form):
    default_date_range = PAST
    event = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("Lifted on"), widget=DateInput())


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportKind.choices, initial=ImportKind.ROSTER, widget=forms.RadioSelect
    )
    file = forms.FileField(
        label=_("File (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        """Refused here, before anything parses it: by size, by content type, a zip bomb, a password."""
        upload = self.cleaned_data["file"]
        check_upload(upload, accept=ACCEPTED, max_bytes=MAX_UPLOAD_BYTES)
        return upload


class ImportMappingForm(forms.Form):
    """One drop-down per value of the file that matched nothing: what it means.

    The values come from the upload's own check (never from the request), so a posted field can
    only choose among the options it was shown. A drop-down left on "choose" maps nothing yet.
    """

    def __init__(self, data=None, *, prompts: list[dict], options: dict[str, list[tuple[str, str]]]):
        super().__init__(data)
        self.prompts = prompts
        for index, prompt in enumerate(prompts):
            what = Vocabulary(prompt["vocabulary"]).label if prompt["vocabulary"] in Vocabulary.values else ""
            choices = [("", _("Choose the %(what)s…") % {"what": what}), *options.get(prompt["vocabulary"], [])]
            self.fields[f"map-{index}"] = forms.ChoiceField(label=prompt["text"], choices=choices, required=False)

    SHOWN_OPTIONS = 12

    def rows(self):
        """(prompt, its bound field, the valid choices as text) for the template."""
        rows = []
        for index, prompt in enumerate(self.prompts):
            field = self[f"map-{index}"]
            labels = [str(label) for value, label in field.field.choices if value]
            shown = "、".join(labels[: self.SHOWN_OPTIONS]) + ("…" if len(labels) > self.SHOWN_OPTIONS else "")
            rows.append((prompt, field, shown))
        return rows

    def chosen(self) -> list[tuple[dict, str]]:
        """(prompt, chosen value) for each value given a meaning."""
        return [
            (prompt, self.cleaned_data[f"map-{index}"])
            for index, prompt in enumerate(self.prompts)
            if self.cleaned_data.get(f"map-{index}")
        ]


class ContactLedgerForm(DateRangeMixin, forms.Form):
    """Ledger facts learnt during a contact, recorded with it in one transaction (all optional).

    Each group (a dose, a willingness, a test, an exposure) is recorded only when its first
    field is filled; its date defaults to the contact's date.
    """

    PREFIX = "ledger"
    date_ranges = {"exposure_ended_on": SCHEDULE}  # an exposure may be known to end ahead
    default_date_range = PAST

    dose_number = forms.TypedChoiceField(
        label=_("Vaccine dose received"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *[(number, label) for number, label in DOSE_LABELS.items()]],
    )
    dose_given_on = forms.DateField(label=_("Date of the dose"), required=False, widget=DateInput())
    dose_arrangement = forms.ChoiceField(
        label=_("How the retiree got the dose"), required=False, choices=[("", "—"), *Arrangement.choices]
    )
    stance = forms.ChoiceField(
        label=_("Willingness to be vaccinated"), required=False, choices=[("", "—"), *Stance.choices]
    )
    stance_reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    test_result = forms.ChoiceField(
        label=_("Nucleic-acid test"), required=False, choices=[("", "—"), *TestResult.choices]
    )
    test_on = forms.DateField(label=_("Test date"), required=False, widget=DateInput())
    exposure_kind = forms.ChoiceField(label=_("Exposure"), required=False, choices=[("", "—"), *ExposureKind.choices])
    exposure_started_on = forms.DateField(label=_("Exposure from"), required=False, widget=DateInput())
    exposure_ended_on = forms.DateField(label=_("Exposure until"), required=False, widget=DateInput())

    def __init__(self, *args, recorded_doses=(), **kwargs):
        kwargs.setdefault("prefix", self.PREFIX)
        super().__init__(*args, **kwargs)
        # A dose already in the ledger is not offered again (`recorded_doses`: their numbers).
        self.fields["dose_number"].choices = [
            (value, label) for value, label in self.fields["dose_number"].choices if value not in set(recorded_doses)
        ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Fieldset(
                _("Ledger facts learnt in this contact (optional)"),
                Row(
                    Column("dose_number", css_class="col-md-4"),
                    Column("dose_given_on", css_class="col-md-4"),
                    Column("dose_arrangement", css_class="col-md-4"),
                ),
                Row(Column("stance", css_class="col-md-4"), Column("stance_reason", css_class="col-md-8")),
                Row(Column("test_result", css_class="col-md-4"), Column("test_on", css_class="col-md-4")),
                Row(
                    Column("exposure_kind", css_class="col-md-4"),
                    Column("exposure_started_on", css_class="col-md-4"),
                    Column("exposure_ended_on", css_class="col-md-4"),
                ),
            )
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stance") in STANCES_NEEDING_REASON and not cleaned.get("stance_reason", "").strip():
            self.add_error("stance_reason", _("Give the reason for an unwilling or contraindicated retiree."))
        started, ended = cleaned.get("exposure_started_on"), cleaned.get("exposure_ended_on")
        if started and ended and ended < started:
            self.add_error("exposure_ended_on", _("The end cannot be before the start."))
        return cleaned

    def has_facts(self) -> bool:
        data = self.cleaned_data
        return any(data.get(key) for key in ("dose_number", "stance", "test_result", "exposure_kind"))


class LedgerSignoffForm(forms.Form):
    note = forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything the office should know about this round's ledger."),
    )
    confirm = forms.BooleanField(
        label=_("I have checked our branch's ledger: it is complete and correct."),
        error_messages={"required": _("Tick the box to confirm that you have checked the ledger.")},
    )
