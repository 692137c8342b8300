"""Strict readers for environment variables.

Every setting comes from the environment through these helpers, so that a typo such as
DEBUG=ture fails at start-up instead of silently meaning False.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    """A setting is missing or malformed: the message alone tells the operator what to fix."""


def exit_on_configuration_error() -> None:
    """Load the settings now; on a configuration error print one line and exit with status 2.

    Called first by manage.py, wsgi.py and asgi.py, so that a missing SECRET_KEY reads as one
    sentence instead of a traceback through Django's start-up.
    """
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (importing the settings module is the check)
    except ConfigurationError as error:
        sys.stderr.write(f"Configuration error: {str(error).rstrip('.')}. See .env.example.\n")
        raise SystemExit(2) from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip()


def env_bool(name: str, default: bool) -> bool:
    value = env_str(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = env_str(name)
    if value is None:
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if minimum is not None and number < minimum:
        raise ConfigurationError(f"{name} must be at least {minimum}, not {number}")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
