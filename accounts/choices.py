"""A user's role and position in a branch: read by the model and by the access module."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    OFFICE = "office", _("Office staff")
    BRANCH = "branch", _("Branch worker")


class Position(models.TextChoices):
    SECRETARY = "secretary", _("Branch secretary")
    COMMITTEE = "committee", _("Committee member")
