"""Writes for meetings and invitations. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime

from django.db import transaction

from accounts.access import locked_in_scope, require_office
from branches.models import Branch
from core.addressing import address, check_addressees, fan_out
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
    branches: list[Branch] | None = None,
) -> Meeting:
    """Announce a meeting and invite every active retiree of its branches (office staff only)."""
    require_office(user)
    meeting = Meeting(
        title=title.strip(),
        kind=kind,
        mode=mode,
        starts_at=starts_at,
        place=place.strip(),
        notes=notes.strip(),
        all_branches=branches is None,
        created_by=user,
    )
    check_addressees(branches)
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    address(meeting, branches)
    fan_out(meeting, recipients=Retiree.objects.active(), row=lambda pk: Invitation(meeting=meeting, retiree_id=pk))
    return meeting


@transaction.atomic
def invitation_record(*, user, invitation: Invitation, attended: bool | None) -> Invitation:
    """Record whether an invited retiree in the user's scope attended (None: not known yet)."""
    invitation = locked_in_scope(Invitation.objects, user, invitation.pk)
    invitation.attended = attended
    invitation.recorded_by = user
    invitation.save(update_fields=["attended", "recorded_by"])
    return invitation
