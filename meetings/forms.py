from django import forms
from django.utils.translation import gettext_lazy as _

from checkins.forms import DateTimeInput
from core.addressing import AddressedForm

from .choices import MeetingKind, MeetingMode


class MeetingForm(AddressedForm):
    addresses_retirees = True

    title = forms.CharField(label=_("Title"), max_length=150)
    kind = forms.ChoiceField(label=_("Kind"), choices=[])
    mode = forms.ChoiceField(label=_("Online or in person"), choices=[], widget=forms.RadioSelect)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place or meeting link"), required=False, max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["title", "kind", "mode", "starts_at", "place", "notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = MeetingKind.choices
        self.fields["mode"].choices = MeetingMode.choices
