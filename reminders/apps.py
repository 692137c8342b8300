from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def ready(self):
        from . import (
            exemption_notices,  # noqa: F401  (connects its receiver)
            receivers,
        )

        receivers.connect()
