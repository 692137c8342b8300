from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    VIDEO = "video", _("Video call")
    HOME_VISIT = "home_visit", _("Home visit")
    IN_PERSON = "in_person", _("In person")
    # The retiree's own "I am well" on their personal page (selfservice): nobody logged it.
    SELF_CHECKIN = "self_checkin", _("Self check-in")


# What a worker can log: every channel but the retiree's own self check-in.
STAFF_CHANNELS = [(value, label) for value, label in Channel.choices if value != Channel.SELF_CHECKIN]


class Reached(models.TextChoices):
    """Whom the contact reached. Only a contact that reached somebody counts towards coverage."""

    RETIREE = "retiree", _("The retiree")
    FAMILY = "family", _("A family member")
    CAREGIVER = "caregiver", _("The caregiver")
    NOBODY = "nobody", _("No one")


class Outcome(models.TextChoices):
    ALL_WELL = "all_well", _("All well")
    CONCERN = "concern", _("A concern to watch")
    NEEDS_HELP = "needs_help", _("Needs help")
    URGENT = "urgent", _("Urgent")
    NOT_REACHED = "not_reached", _("Not reached")


class HealthSeen(models.TextChoices):
    NOT_ASKED = "", _("Not asked")
    GOOD = "good", _("Good")
    STABLE = "stable", _("Stable, chronic illness")
    UNWELL = "unwell", _("Unwell")
    IN_HOSPITAL = "in_hospital", _("In hospital")


class CommunityStatus(models.TextChoices):
    NOT_ASKED = "", _("Not asked")
    NORMAL = "normal", _("Normal")
    PRECAUTION = "precaution", _("Precautionary area (防范区)")
    CONTROLLED = "controlled", _("Controlled area (管控区)")
    SEALED = "sealed", _("Sealed area (封控区)")


class RoundItem(models.TextChoices):
    """What a round (摸排) may ask to verify for each retiree. `checkins.models.ROUND_ITEMS` says
    which round flag asks for it, which contact field answers it and how it is confirmed unchanged."""

    HEALTH = "health", _("Health")
    VACCINATION = "vaccination", _("Vaccination")
    TESTING = "testing", _("Nucleic-acid test")
    COMMUNITY = "community", _("Community epidemic status")


class RoundStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ExemptionReason(models.TextChoices):
    IN_HOSPITAL = "in_hospital", _("In hospital")
    TRAVELLING = "travelling", _("Travelling")
    REFUSED = "refused", _("Refuses contact")
    MOVED = "moved", _("Moved away")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class ExemptionStatus(models.TextChoices):
    """Where an exemption request stands. Only an approved one exempts anybody (ExemptionQuerySet.in_force)."""

    PENDING = "pending", _("Awaiting approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


# The longest window one exemption may cover: after half a year somebody must look again and
# request a new one (the legacy rows recorded before approvals existed are not held to it).
EXEMPTION_MAX_DAYS = 183


class DueState(models.TextChoices):
    """Where a retiree stands in the check-in schedule today (computed in the database)."""

    OVERDUE = "overdue", _("Overdue")
    DUE = "due", _("Due today")
    COVERED = "covered", _("Reached this cycle")
    EXEMPT = "exempt", _("Exempt")


class AttentionCause(models.TextChoices):
    """What put a retiree under attention (重点关注); the rule is `checkins.attention`."""

    EXPOSURE = "exposure", _("Exposure")
    TEST = "test", _("Nucleic-acid test")
    HEALTH = "health", _("Health")
    CONTACT = "contact", _("Call outcome")


class AttentionStatus(models.TextChoices):
    OPEN = "open", _("Under attention")
    RESOLVED = "resolved", _("Resolved")
    LIFTED = "lifted", _("Lifted")


class Escalation(models.IntegerChoices):
    """The ladder after failed contacts: each consecutive contact that reached nobody climbs a step."""

    NONE = 0, _("No escalation")
    TRY_WECHAT = 1, _("Phone failed: try WeChat")
    TRY_HOUSEHOLD = 2, _("Try a household contact")
    HOME_VISIT = 3, _("Home visit needed")
    OFFICE = 4, _("Office staff to act")


# Built-in cadence (days) when neither a care plan, a branch policy nor an office-wide policy applies.
# The shortest that applies wins: an 80-year-old retired cadre is called every 3 days, not weekly.
DEFAULT_CADENCE_FRAIL = 3  # aged 80 or over, or dependent (失能)
DEFAULT_CADENCE_LIXIU = 7  # retired cadres (离休)
DEFAULT_CADENCE_OTHERS = 14
FRAIL_AGE = 80

# Attention (重点关注): the cadence while under attention, and how long a positive test keeps a
# retiree there. Defaults of the settings OUTREACH_ATTENTION_CADENCE_DAYS and
# OUTREACH_ATTENTION_TEST_DAYS (read by `checkins.attention`).
DEFAULT_ATTENTION_CADENCE = 1
DEFAULT_ATTENTION_TEST_DAYS = 14
