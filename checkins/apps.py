from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "checkins"
    verbose_name = _("Check-ins")

    def ready(self):
        from core.panels import register_retiree_panel

        from .panels import retiree_panel

        register_retiree_panel("checkins", retiree_panel, order=0)
