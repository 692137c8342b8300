"""Writes for the retirees' own page (随时求助): issuing and revoking personal links, and what a
retiree does on their page, each through the service of the app it belongs to (a self check-in
and a call-back request in `checkins`, a help request in `assistance`, "我已阅读" in `notices`).

Every use of a link is in the audit log (`AuditEvent.Action.LINK_USE`, with what was done) and
counted on the link; posts are rate limited per link (OUTREACH_LINK_POSTS_PER_HOUR) in the
database, so the limit holds without Redis.
"""

import base64
import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.access import locked_in_scope, require_office
from assistance import services as assistance_services
from audit.models import AuditEvent
from audit.services import audit_record
from checkins import services as checkin_services
from notices import services as notice_services
from retirees.choices import Status
from retirees.models import Retiree

from .models import RetireeLink

TOKEN_SALT = "outreach.selfservice.link"
RATE_WINDOW = datetime.timedelta(hours=1)


class LinkNotPrintable(Exception):
    """The link's token cannot be rebuilt (the server's secret key changed since it was issued):
    the printed link still works, but printing it again needs a new one."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_token(link: RetireeLink) -> str:
    """The link's token: 43 URL-safe characters, the HMAC-SHA256 of its random nonce under the
    server's secret key (no id, no name). Raises LinkNotPrintable when it no longer matches."""
    digest = salted_hmac(TOKEN_SALT, link.nonce, algorithm="sha256").digest()
    token = base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")
    if _hash(token) != link.token_hash:
        raise LinkNotPrintable(link.pk)
    return token


def link_url(link: RetireeLink) -> str:
    """The full address printed on the card and in the QR code (OUTREACH_PUBLIC_URL)."""
    return settings.OUTREACH_PUBLIC_URL + reverse("selfservice:page", args=[link_token(link)])


def _new_link(*, retiree: Retiree, user) -> RetireeLink:
    nonce = secrets.token_hex(32)
    link = RetireeLink(retiree=retiree, nonce=nonce, issued_by=user)
    digest = salted_hmac(TOKEN_SALT, nonce, algorithm="sha256").digest()
    link.token_hash = _hash(base64.urlsafe_b64encode(digest).decode("ascii").rstrip("="))
    link.save()
    return link


def _issue(*, retiree: Retiree, user, request=None, via: str = "") -> RetireeLink:
    """Revoke the retiree's live link, if any, and issue a new one (call in a transaction, retiree locked)."""
    if retiree.status != Status.ACTIVE:
        raise ValidationError(_("Links are only issued for active retirees."))
    now = timezone.now()
    replaced = list(RetireeLink.objects.live().filter(retiree=retiree).values_list("pk", flat=True))
    RetireeLink.objects.filter(pk__in=replaced).update(revoked_at=now, revoked_by=user)
    link = _new_link(retiree=retiree, user=user)
    detail = {"link": link.pk, "replaced": replaced}
    if via:
        detail["via"] = via
        if user is None:
            detail["username"] = via
    audit_record(action=AuditEvent.Action.LINK_ISSUE, request=request, user=user, retiree=retiree, **detail)
    return link


@transaction.atomic
def link_issue(*, user, retiree: Retiree, request=None) -> RetireeLink:
    """Issue a retiree's personal link (office staff); a live one is revoked in the same step, so
    the old printed link stops working at once."""
    require_office(user)
    retiree = locked_in_scope(Retiree, user, retiree.pk)
    return _issue(retiree=retiree, user=user, request=request)


