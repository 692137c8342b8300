"""Helpers for views that pass a form's data to a service."""

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _


def add_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields where they exist, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def next_url(request, default: str) -> str:
    """Where to go after a form: the `next` parameter when it is a path on this site, else `default`.

    Only an absolute path will do: `redirect()` takes anything else without a slash ("abc") for
    a URL name and fails with NoReverseMatch, after the form's data was already saved.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and "\x00" not in target
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        return target
    return default


def int_or_none(value) -> int | None:
    """An id or number read from a request: plain digits (at most 18, so it fits a bigint), else None.

    `str.isdigit` alone is not enough: it accepts "²" and "١", which `int()` refuses or reads
    differently.
    """
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


def int_or_404(value) -> int:
    """An id read from a request, or a 404 when it cannot be one (no object has that id)."""
    number = int_or_none(value)
    if number is None:
        raise Http404
    return number


class Saved(NamedTuple):
    """What a service returned when a form's data was saved (truthy even when the value is None)."""

    value: Any


def form_post(
    request,
    form,
    save: Callable[[], Any],
    *,
    success: str | Callable[[Any], str] = "",
    also: Sequence = (),
    errors_on: Callable[[ValidationError], Any] | None = None,
) -> Saved | None:
    """The shape every form page shares, in one place.

    On a POST whose form (and every form or formset in `also`) is valid, `save()` calls the
    service; a ValidationError it raises is shown on the form's fields (or on the form
    `errors_on(error)` names, for a page with two forms). On success the `success` message (or
    `success(value)`) is shown and `Saved(value)` returned, for the view to redirect. Otherwise
    the user is told that nothing was saved and None is returned, for the view to render the
    form again with its errors.
    """
    if request.method != "POST":
        return None
    # Every form is validated (no short-circuit), so that each shows its own errors at once.
    if all([form.is_valid(), *(other.is_valid() for other in also)]):
        try:
            value = save()
        except ValidationError as error:
            add_errors(errors_on(error) if errors_on else form, error)
        else:
            text = success(value) if callable(success) else success
            if text:
                messages.success(request, text)
            return Saved(value)
    messages.error(request, _("Nothing was saved: please correct the fields marked below."))
    return None
