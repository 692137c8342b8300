"""`get_FOO_display()` from a table of labels kept per field and language.

Django's own builds a dict of the field's choices on every call, and building it hashes each
label, a lazy translation, so every call translates every choice again: the retiree page's 20
contacts (five such fields each) spent ~4 ms of CPU in it. The labels of a field do not change
while the process runs (the choices are fixed in the code), so they are translated once per
language. `use_kept_labels()` (from CoreConfig.ready, once every model exists) points each model's
`get_FOO_display` at `kept_label`; a model that defines its own keeps it.
"""

from functools import cache, partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.translation import get_language


@cache
def _labels(field, language: str | None) -> dict:
    return {value: force_str(label) for value, label in field.flatchoices}


def kept_label(instance: Model, field):
    """What Model._get_FIELD_display gives: the label of the value, or the value itself."""
    value = getattr(instance, field.attname)
    try:
        return _labels(field, get_language()).get(value, value)
    except TypeError:  # a value that cannot be a key: as Django does it
        return Model._get_FIELD_display(instance, field)


def use_kept_labels() -> None:
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            # Only Django's own (a partialmethod of Model._get_FIELD_display), never a model's own.
            if isinstance(method, partialmethod) and method.func is Model._get_FIELD_display:
                setattr(model, name, partialmethod(kept_label, field=field))
