"""Writes for care and services. Views, forms and the admin call these; each runs in a transaction.

Every service fetches the rows it changes again through `visible_to(user)` (PermissionDenied when
outside the user's scope) and validates before saving, so that bad input saves nothing.
"""

import datetime
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import locked_in_scope, may_serve, require_office
from accounts.models import User
from branches.models import Branch
from checkins.models import ContactLog
from checkins.services import checkin_state_set_cadence_override
from core.uploads import DOCX, JPEG, PDF, PNG, XLSX, check_upload
from retirees.choices import Status
from retirees.models import Retiree

from .choices import AssistanceStatus, DeliveryMethod
from .models import (
    AssistanceRequest,
    CarePlan,
    Invitation,
    Meeting,
    Notice,
    NoticeDelivery,
    PatrolAssignment,
    PatrolShift,
    Visit,
    VisitCampaign,
    Volunteer,
)

# What a notice may carry: documents and pictures, checked by their content (core.uploads).
ATTACHMENT_KINDS = (PDF, DOCX, XLSX, PNG, JPEG)


def _visible_retiree(*, user, retiree: Retiree) -> Retiree:
    try:
        return Retiree.objects.visible_to(user).get(pk=retiree.pk)
    except Retiree.DoesNotExist:
        raise PermissionDenied("The retiree is outside the user's scope.") from None


def _today() -> datetime.date:
    return timezone.localdate()


# --- Care plans ---------------------------------------------------------------------------------


@transaction.atomic
def care_plan_save(
    *,
    user,
    retiree: Retiree,
    responsible: User,
    review_on: datetime.date,
    cadence_days: int | None = None,
    preferred_channel: str = "phone",
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
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    plan = CarePlan.objects.filter(retiree=retiree).select_for_update().first()
    creating = plan is None
    if creating:
        plan = CarePlan(retiree=retiree, created_by=user)
    today = _today()
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
    plan.preferred_channel = preferred_channel
    plan.preferred_time = preferred_time.strip()
    plan.special_needs = special_needs.strip()
    plan.review_on = review_on
    plan.full_clean(exclude=["retiree", "created_by", "household_contacts"])
    plan.save()
    plan.household_contacts.set(contacts)
    # The one source of truth is the plan; the schedule reads the copy it keeps in the check-in state.
    checkin_state_set_cadence_override(user=user, retiree=retiree, cadence_days=cadence_days)
    return plan


@transaction.atomic
def care_plan_mark_reviewed(*, user, plan: CarePlan, next_review_on: datetime.date) -> CarePlan:
    """Record that the plan was reviewed today and when to review it next (a future date)."""
    require_office(user)
    plan = locked_in_scope(CarePlan, user, plan.pk)
    today = _today()
    if next_review_on is None or next_review_on <= today:
        raise ValidationError({"review_on": _("The next review must be after today.")})
    plan.last_reviewed_on = today
    plan.review_on = next_review_on
    plan.save()
    return plan


# --- Assistance requests ---------------------------------------------------------------------------


@transaction.atomic
def assistance_request_create(
    *,
    user,
    retiree: Retiree,
    kind: str,
    details: str = "",
    needed_by: datetime.date | None = None,
    contact: ContactLog | None = None,
) -> AssistanceRequest:
    """Open a request for a retiree in the user's scope, optionally from the contact that revealed it."""
    retiree = _visible_retiree(user=user, retiree=retiree)
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
    *, user, contact: ContactLog, kind: str, needed_by: datetime.date | None = None, details: str | None = None
) -> AssistanceRequest:
    """The one step from a contact that revealed a need: the request takes the contact's needs as its details."""
    try:
        contact = ContactLog.objects.visible_to(user).select_related("retiree").get(pk=contact.pk)
    except ContactLog.DoesNotExist:
        raise PermissionDenied("The contact is outside the user's scope.") from None
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
    *, user, request: AssistanceRequest, assignee: User | None = None, volunteer: Volunteer | None = None
) -> AssistanceRequest:
    """Assign (or reassign) an unfinished request to a staff member or an active volunteer (office staff only)."""
    require_office(user)
    request = locked_in_scope(AssistanceRequest, user, request.pk)
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))
    if (assignee is None) == (volunteer is None):
        raise ValidationError({"assignee": _("Choose one staff member or one volunteer.")})
    if assignee is not None and not may_serve(assignee, request.retiree):
        raise ValidationError({"assignee": _("This person cannot look after this retiree.")})
    if volunteer is not None and not Volunteer.objects.active().filter(pk=volunteer.pk).exists():
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
    request = locked_in_scope(AssistanceRequest, user, request.pk)
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
    request = locked_in_scope(AssistanceRequest, user, request.pk)
    if request.is_closed:
        raise ValidationError(_("This request is already closed."))
    request.status = AssistanceStatus.CANCELLED
    request.outcome = (outcome or "").strip()
    request.closed_at = timezone.now()
    request.closed_by = user
    request.save()
    return request


# --- Volunteers and the roster -------------------------------------------------------------------


@transaction.atomic
def volunteer_save(*, user, volunteer: Volunteer) -> Volunteer:
    """Mark a retiree in the user's scope as a volunteer, or update their areas and skills."""
    _visible_retiree(user=user, retiree=volunteer.retiree)
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
        volunteer = locked_in_scope(Volunteer.objects.active(), user, volunteer.pk)
    except PermissionDenied:
        raise ValidationError({"volunteer": _("This volunteer is not active.")}) from None
    shift = locked_in_scope(PatrolShift, user, shift.pk)
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


