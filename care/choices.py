from django.db import models
from django.utils.translation import gettext_lazy as _


class AssistanceKind(models.TextChoices):
    VACCINATION_TRANSPORT = "vaccination_transport", _("Ride to vaccination (车接车送)")
    HOME_VACCINATION = "home_vaccination", _("Vaccination at home (上门接种)")
    MEDICINE = "medicine", _("Fetch medicine")
    PARCEL = "parcel", _("Fetch a parcel")
    OTHER = "other", _("Other help")


class AssistanceStatus(models.TextChoices):
    """open -> assigned -> done, or cancelled from open or assigned."""

    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


CLOSED_STATUSES = (AssistanceStatus.DONE, AssistanceStatus.CANCELLED)


class PatrolArea(models.TextChoices):
    EAST = "east", _("East family area")
    NORTH = "north", _("North family area")


class VolunteerArea(models.TextChoices):
    EAST = "east", _("East family area")
    NORTH = "north", _("North family area")
    BOTH = "both", _("East and North family areas")


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


class DeliveryMethod(models.TextChoices):
    IN_PERSON = "in_person", _("Handed over in person")
    PHONE = "phone", _("Read out by phone")
    WECHAT = "wechat", _("Sent by WeChat")
    POST = "post", _("By post")
    FAMILY = "family", _("Through family")


class MeetingKind(models.TextChoices):
    FORUM = "forum", _("Forum (座谈会)")
    STUDY = "study", _("Study session")
    OTHER = "other", _("Other event")


class MeetingMode(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")


# A retiree of this age or older, or dependent, is "frail": visited and called more often.
FRAIL_AGE = 80
