from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404

from accounts.access import branch_workers
from retirees.choices import Category, Status

from .models import Branch


def _member_prefetch():
    return Prefetch(
        "members",
        queryset=branch_workers().order_by("-position", "username"),
    )


def branch_list(*, user):
    """Branches `user` may see, with their active retirees counted (one query) and members (one more)."""
    active = Q(retirees__status=Status.ACTIVE)
    return (
        Branch.objects.visible_to(user)
        .annotate(
            retiree_count=Count("retirees", filter=active),
            lixiu_count=Count("retirees", filter=active & Q(retirees__category=Category.LIXIU)),
        )
        .prefetch_related(_member_prefetch())
    )


def branch_get(*, user, pk) -> Branch:
    return get_object_or_404(branch_list(user=user), pk=pk)


def branch_names_matching(*, user, text: str, limit: int = 20) -> list[str]:
    """The names of the branches `user` sees whose name or short name holds `text` (at most
    `limit`, in the branches' order): the suggestions of the registry's branch search box."""
    text = " ".join(text.replace("\x00", "").split())[:100]
    if not text:
        return []
    branches = Branch.objects.visible_to(user).filter(Q(name__icontains=text) | Q(short_name__icontains=text))
    return list(branches.values_list("name", flat=True)[:limit])
