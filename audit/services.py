"""Writing the audit log. Views, services and auth signals call `audit_record`."""

from django.conf import settings

from .models import AuditEvent


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies the address
    the outermost trusted proxy saw (counted from the right of X-Forwarded-For, which a client
    cannot forge past our own proxies). Used for throttling logins and for the audit log."""
    if request is None:
        return None
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def audit_record(*, action: str, request=None, user=None, retiree=None, **detail) -> AuditEvent:
    """Append one event. `user` defaults to the request's user; `detail` holds ids and filters,
    never the personal data itself."""
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=(user.get_username() if user is not None else detail.pop("username", ""))[:150],
        action=action,
        retiree=retiree,
        detail=detail,
        ip_address=client_ip(request),
    )
