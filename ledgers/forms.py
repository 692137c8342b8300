from django import forms
from django.utils.translation import gettext_lazy as _

from retirees.models import local_today

from .choices import DOSE_LABELS
from .filters import DateInput
from .models import ExposureEvent, HealthRecord, NucleicTest, VaccinationDose, VaccinationStance

# Roster uploads above this size are refused before they are read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class LedgerEntryForm(forms.ModelForm):
    """A ledger entry for one retiree; the view passes cleaned_data to the matching service."""

    date_fields: tuple[str, ...] = ()

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
    date_fields = ("started_on", "ended_on")

    class Meta:
        model = ExposureEvent
        fields = ["kind", "started_on", "ended_on", "status", "notes"]


class HealthRecordForm(LedgerEntryForm):
    date_fields = ("recorded_on",)

    class Meta:
        model = HealthRecord
        fields = ["condition", "recorded_on", "notes"]


class ExposureLiftForm(forms.Form):
    event = forms.IntegerField(widget=forms.HiddenInput)
    ended_on = forms.DateField(label=_("Lifted on"), widget=DateInput())


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (.xlsx or .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = (upload.name or "").lower()
        if not name.endswith((".xlsx", ".csv")):
            if name.endswith(".xls"):
                raise forms.ValidationError(
                    _("Old .xls files cannot be read: open it in Excel and save it as .xlsx, then upload again.")
                )
            raise forms.ValidationError(_("Upload an Excel (.xlsx) or CSV (.csv) file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1024 / 1024, 1), "limit": MAX_UPLOAD_BYTES // 1024 // 1024}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload
