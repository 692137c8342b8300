"""Walk every URL in the URL configuration as every persona.

A new URL is checked automatically; one whose parameters this test cannot fill fails until it
is added to OBJECT_URLS, so nothing reaches production unchecked.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# URLs anybody may open. The retiree's own page takes a token instead of a login: it is walked by
# selfservice/tests (a wrong or revoked token is a 404, whoever asks).
PUBLIC = {
    "login",
    "set_language",
    "logout",
    "selfservice:page",
    "selfservice:checkin",
    "selfservice:help",
    "selfservice:callback",
    "selfservice:notice",
    "selfservice:notice_read",
    "selfservice:notice_file",
}
# Office-only pages: a branch worker gets 403 before any object is fetched (nothing is revealed).
OFFICE_ONLY = {
    "retirees:create",
    "retirees:history",
    "retirees:personal_data",
    "reminders:holidays",
    "reminders:holiday_delete",
    "reminders:holidays_refresh",
    "two_factor_setup",
    "volunteers:shift_create",
    "volunteers:shift_edit",
    "notices:notice_create",
    "visits:campaign_create",
    "visits:festival_dismiss",
    "ledgers:signoff_changes_export",
    "ledgers:signoff_snapshot_export",
    "setup",
    "accounts:user_list",
    "accounts:user_create",
    "accounts:user_edit",
    "accounts:user_password_reset",
    "accounts:user_set_active",
    "accounts:user_two_factor_reset",
    "accounts:user_import",
    "accounts:user_import_confirm",
    "accounts:user_import_template",
    "ledgers:import_upload",
    "ledgers:import_progress",
    "ledgers:import_map",
    "ledgers:import_confirm",
    "reports:list",
    "reports:detail",
    "reports:pdf",
    "reports:xlsx",
    "selfservice:link_list",
    "selfservice:link_print",
    "selfservice:links_issue_missing",
    "selfservice:link_issue",
    "selfservice:link_revoke",
}
# What a branch worker's role may not do, even on their own branch's objects (403 after the
# object was found in scope: office staff decide exemptions, close rounds, set cadences, plan care
# and assign help).
_OFFICE_ACTIONS = {
    "checkins:round_close",
    "checkins:exemption_decide",
    "checkins:exemption_revoke",
    "checkins:policy_edit",
    "care:plan_edit",
    "assistance:request_assign",
}
# A secretary requests exemptions and lifts attention for their branch's retirees; a committee member does neither.
BRANCH_REFUSED = {
    "secretary_a": _OFFICE_ACTIONS,
    "committee_a": _OFFICE_ACTIONS | {"checkins:exemption_create", "checkins:attention_lift"},
}
# Actions that only take POST: a GET is 405 for everybody.
POST_ONLY = {
    "reminders:read_all",
    "reminders:holiday_delete",
    "reminders:holidays_refresh",
    "retirees:reveal",
    "notices:notice_deliver",
    "accounts:user_password_reset",
    "accounts:user_set_active",
    "accounts:user_two_factor_reset",
    "visits:festival_dismiss",
    "ledgers:import_map",
    "ledgers:import_confirm",
    "selfservice:links_issue_missing",
    "selfservice:link_issue",
    "selfservice:link_revoke",
}
# Other URL parameters than <pk>.
EXTRA_KWARGS = {
    "retirees:reveal": {"field": "phone"},
    "ledgers:signoff_changes_export": {"file_format": "xlsx"},
    "ledgers:signoff_snapshot_export": {"ledger": "vaccination", "file_format": "csv"},
}
# URL name -> which persona object fills its <pk>.
OBJECT_URLS = {
    "retirees:history": "retiree",
    "retirees:personal_data": "retiree",
    "retirees:reveal": "retiree",
    "branches:reminders": "branch",
    "reminders:detail": "notification",
    "reminders:holiday_delete": "holiday",
    "retirees:detail": "retiree",
    "retirees:edit": "retiree",
    "branches:detail": "branch",
    "checkins:quick_log": "retiree",
    "checkins:contact_create": "retiree",
    "checkins:contact_history": "retiree",
    "checkins:contact_findings": "retiree",
    "checkins:attention_lift": "attention",
    "checkins:exemption_create": "retiree",
    "checkins:round_confirm": "retiree",
    "checkins:follow_up_done": "contact",
    "checkins:contact_saved": "contact",
    "checkins:exemption_decide": "exemption",
    "checkins:exemption_revoke": "exemption",
    "checkins:round_detail": "round",
    "checkins:round_close": "round",
    "checkins:round_summary": "round",
    "checkins:policy_edit": "policy",
    "ledgers:retiree": "retiree",
    "ledgers:dose_add": "retiree",
    "ledgers:stance_add": "retiree",
    "ledgers:test_add": "retiree",
    "ledgers:exposure_add": "retiree",
    "ledgers:exposure_lift": "retiree",
    "ledgers:health_add": "retiree",
    "ledgers:signoff_round": "round",
    "ledgers:signoff_detail": "signoff",
    "ledgers:signoff_changes_export": "signoff",
    "ledgers:signoff_snapshot_export": "signoff",
    "care:plan_edit": "retiree",
    "assistance:request_create": "retiree",
    "volunteers:volunteer_create": "retiree",
    "visits:visit_create": "retiree",
    "assistance:request_from_contact": "contact",
    "assistance:request_detail": "request",
    "assistance:request_assign": "request",
    "assistance:request_complete": "request",
    "assistance:request_cancel": "request",
    "volunteers:volunteer_edit": "volunteer",
    "volunteers:shift_edit": "shift",
    "notices:notice_detail": "notice",
    "notices:notice_attachment": "notice",
    "notices:notice_deliver": "notice",
    "visits:visit_edit": "visit",
    "visits:campaign_detail": "campaign",
    "meetings:meeting_detail": "meeting",
    "accounts:user_edit": "member",
    "accounts:user_password_reset": "member",
    "accounts:user_set_active": "member",
    "accounts:user_two_factor_reset": "member",
    # An upload is its uploader's alone (nobody else's, whatever their role).
    "ledgers:import_upload": "upload",
    "ledgers:import_progress": "upload",
    "ledgers:import_map": "upload",
    "ledgers:import_confirm": "upload",
    # The office's weekly report (office staff only, whoever's branch).
    "reports:detail": "report",
    "reports:pdf": "report",
    "reports:xlsx": "report",
    "selfservice:link_issue": "retiree",
    "selfservice:link_revoke": "link",
}
# Further objects that fill the same <pk>: every URL taking a round or a sign-off is walked with a
# closed round and its sign-off too, whose pages read the counts frozen at closing.
VARIANTS = {"round": "closed_round", "signoff": "closed_signoff"}


def walk(patterns=None, namespace=None):
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin site is checked on its own below
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, f"{namespace}:{ns}" if namespace and entry.namespace else ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


ALL_URLS = sorted(dict(walk()).items())


def url_for(name, pattern, objects):
    params = list(pattern.pattern.regex.groupindex)
    if not params:
        return reverse(name)
    if "token" in params:  # the retiree's own page: their link's token, and one of their notices
        kwargs = {"token": objects["link_token"]}
        if "pk" in params:
            kwargs["pk"] = objects["delivery"].pk
        return reverse(name, kwargs=kwargs)
    if name not in OBJECT_URLS:
        pytest.fail(f"{name} takes {params}: add it to OBJECT_URLS so that its scoping is checked")
    return reverse(name, kwargs={"pk": objects[OBJECT_URLS[name]].pk, **EXTRA_KWARGS.get(name, {})})


def urls_for(name, pattern, objects):
    """The URL as url_for fills it, and once more for each variant of its object in `objects`."""
    urls = [url_for(name, pattern, objects)]
    kind = OBJECT_URLS.get(name)
    if VARIANTS.get(kind) in objects:
        urls.append(url_for(name, pattern, {**objects, kind: objects[VARIANTS[kind]]}))
    return urls


def _signoff(secretary, checkin_round):
    """The branch's sign-off of the open round, and a closed round signed off before closing."""
    from accounts.models import User
    from checkins.models import CheckinRound
    from checkins.services import round_close
    from ledgers.signoffs import ledger_signoff

    closer = User.objects.create(username=f"closer{secretary.pk}", role=User.Role.OFFICE)  # no password hashing
    closed = CheckinRound.objects.create(
        title=f"已结束 {secretary.branch.short_name}",
        starts_on=checkin_round.starts_on,
        ends_on=checkin_round.ends_on,
        all_branches=False,
        created_by=closer,
    )
    closed.branches.set([secretary.branch])
    closed_signoff = ledger_signoff(user=secretary, checkin_round=closed)
    return {
        "signoff": ledger_signoff(user=secretary, checkin_round=checkin_round),
        "closed_round": round_close(user=closer, checkin_round=closed, summary="全覆盖"),
        "closed_signoff": closed_signoff,
    }


