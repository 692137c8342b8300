from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolArea(models.TextChoices):
    EAST = "east", _("East family area")
    NORTH = "north", _("North family area")


class VolunteerArea(models.TextChoices):
    EAST = "east", _("East family area")
    NORTH = "north", _("North family area")
    BOTH = "both", _("East and North family areas")
