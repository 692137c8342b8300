"""Writes for meetings and invitations. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.access import locked_in_scope, may_call_meeting
from core.addressing import EVERYBODY, Audience, address, audience_fields, fan_out
from retirees.models import Retiree

from .models import Invitation, Meeting


@transaction.atomic
def meeting_create(
    *,
    user,
    title: str,
    kind: str,
    mode: str,
    starts_at: datetime.datetime,
    place: str = "",
    notes: str = "",
    audience: Audience = EVERYBODY,
) -> Meeting:
    """Announce a meeting and invite every active retiree of its audience, each once.

    Office staff invite anybody; a branch secretary invites their own branch's retirees only
    (`core.addressing`: whatever areas they choose, the meeting stays within their branch).
    """
    if not may_call_meeting(user):
        raise PermissionDenied("Only office staff and branch secretaries call meetings.")
    meeting = Meeting(
        title=title.strip(),
        kind=kind,
        mode=mode,
        starts_at=starts_at,
        place=place.strip(),
        notes=notes.strip(),
        created_by=user,
        **audience_fields(audience, user=user, model=Meeting),
    )
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    address(meeting, audience)
    fan_out(
        meeting,
        user=user,
        recipients=Retiree.objects.active(),
        row=lambda pk: Invitation(meeting=meeting, retiree_id=pk),
    )
    return meeting


@transaction.atomic
def invitation_record(*, user, invitation: Invitation, attended: bool | None) -> Invitation:
    """Record whether an invited retiree in the user's scope attended (None: not known yet)."""
    invitation = locked_in_scope(Invitation.objects, user, invitation.pk)
    invitation.attended = attended
    invitation.recorded_by = user
    invitation.save(update_fields=["attended", "recorded_by"])
    return invitation