def _personal(user, retiree):
    """Objects that belong to a person rather than a branch (a notification, an upload), and office data."""
    from ledgers.imports.runs import upload_check
    from ledgers.models import ImportUpload
    from reminders.models import Holiday, Notification
    from reports.selectors import Scope
    from reports.services import last_week, report_issue

    holiday, _created = Holiday.objects.get_or_create(date="2026-10-01", defaults={"name": "国庆节"})
    # A checked roster with a branch nobody recognises: its page shows the mapping form.
    roster = f"姓名,性别,出生日期,所在支部\n{retiree.name},男,1940-05-03,第九党支部\n".encode()
    upload = ImportUpload.objects.create(user=user, kind="roster", filename="名册.csv", content=roster)
    upload_check(upload.pk)
    return {
        "notification": Notification.objects.create(recipient=user, title=retiree.name, body=""),
        "holiday": holiday,
        "upload": upload,
        "report": report_issue(user=None, week=last_week(), scope=Scope()),  # the Monday schedule's
    }


def _link(retiree):
    """The retiree's personal link (selfservice), issued by nobody in particular, its token, and
    the retiree's delivery of the branch's notice (the care objects' notice), for the public pages."""
    from notices.models import NoticeDelivery
    from selfservice.services import _new_link, link_token

    link = _new_link(retiree=retiree, user=None)
    delivery = NoticeDelivery.objects.filter(retiree=retiree).order_by("pk").first()
    return {"link": link, "link_token": link_token(link), "delivery": delivery}


