from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SelfserviceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "selfservice"
    verbose_name = _("Retirees' own page (随时求助)")
