from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "otp_required"


class TwoFactorMiddleware:
    """A user who has set up a TOTP device must give a code before reaching any page.

    Whether the user has a device is decided once, at login (accounts.signals), and kept in the
    session, so that pages cost no extra query.
    """

    ALLOWED = ("login", "logout", "otp_verify", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and request.session.get(SESSION_KEY)
            and not user.is_verified()
            and request.path not in self._allowed()
        ):
            return redirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)

    def _allowed(self):
        if self._allowed_paths is None:
            self._allowed_paths = {reverse(name) for name in self.ALLOWED}
        return self._allowed_paths


class PasswordChangeRequiredMiddleware:
    """A user whose password the office set (`must_change_password`) sees only the password page
    until they have chosen their own: the temporary password was read by somebody else.

    After the two-factor middleware, so that a user with a device gives the code first. The flag
    is a column of the user row that authentication already loads: no extra query.
    """

    ALLOWED = ("password_change", "login", "logout", "otp_verify", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and request.path not in self._allowed()
        ):
            if request.headers.get("HX-Request"):
                # An in-page update (the bell's count) gets nothing rather than a whole page.
                return HttpResponse(status=204)
            return redirect("password_change")
        return self.get_response(request)

    def _allowed(self):
        if self._allowed_paths is None:
            self._allowed_paths = {reverse(name) for name in self.ALLOWED}
        return self._allowed_paths
