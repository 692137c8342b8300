"""Writes to the registry. Views, forms, the admin and commands call these."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from .models import Retiree
from .pinyin import name_search_keys


def retiree_set_search_keys(*, retiree: Retiree) -> None:
    """Derive the stored pinyin search keys from the name (no query)."""
    retiree.name = "".join(retiree.name.split())
    retiree.name_pinyin, retiree.name_initials = name_search_keys(retiree.name)


@transaction.atomic
def retiree_save(*, user, retiree: Retiree, contacts_formset=None) -> Retiree:
    """Create or update a retiree and, with it, their household contacts, all or nothing.

    After saving, the retiree must still be inside the user's scope: a branch worker cannot
    move a retiree out of their own branch (the transaction is rolled back).
    """
    retiree_set_search_keys(retiree=retiree)
    if retiree._state.adding and retiree.created_by_id is None and user is not None:
        retiree.created_by = user
    retiree.save()
    if contacts_formset is not None:
        contacts_formset.instance = retiree
        contacts_formset.save()
    if not Retiree.objects.visible_to(user).filter(pk=retiree.pk).exists():
        raise PermissionDenied("The retiree would leave the user's scope.")
    return retiree
