from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RetireesConfig(AppConfig):
    name = "retirees"
    verbose_name = _("Retirees")
