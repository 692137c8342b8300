"""Validation and normalisation of Chinese phone and resident ID numbers."""

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Landline: optional area code 0xx or 0xxx, then a 7- or 8-digit number, optional extension.
_LANDLINE = re.compile(r"^(0\d{2,3})?[1-9]\d{6,7}$")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def normalize_digits(value: str) -> str:
    """Full-width digits and letters to ASCII, surrounding spaces removed."""
    return unicodedata.normalize("NFKC", value or "").strip()


def normalize_phone(value: str) -> str:
    """Keep digits only, dropping spaces, dashes, brackets and a +86 / 0086 country code."""
    text = normalize_digits(value)
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def validate_phone(value: str) -> None:
    digits = normalize_phone(value)
    if not digits.isdigit() or not (_MOBILE.match(digits) or _LANDLINE.match(digits)):
        raise ValidationError(
            _("Enter a valid phone number: an 11-digit mobile number or a landline such as 010-62751234."),
            code="invalid_phone",
        )


def normalize_id_number(value: str) -> str:
    return normalize_digits(value).replace(" ", "").upper()


def validate_id_number(value: str) -> None:
    """A mainland resident ID number: 18 characters, a real birth date, the ISO 7064 check digit."""
    number = normalize_id_number(value)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="invalid_id_format")
    try:
        datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("The birth date inside this ID number is not a real date."), code="invalid_id_date"
        ) from None
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        raise ValidationError(
            _("This ID number's check digit is wrong: please check it again."), code="invalid_id_checksum"
        )


def id_number_check_digit(first17: str) -> str:
    """The check digit for the first 17 digits of an ID number (used by the demo data)."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def mask_phone(value: str) -> str:
    """138****5678: enough to recognise a number, not enough to dial it."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"
