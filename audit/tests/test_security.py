import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEvent
from retirees.models import HouseholdContact, Retiree
from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"


def _login(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_logins_and_failures_are_audited(client, secretary_a):
    _login(client, "sec_a", "wrong-password")
    _login(client, "sec_a")
    actions = list(AuditEvent.objects.order_by("id").values_list("action", "actor_name"))
    assert actions == [("login_failed", "sec_a"), ("login", "sec_a")]


def test_repeated_failures_lock_out_that_user_from_that_address_only(client, secretary_a, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "sec_a", "wrong-password", REMOTE_ADDR="10.0.0.9")
    locked = _login(client, "sec_a", REMOTE_ADDR="10.0.0.9")  # even the right password
    assert locked.status_code == 429
    assert "尝试次数过多" in locked.content.decode()
    assert _login(client, "sec_a", REMOTE_ADDR="10.0.0.10").status_code == 302  # the real user elsewhere


def test_behind_a_proxy_the_forwarded_address_is_throttled(client, secretary_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "sec_a", "wrong", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert _login(client, "sec_a", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code == 429
    # Another client behind the same proxy is not locked out.
    assert _login(client, "sec_a", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 302


def test_viewing_a_retiree_is_audited(login, office, retiree_a):
    login(office).get(reverse("retirees:detail", args=[retiree_a.pk]))
    event = AuditEvent.objects.get(action="view_retiree")
    assert (event.actor, event.retiree) == (office, retiree_a)


def test_id_number_is_masked_and_revealed_only_on_a_logged_click(login, office, secretary_a, retiree_a):
    Retiree.objects.filter(pk=retiree_a.pk).update(id_number="11010519491231002X")
    client = login(office)
    page = client.get(reverse("retirees:detail", args=[retiree_a.pk])).content.decode()
    assert "11010519491231002X" not in page and "1101**********002X" in page
    reveal = reverse("retirees:reveal", args=[retiree_a.pk, "id_number"])
    assert client.get(reveal).status_code == 405  # a click (POST), never a link
    response = client.post(reveal)
    assert "11010519491231002X" in response.content.decode()
    assert AuditEvent.objects.filter(action="reveal", retiree=retiree_a, detail__field="id_number").count() == 1
    # A branch worker may not reveal ID numbers at all.
    assert login(secretary_a).post(reveal).status_code == 403


def test_admin_sees_phones_masked_office_in_full(login, admin_user, office, retiree_a):
    url = reverse("retirees:detail", args=[retiree_a.pk])
    assert retiree_a.phone not in login(admin_user).get(url).content.decode()
    assert retiree_a.phone in login(office).get(url).content.decode()


def test_sensitive_pages_are_not_stored(login, office, retiree_a):
    response = login(office).get(reverse("retirees:detail", args=[retiree_a.pk]))
    assert "no-store" in response["Cache-Control"]


def test_content_security_policy_forbids_inline_scripts(login, office):
    policy = login(office).get("/")["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src and "unsafe-eval" not in script_src


def test_html_in_text_fields_is_rendered_inert(login, office, branch_a):
    from tests.factories import make_retiree

    retiree = make_retiree(branch_a, "王五", notes="<script>alert(1)</script>")
    page = login(office).get(reverse("retirees:detail", args=[retiree.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_password_change_signs_out_everywhere(client, secretary_a):
    other = type(client)()
    other.force_login(secretary_a)
    client.force_login(secretary_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-pass-2027", "new_password2": "Another-pass-2027"},
    )
    assert response.status_code == 302 and response.url == reverse("login")
    assert client.get("/").status_code == 302
    assert other.get("/").status_code == 302  # the other session is gone too
    assert AuditEvent.objects.filter(action="password_change").exists()


def test_totp_is_asked_after_the_password_once_set_up(client, office):
    device = TOTPDevice.objects.create(user=office, name="default", confirmed=True)
    _login(client, "office")
    assert client.get("/").url.startswith(reverse("otp_verify"))
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    response = client.post(
        reverse("otp_verify") + "?next=/",
        {"otp_device": device.persistent_id, "otp_token": "000000" if totp.token() != 0 else "111111"},
    )
    assert client.get("/").status_code == 302
    # django-otp throttles after a failure (1 s, then 2 s …): let the next try through at once.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    response = client.post(
        reverse("otp_verify") + "?next=/", {"otp_device": device.persistent_id, "otp_token": f"{totp.token():06d}"}
    )
    assert response.status_code == 302 and response.url == "/"
    assert client.get("/").status_code == 200


def test_personal_data_export_holds_everything_and_is_audited(login, office, retiree_a):
    response = login(office).get(reverse("retirees:personal_data", args=[retiree_a.pk]))
    data = response.json()
    assert data["retiree"]["name"] == retiree_a.name
    assert data["retirees.householdcontact"][0]["name"] == "曾小红"
    assert AuditEvent.objects.filter(action="personal_export", retiree=retiree_a).exists()


def test_change_history_records_who_and_what(login, office, retiree_a):
    from retirees.tests.test_edit_views import retiree_post

    client = login(office)
    contact = retiree_a.household_contacts.get()
    client.post(
        reverse("retirees:edit", args=[retiree_a.pk]),
        retiree_post(
            retiree_a.branch,
            name="曾宪梅",
            phone="13600001111",
            **{
                "contacts-TOTAL_FORMS": "1",
                "contacts-INITIAL_FORMS": "1",
                "contacts-0-id": str(contact.pk),
                "contacts-0-name": contact.name,
                "contacts-0-relation": "child",
                "contacts-0-phone": contact.phone,
            },
        ),
    )
    page = client.get(reverse("retirees:history", args=[retiree_a.pk])).content.decode()
    assert "13600001111" in page and str(office) in page


def test_retention_anonymises_the_long_gone_and_keeps_the_counts(retiree_a, retiree_b):
    Retiree.objects.filter(pk=retiree_a.pk).update(status="deceased", deceased_on=datetime.date(2015, 3, 1))
    call_command("anonymise_retirees", "--years", "5", stdout=open(os.devnull, "w"))
    retiree_a.refresh_from_db()
    assert retiree_a.name == "已匿名" and retiree_a.phone == "" and retiree_a.anonymised_at
    assert retiree_a.birth_date == datetime.date(1940, 1, 1)
    assert not HouseholdContact.objects.filter(retiree=retiree_a).exists()
    assert not retiree_a.history.filter(name="曾宪梅").exists()  # the history forgets too
    assert Retiree.objects.count() == 2  # still counted in the ledgers
    retiree_b.refresh_from_db()
    assert retiree_b.name == "单立新"


def test_audit_rows_cannot_be_changed(db, secretary_a):
    event = AuditEvent.objects.create(actor=secretary_a, actor_name="sec_a", action="login")
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_audit_admin_is_read_only(login, admin_user, secretary_a):
    event = AuditEvent.objects.create(actor=secretary_a, actor_name="sec_a", action="login")
    client = login(admin_user)
    assert client.get(reverse("admin:audit_auditevent_changelist") + "?q=sec_a").status_code == 200
    assert client.post(reverse("admin:audit_auditevent_delete", args=[event.pk]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deploy_check_is_clean_with_production_settings(tmp_path):
    # A production environment: none of the test run's switches (the browser tests' async flag included).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "DEBUG")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": "x" * 20 + "production-grade-secret-key-0123456789-abcdefgh",
            "ALLOWED_HOSTS": "outreach.example.edu.cn",
        }
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
