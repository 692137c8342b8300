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
from retirees.choices import Status
from retirees.models import Retiree
from volunteers.selectors import volunteer_is_active

from .choices import AssistanceStatus
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
def assistance_request_complete(*, user, request: AssistanceRequest, outcome: str) -> AssistanceRequest:
    """Mark a request done with its outcome (required), stamping when and by whom."""
    request = locked_in_scope(AssistanceRequest.objects, user, request.pk)
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("Say what was done before marking the request done.")})
    request.status = AssistanceStatus.DONE
    request.outcome = outcome
    request.closed_at = timezone.now()
    request.closed_by = user
    request.full_clean(exclude=["created_by"])
    request.save()
    return request


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
