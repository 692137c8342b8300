from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("Care and services")

    def ready(self):
        from core.panels import register_retiree_panel

        from .selectors import retiree_panel

        register_retiree_panel("care", retiree_panel, order=0)
