import socket
from urllib.parse import urlsplit

from django import forms
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from .models import Branch, Weekday
from .webhooks import validate_webhook_url


class BranchReminderForm(forms.ModelForm):
    """Reminder days, time and group-chat webhook: for office staff and the branch's own workers."""

    weekdays = forms.TypedMultipleChoiceField(
        label=_("Reminder days"),
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one reminder day.")},
    )

    webhook_url = forms.CharField(
        label=_("group chat webhook"),
        required=False,
        max_length=500,
        validators=[URLValidator(schemes=["https"], message=_("Enter an https:// address.")), validate_webhook_url],
        help_text=_("Optional: a WeCom group robot address; the branch's digest is also posted there."),
    )

    class Meta:
        model = Branch
        fields = ["reminder_time", "webhook_url", "call_every_self_checkins"]
        widgets = {
            "reminder_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "call_every_self_checkins": forms.NumberInput(attrs={"min": 1, "max": 100}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["weekdays"].initial = self.instance.reminder_weekday_list

    def clean_webhook_url(self):
        url = self.cleaned_data["webhook_url"]
        if url:  # only an https address to an allowed host gets here: does that host exist?
            host = urlsplit(url).hostname or ""
            try:
                socket.getaddrinfo(host, None)
            except (OSError, UnicodeError):
                raise forms.ValidationError(
                    _("This address points nowhere: the host %(host)s cannot be found."), params={"host": host}
                ) from None
        return url

    def save(self, commit=True):
        self.instance.reminder_weekdays = sum(set(self.cleaned_data["weekdays"]))
        return super().save(commit=commit)
