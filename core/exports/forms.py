"""The export buttons' form: what office staff may choose to include in a file."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .columns import ExportSpec
from .responses import ExportOptions


class ExportOptionsForm(forms.Form):
    """What office staff may choose to include in an export; both choices are audited.

    The page's own query (filters, search token) is carried along as hidden fields (`carried`).
    """

    OPTIONS = ("full_id_numbers", "without_consent")

    full_id_numbers = forms.BooleanField(required=False, label=_("Include full ID numbers"))
    without_consent = forms.BooleanField(
        required=False, label=_("Include retirees without recorded consent (office internal use only)")
    )

    def __init__(self, data=None, *, ids_in_file: bool = False, carry=None):
        super().__init__(data)
        if not ids_in_file:
            del self.fields["full_id_numbers"]
        skipped = {"export", "page", *self.OPTIONS}
        self.carried = [
            (name, value)
            for name, values in (carry.lists() if carry is not None else [])
            if name not in skipped
            for value in values
        ]

    def chosen(self, name: str) -> bool:
        return name in self.fields and self.is_valid() and self.cleaned_data[name]

    def options(self) -> ExportOptions:
        return ExportOptions(
            full_id_numbers=self.chosen("full_id_numbers"), without_consent=self.chosen("without_consent")
        )


def export_form(request, spec: ExportSpec | None = None) -> ExportOptionsForm:
    """The export buttons' form for a page, with the page's query carried along."""
    return ExportOptionsForm(request.GET, ids_in_file=spec is not None and spec.has_masked_columns, carry=request.GET)
