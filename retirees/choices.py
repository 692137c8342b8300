from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Category(models.TextChoices):
    LIXIU = "lixiu", _("Retired cadre (离休)")
    TUIXIU = "tuixiu", _("Retired (退休)")


class ResidenceArea(models.TextChoices):
    EAST = "east", _("East family area")
    NORTH = "north", _("North family area")
    OFF_CAMPUS = "off_campus", _("Off-campus community")


class LivingSituation(models.TextChoices):
    ALONE = "alone", _("Lives alone")
    SPOUSE = "spouse", _("With spouse")
    FAMILY = "family", _("With family")
    CAREGIVER = "caregiver", _("With caregiver")


class CareLevel(models.TextChoices):
    SELF_CARE = "self_care", _("Self-care")
    PARTLY_DEPENDENT = "partly_dependent", _("Partly dependent")
    DEPENDENT = "dependent", _("Dependent (失能)")


class Status(models.TextChoices):
    ACTIVE = "active", _("Active")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class Relation(models.TextChoices):
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Son or daughter")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    GRANDCHILD = "grandchild", _("Grandchild")
    SIBLING = "sibling", _("Brother or sister")
    CAREGIVER = "caregiver", _("Caregiver (保姆)")
    OTHER = "other", _("Other")


class AgeBand(models.TextChoices):
    UNDER_70 = "lt70", _("Under 70")
    SEVENTIES = "70s", _("70–79")
    EIGHTIES = "80s", _("80–89")
    NINETY_PLUS = "90plus", _("90 and over")


# Inclusive age bounds of each band; None is open-ended.
AGE_BAND_BOUNDS = {
    AgeBand.UNDER_70: (None, 69),
    AgeBand.SEVENTIES: (70, 79),
    AgeBand.EIGHTIES: (80, 89),
    AgeBand.NINETY_PLUS: (90, None),
}
