from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistanceConfig(AppConfig):
    name = "assistance"
    verbose_name = _("Assistance requests")

    def ready(self):
        from core.panels import register_retiree_panel

        from .selectors import retiree_panel

        register_retiree_panel("care", retiree_panel, order=2)
