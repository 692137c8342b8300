"""Strings users see that come from third-party apps are translated too (issue 14)."""

import re

from django.urls import reverse

from accounts.models import TwoFactorDevice

LATIN_WORD = re.compile(r"[A-Za-z]{3,}")


def test_the_admin_index_names_every_app_and_model_in_chinese(login, admin_user):
    response = login(admin_user).get(reverse("admin:index"))
    names = [app["name"] for app in response.context["app_list"]]
    names += [model["name"] for app in response.context["app_list"] for model in app["models"]]
    assert "登录尝试" in names and "两步验证设备" in names  # django-axes, django-otp
    assert [name for name in names if LATIN_WORD.search(str(name))] == []
    html = response.content.decode()
    for english in ("Model name", "Add link", "Django", "TOTP", "Otp_Totp", "Axes"):
        assert english not in html


def test_the_admin_pages_of_users_and_devices_open(login, admin_user, office):
    client = login(admin_user)
    TwoFactorDevice.objects.create(user=office, name="default", confirmed=True)
    for url in (
        reverse("admin:accounts_user_change", args=[office.pk]),
        reverse("admin:accounts_twofactordevice_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    # Access follows roles: the user page offers no Django groups or permissions (named in English).
    html = client.get(reverse("admin:accounts_user_change", args=[office.pk])).content.decode()
    assert 'name="user_permissions"' not in html and 'name="groups"' not in html


def test_a_descending_sort_option_is_in_chinese(login, office):
    html = login(office).get(reverse("retirees:list")).content.decode()
    assert "（降序）" in html and "descending" not in html
