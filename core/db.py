"""Small helpers for model definitions shared by every app."""

from django.db import models
from django.db.models import Q


def choices_check(field: str, choices, name: str, message) -> models.CheckConstraint:
    """A named CHECK constraint that keeps `field` to the values of `choices` in the database."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [value for value, _label in choices]}),
        name=name,
        violation_error_message=message,
    )
