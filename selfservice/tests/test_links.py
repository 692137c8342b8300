"""Personal links: tokens, issuing and re-issuing, revoking, the support command."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from audit.models import AuditEvent
from selfservice import services
from selfservice.models import RetireeLink
from selfservice.selectors import surname


def test_token_is_long_random_and_stored_only_hashed(office, retiree_a):
    link = services.link_issue(user=office, retiree=retiree_a)
    token = services.link_token(link)
    assert len(token) >= 43
    assert retiree_a.name not in token
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = RetireeLink.objects.values_list("nonce", "token_hash").get(pk=link.pk)
    assert token not in stored
    assert services.link_find(token).retiree == retiree_a


def test_token_holds_no_id(office, retiree_a):
    tokens = {services.link_token(services.link_issue(user=office, retiree=retiree_a)) for _ in range(3)}
    assert len(tokens) == 3  # random each time, nothing derived from the retiree


def test_reissue_invalidates_the_old_link(office, retiree_a):
    old = services.link_token(services.link_issue(user=office, retiree=retiree_a))
    new = services.link_token(services.link_issue(user=office, retiree=retiree_a))
    assert services.link_find(old) is None
    assert services.link_find(new) is not None
    assert RetireeLink.objects.live().filter(retiree=retiree_a).count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_ISSUE, retiree=retiree_a).count() == 2


def test_revoke_stops_the_link(office, retiree_a):
    link = services.link_issue(user=office, retiree=retiree_a)
    token = services.link_token(link)
    services.link_revoke(user=office, link=link)
    assert services.link_find(token) is None
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_REVOKE).exists()


def test_only_office_staff_issue_or_revoke(office, secretary_a, retiree_a):
    with pytest.raises(PermissionDenied):
        services.link_issue(user=secretary_a, retiree=retiree_a)
    link = services.link_issue(user=office, retiree=retiree_a)
    with pytest.raises(PermissionDenied):
        services.link_revoke(user=secretary_a, link=link)


def test_a_link_of_a_retiree_who_left_does_not_work(office, retiree_a):
    token = services.link_token(services.link_issue(user=office, retiree=retiree_a))
    retiree_a.status = "moved"
    retiree_a.save()
    assert services.link_find(token) is None


def test_changed_secret_key_keeps_the_link_working_but_not_printable(settings, office, retiree_a):
    link = services.link_issue(user=office, retiree=retiree_a)
    token = services.link_token(link)
    settings.SECRET_KEY = "another-secret-key-for-this-test-0123456789"
    assert services.link_find(token) is not None
    with pytest.raises(services.LinkNotPrintable):
        services.link_token(link)


def test_rate_limit_counts_posts_per_link(settings, office, retiree_a):
    settings.OUTREACH_LINK_POSTS_PER_HOUR = 3
    link = services.link_issue(user=office, retiree=retiree_a)
    assert [services.link_post_allowed(link=link) for _ in range(4)] == [True, True, True, False]


def test_command_prints_the_current_link_as_its_last_line(office, retiree_a):
    out = io.StringIO()
    call_command("retiree_link", "--retiree", str(retiree_a.pk), stdout=out)
    first = out.getvalue().strip().splitlines()[-1]
    assert first.startswith("http") and "/r/" in first
    out = io.StringIO()
    call_command("retiree_link", "--retiree", str(retiree_a.pk), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == first  # the same link, not a new one
    token = first.rstrip("/").rsplit("/", 1)[-1]
    assert services.link_find(token).retiree == retiree_a
    assert AuditEvent.objects.filter(action=AuditEvent.Action.LINK_ISSUE).count() == 1


def test_command_refuses_an_unknown_retiree(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("retiree_link", "--retiree", "999999")


def test_salutation_is_the_surname_only():
    assert surname("王建国") == "王"
    assert surname("欧阳明") == "欧阳"