def _member(branch):
    """A committee member of the branch who is none of the personas, for the people pages (whose
    posts deactivate accounts and reset passwords: not the signed-in persona's own)."""
    from accounts.models import User
    from tests.factories import make_user

    return make_user(f"member{branch.pk}", role=User.Role.BRANCH, branch=branch, position=User.Position.COMMITTEE)


@pytest.fixture
def b_objects(retiree_b, secretary_b, checkin_objects, care_objects):
    checkins = checkin_objects(retiree_b)
    return {
        "retiree": retiree_b,
        "branch": retiree_b.branch,
        "member": _member(retiree_b.branch),
        **checkins,
        **care_objects(retiree_b, checkins["contact"]),
        **_personal(secretary_b, retiree_b),
        **_signoff(secretary_b, checkins["round"]),
        **_link(retiree_b),
    }


@pytest.fixture
def a_objects(retiree_a, secretary_a, checkin_objects, care_objects):
    checkins = checkin_objects(retiree_a)
    return {
        "retiree": retiree_a,
        "branch": retiree_a.branch,
        "member": _member(retiree_a.branch),
        **checkins,
        **care_objects(retiree_a, checkins["contact"]),
        **_personal(secretary_a, retiree_a),
        **_signoff(secretary_a, checkins["round"]),
        **_link(retiree_a),
    }


def _get_ok(name, status):
    """What a GET by someone allowed in may answer."""
    return status == 405 if name in POST_ONLY else status == 200


@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_anonymous_is_sent_to_login(client, b_objects, name, pattern):
    if name in PUBLIC:
        return
    for url in urls_for(name, pattern, b_objects):
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302 and response.url.startswith(reverse("login")), (name, method)


@pytest.mark.parametrize("persona", ["secretary_a", "committee_a"])
@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_branch_worker_never_sees_another_branch(request, login, a_objects, b_objects, persona, name, pattern):
    if name in PUBLIC:
        return
    user = request.getfixturevalue(persona)
    client = login(user)
    for url in urls_for(name, pattern, b_objects):
        get = client.get(url)
        post = client.post(url)
        if name in OFFICE_ONLY:
            assert get.status_code in (403, 405) and post.status_code == 403, (url, name)
        elif pattern.pattern.regex.groupindex:
            assert get.status_code in (404, 405) and post.status_code == 404, (url, name)
        else:
            assert get.status_code in (200, 403, 405), name
            assert b_objects["retiree"].name not in get.content.decode(), name
            assert b_objects["branch"].name not in get.content.decode(), name
    # The same URL for their own branch's object opens; a 403 is a failure unless the role may not
    # do that action at all (a 403 on one's own object would hide a broken scope).
    own_objects = {**a_objects, **_personal(user, a_objects["retiree"])}  # their own notification
    for url in urls_for(name, pattern, own_objects):
        own = client.get(url)
        if not pattern.pattern.regex.groupindex:
            assert own.status_code == 403 or _get_ok(name, own.status_code), name  # an office page, or theirs
        elif name in OFFICE_ONLY or name in BRANCH_REFUSED.get(persona, set()):
            assert own.status_code in (403, 405), (url, name)
        else:
            assert _get_ok(name, own.status_code), (url, name, own.status_code)


