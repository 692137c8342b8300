"""Writes for visits and visit campaigns. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import in_scope, require_office
from core.addressing import EVERYBODY, Audience, address, audience_fields
from retirees.models import Retiree

from .choices import VisitStatus
from .models import Visit, VisitCampaign


@transaction.atomic
def visit_save(*, user, visit: Visit, visitors=()) -> Visit:
    """Plan or record a visit to a retiree in the user's scope, with the staff who went."""
    in_scope(Retiree.objects, user, visit.retiree_id)
    if visit.created_by_id is None:
        visit.created_by = user
    if visit.campaign_id and not VisitCampaign.objects.visible_to(user).filter(pk=visit.campaign_id).exists():
        raise ValidationError({"campaign": _("This campaign is not open to this branch.")})
    if visit.status == VisitStatus.DONE and visit.visited_on and visit.visited_on > timezone.localdate():
        raise ValidationError({"visited_on": _("A visit that took place cannot be in the future.")})
    visit.full_clean(exclude=["created_by"])
    visit.save()
    visit.visitors.set(visitors)
    return visit


@transaction.atomic
def visit_campaign_create(
    *,
    user,
    title: str,
    kind: str,
    target: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    audience: Audience = EVERYBODY,
) -> VisitCampaign:
    """Open a visit campaign for everybody or for some branches and areas (office staff only)."""
    require_office(user)
    campaign = VisitCampaign(
        title=title.strip(),
        kind=kind,
        target=target,
        starts_on=starts_on,
        ends_on=ends_on,
        created_by=user,
        **audience_fields(audience, user=user, model=VisitCampaign),
    )
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    address(campaign, audience)
    return campaign
