from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from accounts.forms import LoginForm

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("getting-started/", views.first_run, name="setup"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", account_views.password_change, name="password_change"),
    path("accounts/verify/", account_views.otp_verify, name="otp_verify"),
    path("accounts/two-factor/", account_views.two_factor_setup, name="two_factor_setup"),
    path("people/", include("accounts.urls")),
    path("retirees/", include("retirees.urls")),
    path("branches/", include("branches.urls")),
    path("notifications/", include("reminders.urls")),
    path("ledgers/", include("ledgers.urls")),
    path("checkins/", include("checkins.urls")),
    path("reports/", include("reports.urls")),
    path("care/", include("care.urls")),
    # The care services' own apps keep the /care/ paths they had inside the care app.
    path("care/", include("assistance.urls")),
    path("care/", include("volunteers.urls")),
    path("care/", include("notices.urls")),
    path("care/", include("visits.urls")),
    path("care/", include("meetings.urls")),
    # The retirees' own page (/r/<token>/) and the office's link pages (/links/).
    path("", include("selfservice.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
