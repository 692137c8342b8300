from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def office_required(view):
    """Office staff and admins only. Others get a 403: such pages reveal no particular object."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_office:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def require_office(request) -> None:
    """For pages about one object: fetch it first (404 outside scope), then refuse non-office users."""
    if not request.user.is_office:
        raise PermissionDenied
