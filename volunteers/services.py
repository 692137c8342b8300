"""Writes for volunteers and the patrol roster. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import in_scope, require_office
from retirees.models import Retiree

from .models import PatrolAssignment, PatrolShift, Volunteer


@transaction.atomic
def volunteer_save(*, user, volunteer: Volunteer) -> Volunteer:
    """Mark a retiree in the user's scope as a volunteer, or update their areas and skills."""
    in_scope(Retiree.objects, user, volunteer.retiree_id)
    volunteer.full_clean()
    volunteer.save()
    return volunteer


@transaction.atomic
def patrol_shift_save(*, user, shift: PatrolShift) -> PatrolShift:
    """Create or update a patrol shift (office staff only); a shift ending before it starts is refused."""
    require_office(user)
    if shift.created_by_id is None:
        shift.created_by = user
    if shift.starts_at and shift.ends_at and shift.ends_at <= shift.starts_at:
        raise ValidationError({"ends_at": _("A shift must end after it starts.")})
    shift.full_clean(exclude=["created_by"])
    shift.save()
    return shift


@transaction.atomic
def patrol_assign(*, user, shift: PatrolShift, volunteer: Volunteer) -> PatrolAssignment:
    """Put a volunteer on a shift (office staff only).

    The volunteer's row is locked first, so that two assignments made at once cannot both pass the
    overlap check: a volunteer is never on two shifts that overlap in time.
    """
    require_office(user)
    try:
        volunteer = Volunteer.objects.visible_to(user).active().select_for_update().get(pk=volunteer.pk)
    except Volunteer.DoesNotExist:
        raise ValidationError({"volunteer": _("This volunteer is not active.")}) from None
    shift = PatrolShift.objects.select_for_update().get(pk=shift.pk)
    if not volunteer.patrols(shift.area):
        raise ValidationError({"volunteer": _("This volunteer does not patrol this area.")})
    clash = (
        PatrolAssignment.objects.filter(
            volunteer=volunteer,
            shift__date=shift.date,
            shift__starts_at__lt=shift.ends_at,
            shift__ends_at__gt=shift.starts_at,
        )
        .select_related("shift")
        .first()
    )
    if clash is not None:
        raise ValidationError(
            {
                "volunteer": _("%(name)s is already on the shift %(shift)s, which overlaps this one.")
                % {"name": volunteer, "shift": clash.shift}
            }
        )
    return PatrolAssignment.objects.create(shift=shift, volunteer=volunteer, assigned_by=user)


@transaction.atomic
def patrol_unassign(*, user, assignment: PatrolAssignment) -> None:
    """Take a volunteer off a shift (office staff only)."""
    require_office(user)
    PatrolAssignment.objects.visible_to(user).filter(pk=assignment.pk).delete()
