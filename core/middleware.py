import time

from django.conf import settings
from django.utils.cache import add_never_cache_headers

TOUCHED_KEY = "_touched"


class NoStoreMiddleware:
    """Pages shown to a signed-in user hold personal data: no browser or proxy may keep a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # Cache-Control: max-age=0, no-cache, no-store, must-revalidate, private
        return response


class SessionTouchMiddleware:
    """The inactivity timeout without a session write on every request.

    A signed-in user's session expiry is pushed back to SESSION_COOKIE_AGE from now at most once
    every SESSION_TOUCH_SECONDS (by marking the session modified, which SessionMiddleware then
    saves with a fresh expiry and cookie), instead of SESSION_SAVE_EVERY_REQUEST's three queries
    on every page. The timeout is therefore exact to within that many seconds.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.session.modified:
            now = int(time.time())
            if now - request.session.get(TOUCHED_KEY, 0) >= settings.SESSION_TOUCH_SECONDS:
                request.session[TOUCHED_KEY] = now
        return response
