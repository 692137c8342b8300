"""Reads of the registry, always through the user's scope."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import HouseholdContact, Retiree


def retiree_list(*, user):
    """The registry as `user` may see it, with what the list page shows joined in."""
    return Retiree.objects.visible_to(user).select_related("branch")


def retiree_get(*, user, pk) -> Retiree:
    """One retiree with their household contacts; 404 when outside the user's scope."""
    queryset = (
        Retiree.objects.visible_to(user)
        .select_related("branch", "created_by")
        .prefetch_related(
            Prefetch("household_contacts", queryset=HouseholdContact.objects.order_by("-is_primary", "id"))
        )
    )
    return get_object_or_404(queryset, pk=pk)
