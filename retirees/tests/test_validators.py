import pytest
from django.core.exceptions import ValidationError

from retirees.validators import (
    id_number_check_digit,
    mask_id_number,
    mask_phone,
    normalize_phone,
    validate_id_number,
    validate_phone,
)

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_valid_id_number_passes():
    validate_id_number(VALID_ID)
    validate_id_number(VALID_ID.lower())


@pytest.mark.parametrize(
    "number, code",
    [
        ("110105194912310021", "invalid_id_checksum"),
        ("11010519491331002X", "invalid_id_date"),
        ("1101051949123100", "invalid_id_format"),
        ("11010519491231002Y", "invalid_id_format"),
    ],
)
def test_invalid_id_number_is_refused(number, code):
    with pytest.raises(ValidationError) as error:
        validate_id_number(number)
    assert error.value.code == code


def test_check_digit_matches_validator():
    first17 = "11010819450308123"
    validate_id_number(first17 + id_number_check_digit(first17))


@pytest.mark.parametrize(
    "raw", ["13812345678", "138 1234 5678", "+86 138-1234-5678", "010-62751234", "62751234", "１３８１２３４５６７８"]
)
def test_common_phone_spellings_are_valid(raw):
    validate_phone(raw)


@pytest.mark.parametrize("raw", ["1381234567", "12812345678", "call me", "010-1234", "138123456789"])
def test_malformed_phone_is_refused(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_normalize_phone_keeps_digits_only():
    assert normalize_phone(" +86 (138) 1234-5678 ") == "13812345678"
    assert normalize_phone("010-6275 1234") == "01062751234"


def test_masks_hide_the_middle():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number(VALID_ID) == "1101**********002X"
