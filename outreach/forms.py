"""Helpers for views that pass a form's data to a service."""

from django.core.exceptions import ValidationError
from django.utils.http import url_has_allowed_host_and_scheme


def add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where they exist, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def next_url(request, default: str) -> str:
    """Where to go after a form: the `next` parameter when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default
