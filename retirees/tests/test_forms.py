"""The retiree form's field list, shared with the roster import (retirees.fields)."""

from ledgers.imports import KINDS
from retirees.fields import REGISTRY_FIELDS, ROSTER_FIELDS
from retirees.forms import RetireeForm


def test_the_form_and_the_roster_import_read_one_field_list():
    assert tuple(RetireeForm.base_fields) == REGISTRY_FIELDS
    imported = tuple(spec.key for spec in KINDS["roster"].fields)
    assert imported == ROSTER_FIELDS and set(ROSTER_FIELDS) < set(REGISTRY_FIELDS)
