from django.db import models
from django.utils.translation import gettext_lazy as _

from ledgers.choices import Arrangement


class AssistanceKind(models.TextChoices):
    VACCINATION_TRANSPORT = "vaccination_transport", _("Ride to vaccination (车接车送)")
    HOME_VACCINATION = "home_vaccination", _("Vaccination at home (上门接种)")
    MEDICINE = "medicine", _("Fetch medicine")
    PARCEL = "parcel", _("Fetch a parcel")
    RIDE = "ride", _("A ride")
    COMPANY = "company", _("Somebody to talk to")
    OTHER = "other", _("Other help")


# What a retiree can ask for on their own page (selfservice), in the order shown there, with the
# words the page uses (large buttons, plain speech, Chinese first).
SELF_REQUEST_KINDS = {
    AssistanceKind.MEDICINE: _("Fetch medicine for me"),
    AssistanceKind.PARCEL: _("Fetch a parcel for me"),
    AssistanceKind.RIDE: _("I need a ride"),
    AssistanceKind.HOME_VACCINATION: _("Vaccination at home"),
    AssistanceKind.COMPANY: _("Somebody to talk to"),
    AssistanceKind.OTHER: _("Something else"),
}
# The short text a retiree may add to their request.
SELF_REQUEST_TEXT_MAX = 200


# Words in a contact's need that say which kind of help it is (the first kind matched wins), so
# that the request opened from the contact starts with its kind chosen; the user may change it.
KIND_WORDS = {
    AssistanceKind.HOME_VACCINATION: ("上门接种", "上门打疫苗", "home vaccination"),
    AssistanceKind.VACCINATION_TRANSPORT: ("接送", "车", "送去", "ride", "transport"),
    AssistanceKind.MEDICINE: ("药", "medicine"),
    AssistanceKind.PARCEL: ("快递", "包裹", "取件", "parcel"),
}


def kind_for_need(need: str) -> str:
    """The kind of help a need written in a contact asks for, or "" when its words do not say."""
    text = need.lower()
    return next((kind for kind, words in KIND_WORDS.items() if any(word in text for word in words)), "")


class AssistanceStatus(models.TextChoices):
    """open -> assigned -> done, or cancelled from open or assigned."""

    OPEN = "open", _("Open")
    ASSIGNED = "assigned", _("Assigned")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


UNFINISHED_STATUSES = [AssistanceStatus.OPEN, AssistanceStatus.ASSIGNED]
CLOSED_STATUSES = [AssistanceStatus.DONE, AssistanceStatus.CANCELLED]


# What closing a request records, by kind: a vaccination request the dose (in the vaccination
# ledger) or why none was given; a pickup what was brought; any other request its outcome.
VACCINATION_KINDS = [AssistanceKind.VACCINATION_TRANSPORT, AssistanceKind.HOME_VACCINATION]
PICKUP_KINDS = [AssistanceKind.MEDICINE, AssistanceKind.PARCEL]
# How the ledger records the way a dose given through a request was reached.
DOSE_ARRANGEMENTS = {
    AssistanceKind.VACCINATION_TRANSPORT: Arrangement.TRANSPORT,
    AssistanceKind.HOME_VACCINATION: Arrangement.HOME,
}


class DoseGiven(models.TextChoices):
    """The first question of closing a vaccination request (a form choice, not stored)."""

    YES = "yes", _("A dose was given: record it in the vaccination ledger")
    NO = "no", _("No dose was given")


class NoDoseReason(models.TextChoices):
    REFUSED = "refused", _("Refused on the day")
    POSTPONED = "postponed", _("Postponed (open a new request for the new date)")
    UNFIT = "unfit", _("Not fit on the day (unwell, contraindication)")
    OTHER = "other", _("Other reason (say which in the notes)")
    # Only for the requests closed before a dose was asked for: set by migration 0002, never offered.
    NOT_RECORDED = "not_recorded", _("Not recorded (closed before doses were recorded with requests)")


NO_DOSE_REASONS_OFFERED = [reason for reason in NoDoseReason if reason != NoDoseReason.NOT_RECORDED]
