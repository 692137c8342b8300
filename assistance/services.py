"""Writes for assistance requests. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import in_scope, locked_in_scope, may_serve, require_office
from accounts.models import User
from checkins.selectors import contact_in_scope
from ledgers import services as ledger_services
from retirees.choices import Status
from retirees.models import Retiree
from volunteers.selectors import volunteer_is_active

from . import signals
from .choices import (
    DOSE_ARRANGEMENTS,
    NO_DOSE_REASONS_OFFERED,
    SELF_REQUEST_KINDS,
    SELF_REQUEST_TEXT_MAX,
    AssistanceStatus,
    NoDoseReason,
)
from .models import AssistanceRequest


@transaction.atomic
def assistance_request_create(
    *,
    user,
    retiree: Retiree,
    kind: str,
    details: str = "",
    needed_by: datetime.date | None = None,
    contact=None,
) -> AssistanceRequest:
    """Open a request for a retiree in the user's scope, optionally from the contact that revealed it."""
    retiree = in_scope(Retiree.objects, user, retiree.pk)
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Requests are only opened for active retirees."))
    if contact is not None and contact.retiree_id != retiree.pk:
        raise ValidationError(_("The contact is about somebody else."))
    request = AssistanceRequest(
        retiree=retiree, contact=contact, kind=kind, details=details.strip(), needed_by=needed_by, created_by=user
    )
    request.full_clean(exclude=["created_by"])
    request.save()
    return request


@transaction.atomic
def assistance_request_from_retiree(*, retiree: Retiree, kind: str, details: str = "") -> AssistanceRequest:
    """ "我需要帮助" on the retiree's own page: open a request for their branch and alert at once.

    The caller (the selfservice page) has identified the retiree by their link; there is no user.
    The alert (branch secretary and office: in-app and email; the branch's group chat without any
    detail) is raised by `reminders` from `help_requested`, inside this transaction, once per request.
    """
    retiree = Retiree.objects.select_for_update().get(pk=retiree.pk)
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Requests are only opened for active retirees."))
    if kind not in SELF_REQUEST_KINDS:
        raise ValidationError({"kind": _("Choose what you need help with.")})
    details = (details or "").strip()
    if len(details) > SELF_REQUEST_TEXT_MAX:
        raise ValidationError(
            {"details": _("Please write at most %(count)s characters.") % {"count": SELF_REQUEST_TEXT_MAX}}
        )
    request = AssistanceRequest(retiree=retiree, kind=kind, details=details, from_retiree=True)
    request.full_clean(exclude=["created_by"])
    request.save()
    signals.help_requested.send(
        sender=AssistanceRequest, retiree=retiree, episode=f"help:{request.pk}", request=request
    )
    return request


@transaction.atomic
def assistance_request_from_contact(
    *, user, contact, kind: str, needed_by: datetime.date | None = None, details: str | None = None
) -> AssistanceRequest:
    """The one step from a contact that revealed a need: the request takes the contact's needs as its details."""
    contact = contact_in_scope(user=user, pk=contact.pk)
    return assistance_request_create(
        user=user,
        retiree=contact.retiree,
        kind=kind,
        details=contact.needs if details is None else details,
        needed_by=needed_by,
        contact=contact,
    )


@transaction.atomic
def assistance_request_assign(
    *, user, request: AssistanceRequest, assignee: User | None = None, volunteer=None
) -> AssistanceRequest:
    """Assign (or reassign) an unfinished request to a staff member or an active volunteer (office staff only)."""
    require_office(user)
    request = locked_in_scope(AssistanceRequest.objects, user, request.pk)
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))
    if (assignee is None) == (volunteer is None):
        raise ValidationError({"assignee": _("Choose one staff member or one volunteer.")})
    if assignee is not None and not may_serve(assignee, request.retiree):
        raise ValidationError({"assignee": _("This person cannot look after this retiree.")})
    if volunteer is not None and not volunteer_is_active(pk=volunteer.pk):
        raise ValidationError({"volunteer": _("This volunteer is not active.")})
    request.assigned_user = assignee
    request.assigned_volunteer = volunteer
    request.assigned_at = timezone.now()
    request.assigned_by = user
    request.status = AssistanceStatus.ASSIGNED
    request.full_clean(exclude=["created_by"])
    request.save()
    return request


