"""Writes to the registry. Views, forms, the admin and commands call these."""

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .choices import Status
from .models import HouseholdContact, Retiree
from .pinyin import name_search_keys
from .validators import normalize_phone


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


@transaction.atomic
def household_contact_save(
    *,
    user,
    retiree: Retiree,
    contact: HouseholdContact | None = None,
    name: str,
    relation: str,
    phone: str,
    lives_with_retiree: bool = False,
    is_primary: bool = False,
    notes: str = "",
) -> HouseholdContact:
    """Add a household contact to `retiree`, or correct `contact` (one of theirs).

    The contact made first to call takes that place from whoever had it (the database holds one
    per retiree). Validated against the model (phone, lengths, constraints): a ValidationError
    carries the translated message. The retiree must be inside the user's scope.
    """
    if not Retiree.objects.visible_to(user).filter(pk=retiree.pk).exists():
        raise PermissionDenied("The retiree is outside the user's scope.")
    if contact is None:
        contact = HouseholdContact(retiree=retiree)
    elif contact.retiree_id != retiree.pk:
        raise PermissionDenied("The contact is not this retiree's.")
    contact.name, contact.relation, contact.phone = "".join(name.split()), relation, normalize_phone(phone)
    contact.lives_with_retiree, contact.is_primary, contact.notes = lives_with_retiree, is_primary, notes
    if is_primary:  # one at most; saved one by one so that the change history shows it
        for other in HouseholdContact.objects.filter(retiree=retiree, is_primary=True).exclude(pk=contact.pk):
            other.is_primary = False
            other.save(update_fields=["is_primary"])
    contact.full_clean()
    contact.save()
    return contact


BULK_BATCH_SIZE = 1000


@transaction.atomic
def retirees_bulk_save(*, user, created: list[Retiree], updated: list[Retiree], fields: list[str]) -> None:
    """Create and update many retirees at once, all or nothing (the roster import).

    What `retiree_save` does per retiree, in a few queries per thousand: the pinyin search
    keys, `created_by` on new ones, one history row each (`user` as its author), and one check
    at the end that every retiree written is inside the user's scope (else all is rolled
    back). `fields` are the fields the updated retirees may have changed.
    """
    now = timezone.now()
    for retiree in [*created, *updated]:
        retiree_set_search_keys(retiree=retiree)
    for retiree in created:
        if retiree.created_by_id is None and user is not None:
            retiree.created_by = user
    if created:
        bulk_create_with_history(created, Retiree, batch_size=BULK_BATCH_SIZE, default_user=user, default_date=now)
    if updated:
        for retiree in updated:
            retiree.updated_at = now  # auto_now is not applied by bulk_update
        update_fields = list(dict.fromkeys([*fields, "name", "name_pinyin", "name_initials", "updated_at"]))
        bulk_update_with_history(
            updated, Retiree, update_fields, batch_size=BULK_BATCH_SIZE, default_user=user, default_date=now
        )
    pks = [retiree.pk for retiree in [*created, *updated]]
    if pks and Retiree.objects.visible_to(user).filter(pk__in=pks).count() != len(pks):
        raise PermissionDenied("A retiree would leave the user's scope.")


ANONYMISED_NAME = "已匿名"


@transaction.atomic
def retiree_anonymise(*, retiree: Retiree) -> None:
    """Erase what identifies a retiree, keep what the ledgers count.

    The name, phones, WeChat, address, ID number and notes go, and so do the household contacts;
    the birth date keeps only its year (age bands still count), and the branch, category, status
    and every ledger row stay, so aggregate ledgers and coverage history are unchanged.
    """
    from django.utils import timezone

    retiree.name = ANONYMISED_NAME
    retiree.name_pinyin, retiree.name_initials = "", ""
    retiree.phone = retiree.phone_alt = retiree.wechat = ""
    retiree.address = retiree.community = retiree.former_unit = retiree.notes = ""
    retiree.id_number = None
    retiree.birth_date = retiree.birth_date.replace(month=1, day=1)
    retiree.anonymised_at = timezone.now()
    retiree.save()
    retiree.household_contacts.all().delete()
    # Free text written about the person during contacts goes too; the facts (dates, outcomes) stay.
    for related in Retiree._meta.related_objects:
        model = related.related_model
        if not related.one_to_many or model.__name__.startswith("Historical"):
            continue
        text_fields = [
            f.name for f in model._meta.fields if f.name in ("notes", "needs", "special_needs", "lift_reason")
        ]
        if text_fields:
            model._default_manager.filter(**{related.field.name: retiree}).update(**dict.fromkeys(text_fields, ""))
        # Change history would keep the erased values: drop it for the rows about this person.
        history = getattr(model, "history", None)
        if history is not None:
            history.filter(**{f"{related.field.name}_id": retiree.pk}).delete()
    latest = retiree.history.order_by("-history_id").first()
    retiree.history.exclude(history_id=latest.history_id).delete()


def retirees_due_for_anonymising(*, years: int, today):
    """Deceased or moved more than `years` ago and not anonymised yet."""
    from django.db.models import Q

    cutoff = (
        today.replace(year=today.year - years)
        if not (today.month == 2 and today.day == 29)
        else today.replace(year=today.year - years, day=28)
    )
    return Retiree.objects.filter(anonymised_at__isnull=True).filter(
        Q(status=Status.DECEASED, deceased_on__lt=cutoff) | Q(status=Status.MOVED, moved_on__lt=cutoff)
    )


def retirees_anonymise_due(*, years: int, today) -> int:
    """Anonymise every retiree due for it, one transaction each, each written to the audit log."""
    from audit.models import AuditEvent
    from audit.services import audit_record

    count = 0
    for retiree in retirees_due_for_anonymising(years=years, today=today).iterator(chunk_size=200):
        retiree_anonymise(retiree=retiree)
        audit_record(action=AuditEvent.Action.ANONYMISE, retiree=retiree, years=years)
        count += 1
    return count


def registry_changes_fold() -> None:
    """Fold the registry's committed changes (RegistryChange) into one row of their summed weight,
    so that the registry's version stays a sum over a few rows; the version itself does not move.
    One statement; nothing inside a transaction (a fold there would be this transaction's write,
    and the version is NULL to it) nor on SQLite (no changes are recorded there).

    Two folds at once cannot count a row twice: the second one's DELETE waits for the first's rows,
    finds them gone and sums only what it deleted itself.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH folded AS (
                DELETE FROM retirees_registrychange WHERE (SELECT COUNT(*) FROM retirees_registrychange) > 1
                RETURNING weight
            )
            INSERT INTO retirees_registrychange (xid, weight)
            SELECT NULL, SUM(weight) FROM folded HAVING COUNT(*) > 0
            """
        )
