"""A branch's group-chat webhook: which addresses are accepted, and how the worker posts to one.

A secretary types the address, the worker POSTs to it: without these checks the worker could be
made to reach internal services (server-side request forgery). The address is checked twice —
when it is saved (https to an allowed host) and when it is used (the host must resolve to public
addresses only, and a redirect is never followed).
"""

import ipaddress
import json
import socket
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class WebhookRefused(Exception):
    """The address may not be posted to; trying again later will not change that."""


def validate_webhook_url(value: str) -> None:
    """Model and form validator: https only, to a host in OUTREACH_WEBHOOK_HOSTS."""
    if not value:
        return
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError(_("Enter an https:// address."), code="scheme")
    allowed = [host.lower() for host in settings.OUTREACH_WEBHOOK_HOSTS]
    if parts.hostname.lower() not in allowed:
        raise ValidationError(
            _("Only group-robot addresses on %(hosts)s are accepted."),
            code="host",
            params={"hosts": ", ".join(allowed)},
        )


def check_public_address(host: str, port: int | None) -> None:
    """Refuse a host that resolves to a loopback, private, link-local, reserved or multicast address."""
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as error:
        raise WebhookRefused(f"cannot resolve {host}: {error}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise WebhookRefused(f"{host} resolves to a non-public address {address}")


def check_destination(url: str) -> None:
    """What the worker checks before each POST: the saved rules again (the address may predate
    them), then where the host resolves to now."""
    try:
        validate_webhook_url(url)
    except ValidationError as error:
        raise WebhookRefused(f"address not allowed: {error.messages[0]}") from None
    parts = urlsplit(url)
    check_public_address(parts.hostname, parts.port)


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could lead anywhere, past the address check: treat it as a failure."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(req.full_url, code, f"redirect to {newurl} refused", headers, fp)


# No proxy either: the address checked is the address connected to.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _RefuseRedirects)


def post_json(url: str, payload: dict, *, timeout: float, check: Callable[[str], None] | None = None) -> bytes:
    """POST `payload` as JSON to a checked webhook address; returns the start of the answer's body.

    `check` defaults to `check_destination`, looked up at call time so that a test posting to its
    own server on 127.0.0.1 can replace it."""
    (check or check_destination)(url)
    request = urllib.request.Request(
        url,
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with _opener.open(request, timeout=timeout) as response:
        return response.read(4096)
