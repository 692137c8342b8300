from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportScope(models.TextChoices):
    """Whom a weekly report is about: everybody, one branch, or the residents of one area."""

    ALL = "all", _("All branches")
    BRANCH = "branch", _("One branch")
    AREA = "area", _("One residence area")
