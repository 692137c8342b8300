"""Writes for care plans. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import locked_in_scope, may_serve, require_office
from accounts.models import User
from checkins.choices import Channel
from checkins.services import checkin_state_set_cadence_override
from retirees.models import Retiree

from .models import CarePlan


@transaction.atomic
def care_plan_save(
    *,
    user,
    retiree: Retiree,
    responsible: User,
    review_on: datetime.date,
    cadence_days: int | None = None,
    self_checkins_count: bool = True,
    preferred_channel: str = Channel.PHONE,
    preferred_time: str = "",
    household_contacts=(),
    special_needs: str = "",
) -> CarePlan:
    """Create or update the retiree's care plan (office staff only) and feed its cadence to the schedule.

    Raises ValidationError (by field) for a review date in the past on a new plan (or moved into the
    past), a responsible person who may not look after this retiree, or a household contact of
    somebody else. The plan's cadence is copied to the check-in state in the same transaction.
    """
    require_office(user)
    retiree = locked_in_scope(Retiree.objects, user, retiree.pk)
    plan = CarePlan.objects.filter(retiree=retiree).select_for_update().first()
    creating = plan is None
    if creating:
        plan = CarePlan(retiree=retiree, created_by=user)
    today = timezone.localdate()
    errors = {}
    if review_on is None:
        errors["review_on"] = _("Give the date the plan is to be reviewed.")
    elif review_on < today and (creating or review_on != plan.review_on):
        errors["review_on"] = _("The review date cannot be in the past.")
    if not may_serve(responsible, retiree):
        errors["responsible"] = _("The responsible person must be office staff or a worker of the retiree's branch.")
    contacts = list(household_contacts)
    if any(contact.retiree_id != retiree.pk for contact in contacts):
        errors["household_contacts"] = _("Choose only this retiree's family and caregivers.")
    if errors:
        raise ValidationError(errors)
    if not creating and review_on > plan.review_on and plan.review_on <= today:
        plan.last_reviewed_on = today  # moving a due review date forward is the review
    plan.responsible = responsible
    plan.cadence_days = cadence_days
    plan.self_checkins_count = self_checkins_count
    plan.preferred_channel = preferred_channel
    plan.preferred_time = preferred_time.strip()
    plan.special_needs = special_needs.strip()
    plan.review_on = review_on
    plan.full_clean(exclude=["retiree", "created_by", "household_contacts"])
    plan.save()
    plan.household_contacts.set(contacts)
    # The one source of truth is the plan; the schedule reads the copy it keeps in the check-in state.
    checkin_state_set_cadence_override(
        user=user, retiree=retiree, cadence_days=cadence_days, self_checkins_count=self_checkins_count
    )
    return plan