@pytest.mark.parametrize("persona", ["office", "admin_user"])
@pytest.mark.parametrize("name, pattern", ALL_URLS, ids=[name for name, _ in ALL_URLS])
def test_office_and_admin_open_every_page(request, login, b_objects, persona, name, pattern):
    if name in PUBLIC:
        return
    user = request.getfixturevalue(persona)
    client = login(user)
    objects = {**b_objects, **_personal(user, b_objects["retiree"])}  # their own notification
    for url in urls_for(name, pattern, objects):
        assert _get_ok(name, client.get(url).status_code), (url, name)


def test_admin_site_is_for_admins_only(client, login, secretary_a, office, admin_user):
    index = reverse("admin:index")
    assert client.get(index).status_code == 302
    assert login(secretary_a).get(index).status_code == 302
    assert login(office).get(index).status_code == 302
    assert login(admin_user).get(index).status_code == 200


def test_admin_has_every_model(login, admin_user, retiree_a):
    from django.apps import apps
    from django.contrib import admin

    ours = {
        "accounts",
        "branches",
        "retirees",
        "checkins",
        "ledgers",
        "reminders",
        "audit",
        "care",
        "assistance",
        "volunteers",
        "notices",
        "visits",
        "meetings",
        "selfservice",
    }
    # Django's admin cannot show a model with a composite primary key: the kept call order
    # (checkins.CallDue, one row per branch and retiree, derived from the schedule) is the one.
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in ours and not m.__name__.startswith("Historical") and not m._meta.is_composite_pk
    ]
    missing = [m._meta.label for m in models if m not in admin.site._registry]
    assert missing == []
    client = login(admin_user)
    for model in models:
        info = (model._meta.app_label, model._meta.model_name)
        assert client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200, info
    assert client.get(reverse("admin:retirees_retiree_change", args=[retiree_a.pk])).status_code == 200


def _rows():
    """Every row of the project's tables, to tell that a refused POST changed nothing."""
    from django.apps import apps

    ours = {"accounts", "branches", "retirees", "checkins", "ledgers", "reminders", "care", "assistance"}
    ours |= {"volunteers", "notices", "visits", "meetings", "selfservice"}
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in ours
    }


def _post_forms(client, urls):
    """The POST forms that the pages at `urls` show to the client's user, by the path they post to."""
    from urllib.parse import urlsplit

    # Imported here: tests/test_fuzz.py imports this module for its walk.
    from tests.test_fuzz import parse

    forms = {}
    for url in urls:
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for form in parse(response.content.decode()).forms:
            if form["method"] == "post":
                forms.setdefault(urlsplit(form["action"] or url).path or url, form["fields"])
    return forms


@pytest.mark.parametrize("persona", ["secretary_a", "committee_a"])
def test_valid_posts_work_for_own_branch_and_change_nothing_for_another(
    request, client, a_objects, secretary_b, office, persona
):
    """Each object URL that a page posts to gets that form's data with the page's own values: from
    branch B's secretary a 404 (a 403 on office pages) that changes no row, from branch A's worker
    a success where the role may act, from office staff a success where it may not."""
    from tests.test_fuzz import baseline

    user = request.getfixturevalue(persona)
    objects = {**a_objects, **_personal(user, a_objects["retiree"])}  # their own notification
    targets = {}  # path -> URL name, for every object URL with its variants
    for name, pattern in ALL_URLS:
        if pattern.pattern.regex.groupindex and name not in PUBLIC:
            targets.update((url, name) for url in urls_for(name, pattern, objects))
    client.force_login(office)
    forms = _post_forms(client, targets)
    client.force_login(user)
    forms.update(_post_forms(client, targets))  # the fields the worker is shown, where they see the form
    posted = {path: name for path, name in targets.items() if path in forms}
    assert {"checkins:contact_create", "retirees:edit"} <= set(posted.values())

    for path, name in posted.items():
        data = baseline(forms[path])
        client.force_login(secretary_b)
        before = _rows()
        outsider = client.post(path, data)
        assert outsider.status_code == (403 if name in OFFICE_ONLY else 404), (path, name, outsider.status_code)
        assert _rows() == before, (path, name)

        client.force_login(user)
        if name in OFFICE_ONLY or name in BRANCH_REFUSED[persona]:
            before = _rows()  # signing in wrote last_login
            assert client.post(path, data).status_code == 403, (path, name)
            assert _rows() == before, (path, name)
            client.force_login(office)  # who may: the data is valid
        own = client.post(path, data)
        assert 200 <= own.status_code < 400, (path, name, own.status_code)


def test_every_listed_url_name_exists():
    """A renamed URL must not leave a stale name behind, which would silently stop checking it."""
    listed = PUBLIC | OFFICE_ONLY | POST_ONLY | set(EXTRA_KWARGS) | set(OBJECT_URLS)
    listed |= set().union(*BRANCH_REFUSED.values())
    assert listed - {name for name, _ in ALL_URLS} == set()