# --- Notices ---------------------------------------------------------------------------------------


@transaction.atomic
def notice_publish(
    *,
    user,
    title: str,
    body: str,
    attachment=None,
    branches: list[Branch] | None = None,
    published_at: datetime.datetime | None = None,
) -> Notice:
    """Publish a notice to every branch (`branches` None) or to some (office staff only).

    The attachment is checked by size and by content (not by its name) and stored under a random
    name; one delivery row is created for each active retiree addressed. Bad input saves nothing.
    """
    require_office(user)
    notice = Notice(
        title=title.strip(),
        body=body.strip(),
        all_branches=branches is None,
        published_at=published_at or timezone.now(),
        published_by=user,
    )
    if branches is not None and not branches:
        raise ValidationError({"branches": _("Choose at least one branch, or all branches.")})
    if attachment is not None:
        try:
            kind = check_upload(
                attachment, accept=ATTACHMENT_KINDS, max_bytes=settings.OUTREACH_ATTACHMENT_MAX_MB * 1024 * 1024
            )
        except ValidationError as error:
            raise ValidationError({"attachment": error.messages}) from None
        notice.attachment_name = PurePosixPath(attachment.name).name[:150]
        notice.attachment_type = kind.content_type
        attachment.name = f"upload.{kind.extension}"  # the stored name is random; its extension follows the content
        notice.attachment = attachment
    notice.full_clean(exclude=["published_by", "attachment"])
    notice.save()
    scope = Branch.objects.all() if branches is None else branches
    if branches is not None:
        notice.branches.set(scope)
    retirees = Retiree.objects.active().filter(branch__in=scope).values_list("pk", flat=True)
    NoticeDelivery.objects.bulk_create(
        [NoticeDelivery(notice=notice, retiree_id=pk) for pk in retirees.iterator(chunk_size=1000)], batch_size=1000
    )
    return notice


@transaction.atomic
def notice_delivery_mark(
    *, user, notice: Notice, retiree: Retiree, method: str = DeliveryMethod.PHONE, acknowledged: bool = False
) -> NoticeDelivery:
    """Record that a notice reached a retiree (how, now), and optionally that they acknowledged it.

    Idempotent: a delivery keeps its first time; acknowledging implies delivering.
    """
    retiree = _visible_retiree(user=user, retiree=retiree)
    try:
        delivery = (
            NoticeDelivery.objects.visible_to(user)
            .select_for_update()
            .get(notice__in=Notice.objects.visible_to(user), notice=notice, retiree=retiree)
        )
    except NoticeDelivery.DoesNotExist:
        raise PermissionDenied("This notice is not addressed to this retiree.") from None
    if method not in DeliveryMethod.values:
        raise ValidationError({"method": _("Unknown delivery method.")})
    now = timezone.now()
    if delivery.delivered_at is None:
        delivery.delivered_at = now
        delivery.method = method
        delivery.delivered_by = user
    if acknowledged and delivery.acknowledged_at is None:
        delivery.acknowledged_at = now
    delivery.full_clean(exclude=["delivered_by"])
    delivery.save()
    return delivery


# --- Visits and campaigns ---------------------------------------------------------------------------


@transaction.atomic
def visit_save(*, user, visit: Visit, visitors=()) -> Visit:
    """Plan or record a visit to a retiree in the user's scope, with the staff who went."""
    _visible_retiree(user=user, retiree=visit.retiree)
    if visit.created_by_id is None:
        visit.created_by = user
    if visit.campaign_id and not VisitCampaign.objects.visible_to(user).filter(pk=visit.campaign_id).exists():
        raise ValidationError({"campaign": _("This campaign is not open to this branch.")})
    if visit.status == "done" and visit.visited_on and visit.visited_on > _today():
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
    branches: list[Branch] | None = None,
) -> VisitCampaign:
    """Open a visit campaign for every branch (`branches` None) or some (office staff only)."""
    require_office(user)
    campaign = VisitCampaign(
        title=title.strip(),
        kind=kind,
        target=target,
        starts_on=starts_on,
        ends_on=ends_on,
        all_branches=branches is None,
        created_by=user,
    )
    if branches is not None and not branches:
        raise ValidationError({"branches": _("Choose at least one branch, or all branches.")})
    campaign.full_clean(exclude=["created_by"])
    campaign.save()
    if branches is not None:
        campaign.branches.set(branches)
    return campaign


# --- Meetings ------------------------------------------------------------------------------------------


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
    if branches is not None and not branches:
        raise ValidationError({"branches": _("Choose at least one branch, or all branches.")})
    meeting.full_clean(exclude=["created_by"])
    meeting.save()
    scope = Branch.objects.all() if branches is None else branches
    if branches is not None:
        meeting.branches.set(scope)
    retirees = Retiree.objects.active().filter(branch__in=scope).values_list("pk", flat=True)
    Invitation.objects.bulk_create(
        [Invitation(meeting=meeting, retiree_id=pk) for pk in retirees.iterator(chunk_size=1000)], batch_size=1000
    )
    return meeting


@transaction.atomic
def invitation_record(*, user, invitation: Invitation, attended: bool | None) -> Invitation:
    """Record whether an invited retiree in the user's scope attended (None: not known yet)."""
    invitation = locked_in_scope(Invitation, user, invitation.pk)
    invitation.attended = attended
    invitation.recorded_by = user
    invitation.save(update_fields=["attended", "recorded_by"])
    return invitation
