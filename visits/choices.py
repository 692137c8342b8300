from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class CampaignKind(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth (重阳)")
    OTHER = "other", _("Other")


class CampaignTarget(models.TextChoices):
    """Whom a visit campaign means to visit."""

    FRAIL = "frail", _("Aged 80+ or dependent")
    LIXIU = "lixiu", _("Retired cadres (离休)")
    ALL = "all", _("Every active retiree")


class Festival(models.TextChoices):
    """The lunar festivals whose visit campaign the office is offered a month ahead (the values
    are core.calendar_cn's festival names and CampaignKind's)."""

    SPRING_FESTIVAL = "spring_festival", _("Spring Festival")
    DOUBLE_NINTH = "double_ninth", _("Double Ninth (重阳)")