@transaction.atomic
def assistance_request_complete(
    *,
    user,
    request: AssistanceRequest,
    outcome: str = "",
    dose_number: int | None = None,
    given_on: datetime.date | None = None,
    product: str = "",
    site: str = "",
    no_dose_reason: str = "",
    brought: str = "",
) -> AssistanceRequest:
    """Mark a request done with what it achieved, stamping when and by whom.

    A vaccination request (车接车送, 上门接种) closes with the dose given, recorded in the
    vaccination ledger in this same transaction (its notes and history name the request), or
    with the reason why no dose was given: exactly one. A medicine or parcel pickup closes with
    what was brought; any other request with its outcome, which is otherwise an optional note.
    Anything refused (a dose already recorded, a date in the future) writes nothing at all.
    """
    request = in_scope(AssistanceRequest.objects, user, request.pk)
    _check_unfinished(request)
    outcome, brought = (outcome or "").strip(), (brought or "").strip()
    dose = None
    if request.is_vaccination:
        _check_dose_or_reason(dose_number=dose_number, no_dose_reason=no_dose_reason, outcome=outcome)
        if dose_number is not None:
            dose = ledger_services.vaccination_dose_add(
                user=user,
                retiree=request.retiree,
                dose_number=dose_number,
                given_on=given_on,
                product=product,
                site=site,
                arrangement=DOSE_ARRANGEMENTS[request.kind],
                source=_("From assistance request No. %(number)s (%(kind)s)")
                % {"number": request.pk, "kind": request.get_kind_display()},
            )
    elif request.is_pickup:
        if not brought:
            raise ValidationError({"brought": _("Say what was brought before marking the request done.")})
    elif not outcome:
        raise ValidationError({"outcome": _("Say what was done before marking the request done.")})
    # Locked only once the dose is written: the lock also holds the retiree's row (the scope's
    # join), and a dose insert waiting on another transaction's same dose while holding it would
    # deadlock that transaction's commit (its foreign-key check needs the retiree's row). A request
    # closed meanwhile by somebody else refuses here, which rolls the dose back with the rest.
    request = locked_in_scope(AssistanceRequest.objects, user, request.pk)
    _check_unfinished(request)
    request.dose, request.no_dose_reason, request.brought = dose, no_dose_reason, brought
    request.status = AssistanceStatus.DONE
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.closed_by = user
    request._history_user = user  # read by django-simple-history (the web's middleware aside)
    request.full_clean(exclude=["created_by"])
    request.save()
    return request


def _check_unfinished(request: AssistanceRequest) -> None:
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))


def _check_dose_or_reason(*, dose_number: int | None, no_dose_reason: str, outcome: str) -> None:
    if (dose_number is None) == (not no_dose_reason):
        raise ValidationError(
            {"given": _("Say whether a dose was given: record the dose, or the reason why none was given.")}
        )
    if no_dose_reason and no_dose_reason not in NO_DOSE_REASONS_OFFERED:
        raise ValidationError({"no_dose_reason": _("Choose one of the reasons shown.")})
    if no_dose_reason == NoDoseReason.OTHER and not outcome:
        raise ValidationError({"outcome": _("Say in the notes why no dose was given.")})


@transaction.atomic
def assistance_request_cancel(*, user, request: AssistanceRequest, outcome: str = "") -> AssistanceRequest:
    """Cancel an unfinished request (the reason goes in the outcome); it stays on record."""
    request = locked_in_scope(AssistanceRequest.objects, user, request.pk)
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))
    request.status = AssistanceStatus.CANCELLED
    request.outcome = (outcome or "").strip()
    request.closed_at = timezone.now()
    request.closed_by = user
    request.save()
    return request
