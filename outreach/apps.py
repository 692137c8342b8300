"""Third-party apps under names our users read (their own AppConfigs have none, or none in Chinese).

INSTALLED_APPS names these classes instead of the apps' own; each keeps its app's name and label.
"""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes, which locks an account out after repeated failed sign-ins."""

    verbose_name = _("Sign-in protection")
