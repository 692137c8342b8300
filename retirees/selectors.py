"""Reads of the registry, always through the user's scope."""

from django.db import connection
from django.db.models import F, Prefetch, Q

from accounts.access import kept_for
from core.anchors import PageAnchors
from core.compiled import PARAMETER, AnyOf, kept_get

from .filters import search_retirees
from .models import HouseholdContact, Retiree

# How many matches a picker of retirees shows at most: a name narrows it, a list is not the registry.
PICKER_LIMIT = 20


def retiree_list(*, user):
    """The registry as `user` may see it, with what the list page shows joined in."""
    return Retiree.objects.visible_to(user).select_related("branch")


def retirees_by_ids(*, user, ids: list[int]) -> list[Retiree]:
    """`retiree_list`'s rows with these ids, in no order: a page of the list whose ids were found by
    the list's own query (core.pagination). On PostgreSQL one query compiled once per scope."""
    if connection.vendor != "postgresql":
        return list(retiree_list(user=user).filter(pk__in=ids))
    rows = kept_for(user, ("retirees_by_ids",), lambda user: retiree_list(user=user).filter(AnyOf(F("pk"), PARAMETER)))
    return list(rows.bound(list(ids)))


# The registry's version (RegistryChange): the sum of the changes this snapshot sees, NULL in a
# transaction that has written retirees itself (its own rows are not yet anybody else's).
REGISTRY_VERSION_SQL = """
    SELECT CASE
        WHEN bool_or(xid = pg_current_xact_id_if_assigned()::text::bigint) THEN NULL
        ELSE COALESCE(SUM(weight), 0)::bigint
    END
    FROM retirees_registrychange
"""


def registry_anchors() -> PageAnchors:
    """For the registry list (`retiree_list`, filtered): far pages from kept anchors, valid while
    the registry's version is the one they were made at (core.anchors)."""
    from .services import registry_changes_fold

    return PageAnchors(
        version_sql=REGISTRY_VERSION_SQL,
        tables={"retirees_retiree", "branches_branch"},  # the list sorted by branch: the branches' order
        before_build=registry_changes_fold,
    )


def retirees_to_pick(*, user, text: str, chosen_ids) -> tuple[list, list, bool]:
    """For a form's picker of retirees by name (`core.widgets.SearchPicker`): the chosen ones that
    `user` sees, the active retirees in scope whose name, pinyin or initials match `text` (at most
    PICKER_LIMIT, the chosen left out), and whether more match. Two queries; none for a number,
    which this search never takes (a phone number would travel in the URL)."""
    retirees = Retiree.objects.visible_to(user).active().select_related("branch").order_by("name_pinyin", "id")
    ids = [pk for pk in chosen_ids if pk is not None]
    chosen = list(retirees.filter(pk__in=ids)) if ids else []
    if not text.strip() or any(ch.isdigit() for ch in text):
        return chosen, [], False
    found = list(search_retirees(retirees, text).exclude(pk__in=[r.pk for r in chosen])[: PICKER_LIMIT + 1])
    return chosen, found[:PICKER_LIMIT], len(found) > PICKER_LIMIT


def consented(queryset, *, path: str = "", include_without_consent: bool = False):
    """The consent rule of exports, in one place: `(the rows to export, how many were left out)`.

    Without recorded consent a retiree's ledgers are still kept (the office's duty of care), but
    they are left out of files of personal data unless office staff chose to include them for
    internal use. `path` leads from the queryset's model to the retiree ("retiree__"). Runs one
    COUNT query when retirees are left out.
    """
    if include_without_consent:
        return queryset, 0
    given = Q(**{f"{path}consent_given": True})
    return queryset.filter(given), queryset.exclude(given).count()


def retiree_get(*, user, pk) -> Retiree:
    """One retiree with their household contacts; 404 when outside the user's scope.
    Asked for on most pages about one retiree: built and compiled once per scope."""

    def build(user):
        return (
            Retiree.objects.visible_to(user)
            .filter(pk=PARAMETER)
            .select_related("branch", "created_by")
            .prefetch_related(
                Prefetch("household_contacts", queryset=HouseholdContact.objects.order_by("-is_primary", "id"))
            )
        )

    return kept_get(kept_for(user, ("retiree_get",), build), pk)


def retiree_personal_data(*, retiree: Retiree) -> dict:
    """Every row that refers to the retiree, model by model (new models are included automatically)."""
    data = {"retiree": json_rows([retiree])[0]}
    for related in Retiree._meta.related_objects:
        model = related.related_model
        if not related.one_to_many or model.__name__.startswith("Historical") or model._meta.app_label == "audit":
            continue
        rows = model._default_manager.filter(**{related.field.name: retiree})
        data[model._meta.label_lower] = json_rows(rows)
    return data


def json_rows(objects) -> list[dict]:
    from django.core import serializers

    return [{"id": row["pk"], **row["fields"]} for row in serializers.serialize("python", objects)]


def retiree_changes(*, retiree: Retiree, limit: int = 100) -> list[dict]:
    """The retiree's change history, newest first, each with the fields that changed (old -> new)."""
    records = list(retiree.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    changes = []
    for newer, older in zip(records, records[1:] + [None], strict=True):
        diff = newer.diff_against(older).changes if older is not None else []
        changes.append({"record": newer, "changes": diff})
    return changes[:limit]
