from django import forms
from django.utils.translation import gettext_lazy as _

from core.addressing import AddressedForm

from .choices import DeliveryMethod


class NoticeForm(AddressedForm):
    title = forms.CharField(label=_("Title"), max_length=150)
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 8}))
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("PDF, Word, Excel, PNG or JPEG; checked by its content."),
    )
    field_order = ["title", "body", "attachment"]


class DeliveryForm(forms.Form):
    retiree = forms.IntegerField(widget=forms.HiddenInput)
    method = forms.ChoiceField(label=_("How"), choices=DeliveryMethod.choices, initial=DeliveryMethod.PHONE)
    acknowledged = forms.BooleanField(label=_("Acknowledged"), required=False)
