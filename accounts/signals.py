"""At login, note in the session whether the user must also give a TOTP code, and when it was last touched."""

import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.middleware import TOUCHED_KEY

from .middleware import SESSION_KEY


@receiver(user_logged_in, dispatch_uid="accounts_two_factor_required")
def _note_two_factor(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@receiver(user_logged_in, dispatch_uid="accounts_session_touched")
def _note_session_touched(sender, request, user, **kwargs):
    """A session starts touched (see core.middleware.SessionTouchMiddleware): it is being saved now."""
    if request is not None and hasattr(request, "session"):
        request.session[TOUCHED_KEY] = int(time.time())
