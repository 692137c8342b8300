from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ledgers"
    verbose_name = _("Ledgers")

    def ready(self):
        from core.panels import register_retiree_panel

        from .selectors import retiree_panel

        register_retiree_panel("ledgers", retiree_panel, order=0)
