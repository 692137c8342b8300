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


UNFINISHED_STATUSES = [AssistanceStatus.OPEN, AssistanceStatus.ASSIGNED]
CLOSED_STATUSES = [AssistanceStatus.DONE, AssistanceStatus.CANCELLED]