@transaction.atomic
def links_issue_missing(*, user, retirees, request=None) -> int:
    """Issue a link to each active retiree of `retirees` in the user's scope who has none (office
    staff), before printing a branch's cards. Returns how many were issued."""
    require_office(user)
    ids = list(
        retirees.filter(status=Status.ACTIVE)
        .exclude(pk__in=RetireeLink.objects.live().values("retiree_id"))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        _issue(retiree=locked_in_scope(Retiree, user, pk), user=user, request=request)
    return len(ids)


@transaction.atomic
def link_current_or_issue(*, retiree: Retiree, via: str) -> RetireeLink:
    """The retiree's live link, or a new one when there is none or it cannot be printed again (the
    support command, run by somebody with the server's shell: no user, `via` names it in the audit)."""
    retiree = Retiree.objects.select_for_update().get(pk=retiree.pk)
    link = RetireeLink.objects.live().filter(retiree=retiree).first()
    if link is not None:
        try:
            link_token(link)
            return link
        except LinkNotPrintable:
            pass
    return _issue(retiree=retiree, user=None, via=via)


@transaction.atomic
def link_revoke(*, user, link: RetireeLink, request=None) -> RetireeLink:
    """Revoke a personal link (office staff): it stops working at once. Idempotent."""
    require_office(user)
    link = locked_in_scope(RetireeLink, user, link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(
            action=AuditEvent.Action.LINK_REVOKE, request=request, user=user, retiree=link.retiree, link=link.pk
        )
    return link


def link_find(token: str) -> RetireeLink | None:
    """The live link of an active retiree whose token this is, with the retiree; None otherwise
    (a wrong, revoked or replaced token, or a retiree no longer active: all look the same)."""
    if not token or len(token) > 100:
        return None
    return (
        RetireeLink.objects.live()
        .filter(token_hash=_hash(token), retiree__status=Status.ACTIVE)
        .select_related("retiree")
        .first()
    )


def link_post_allowed(*, link: RetireeLink, now: datetime.datetime | None = None) -> bool:
    """Count one post against the link's hourly limit; False when the limit is reached.

    In its own transaction, so that a refused or failed action still counts; the row lock makes
    two posts at once count twice, never once."""
    now = now or timezone.now()
    limit = settings.OUTREACH_LINK_POSTS_PER_HOUR
    with transaction.atomic():
        locked = RetireeLink.objects.select_for_update().get(pk=link.pk)
        if locked.window_started_at is None or now - locked.window_started_at >= RATE_WINDOW:
            locked.window_started_at, locked.window_posts = now, 0
        if locked.window_posts >= limit:
            locked.save(update_fields=["window_started_at", "window_posts"])
            return False
        locked.window_posts += 1
        locked.save(update_fields=["window_started_at", "window_posts"])
        return True


def link_use_record(*, link: RetireeLink, what: str, request=None, **detail) -> None:
    """Note one use of the link: on the link (last use, count) and in the audit log."""
    RetireeLink.objects.filter(pk=link.pk).update(last_used_at=timezone.now(), uses=F("uses") + 1)
    audit_record(
        action=AuditEvent.Action.LINK_USE,
        request=request,
        user=None,
        retiree=link.retiree,
        username=str(_("the retiree's own page")),
        link=link.pk,
        what=what,
        **detail,
    )


@transaction.atomic
def link_checkin(*, link: RetireeLink, request=None):
    """ "我很好": a self check-in."""
    contact = checkin_services.self_checkin_record(retiree=link.retiree)
    link_use_record(link=link, what="checkin", request=request, contact=contact.pk)
    return contact


@transaction.atomic
def link_help(*, link: RetireeLink, kind: str, details: str = "", request=None):
    """ "我需要帮助": an assistance request for the branch, the secretary alerted at once."""
    help_request = assistance_services.assistance_request_from_retiree(retiree=link.retiree, kind=kind, details=details)
    link_use_record(link=link, what="help", request=request, request_id=help_request.pk, kind=kind)
    return help_request


@transaction.atomic
def link_callback(*, link: RetireeLink, request=None):
    """ "请给我回电话": the retiree goes to the top of their branch's call list until somebody calls."""
    callback = checkin_services.callback_request(retiree=link.retiree)
    link_use_record(link=link, what="callback", request=request, callback=callback.pk)
    return callback


@transaction.atomic
def link_notice_read(*, link: RetireeLink, delivery_id: int, request=None):
    """ "我已阅读": the notice acknowledged for this retiree (PermissionDenied for anybody else's)."""
    delivery = notice_services.notice_acknowledge_by_retiree(retiree=link.retiree, delivery_id=delivery_id)
    link_use_record(link=link, what="read", request=request, delivery=delivery.pk)
    return delivery


def links_export_record(*, user, request, what: str, count: int, branch=None) -> None:
    """Printing or downloading links hands out working links: logged like an export."""
    audit_record(
        action=AuditEvent.Action.LINK_EXPORT,
        request=request,
        user=user,
        what=what,
        count=count,
        branch=branch.pk if branch is not None else None,
    )
