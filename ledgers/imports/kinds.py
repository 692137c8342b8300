"""One spec per importable thing: the roster, household contacts and each ledger.

A kind says what its columns are (and what offices call them), how a parsed row becomes
changes, and which service writes each change. The ledgers and the contacts are written
through the same services as the app's own forms (`ledgers.services`, `retirees.services`), so
a rule lives in one place; the roster is written in bulk (`retirees_bulk_save`), its rows being
validated against the model field by field while they are planned.

Blank cells leave what is registered as it is, so a re-import of the same file, or of the
app's own export, changes nothing.
"""

import functools
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from retirees.choices import Relation
from retirees.exports import registry_spec
from retirees.fields import ROSTER_FIELDS
from retirees.models import HouseholdContact, Retiree
from retirees.services import household_contact_save, retirees_bulk_save

from .. import services
from ..choices import (
    DOSE_LABELS,
    MAX_DOSE_NUMBER,
    Arrangement,
    Condition,
    ExposureKind,
    ExposureStatus,
    ImportKind,
    Stance,
    TestResult,
    Vocabulary,
)
from ..exports import exposure_spec, health_spec, testing_spec, vaccination_spec
from ..models import ExposureEvent, HealthRecord, NucleicTest, VaccinationDose, VaccinationStance
from .engine import CREATE, UNCHANGED, UPDATE, Change, Field, RetireeFinder, chunks, header_key
from .vocabularies import YES


class Kind:
    """What every kind shares: headers from its fields and from its export, the retiree lookup."""

    key: str = ""
    title: Any = ""
    hint: Any = ""  # how to fill in its file: shown beside the choice and in the template's title row
    fields: list[Field] = []
    # The export whose file imports back: its columns' labels are headers too (export column key
    # -> field key; None for a column known and left alone, like the row number or the age).
    export_spec = None
    export_columns: dict[str, str | None] = {}
    # Model field -> field key, to name the column of a value a service refused.
    model_fields: dict[str, str] = {}
    # Whether the check writes the changes once in a transaction it rolls back (see engine.check_file).
    rehearse = True
    list_url_name = ""

    def header_aliases(self) -> dict[str, str | None]:
        aliases: dict[str, str | None] = {}

        def add(name, key):
            aliases.setdefault(header_key(name), key)

        keys = {spec.key for spec in self.fields}
        for spec in self.fields:
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    add(str(spec.label), spec.key)
            for name in spec.headers:
                add(name, spec.key)
        if self.export_spec is not None:
            for column in self.export_spec().columns:
                key = self.export_columns.get(column.key, column.key if column.key in keys else None)
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        add(str(column.label), key)
        aliases.pop("", None)
        return aliases

    def adjust_columns(self, columns: dict, header_keys: list[str]) -> dict:
        """A last look at the header row (see VaccinationKind)."""
        return columns

    def list_url(self) -> str:
        return reverse(self.list_url_name)

    def plan(self, check, rows) -> None:
        raise NotImplementedError

    def retirees(self, check, rows) -> list[tuple[Any, Retiree]]:
        """(row, retiree) for each complete row that names a registered retiree; a problem for each other."""
        rows = [row for row in rows if row.complete]
        finder = RetireeFinder(check, rows)
        labels = {key: check.column(key) for key in ("name", "id_number", "birth_date", "branch")}
        found = []
        for row in rows:
            retiree = finder.find(row, labels)
            if retiree is not None:
                found.append((row, retiree))
        return found

    def retiree_ids(self, found) -> list[list[int]]:
        return list(chunks({retiree.pk for _row, retiree in found}))

    def plan_change(self, check, row, retiree, existing, wanted, what, service, /, *, group=0, **arguments) -> None:
        """Plan one thing a row asks for: a new one when `existing` is None, else an update of the
        fields of `wanted` (model field -> value) that differ from it, else nothing to do.
        `service` writes it, given the user, `arguments` and `wanted`: the app's own service, so
        that an import obeys the rules the forms do."""
        changed = [key for key, value in wanted.items() if existing is not None and getattr(existing, key) != value]
        check.changes.append(
            Change(
                row.number,
                CREATE if existing is None else UPDATE if changed else UNCHANGED,
                retiree.name,
                what,
                [str(existing._meta.get_field(key).verbose_name) for key in changed],
                functools.partial(service, user=check.user, **arguments, **wanted),
                group=group,
            )
        )


def _label(value, labels) -> str:
    return str(dict(labels).get(value, value or ""))


def _date(day) -> str:
    return f"{day:%Y-%m-%d}" if day else ""


def identity_fields(*, phone: bool = True) -> list[Field]:
    """The columns that say which retiree a row is about (see engine.RetireeFinder)."""
    fields = [
        Field(
            "name",
            gettext_lazy("Name"),
            "name",
            required=True,
            headers=("老同志姓名", "离退休人员姓名", "老人姓名", "本人姓名", "人员姓名", "姓 名"),
        ),
        Field(
            "id_number",
            gettext_lazy("ID number"),
            "id_number",
            headers=("身份证号码", "公民身份号码", "身份证"),
            as_text=True,
        ),
        Field("birth_date", gettext_lazy("Date of birth"), "date", headers=("出生年月日", "出生年月", "生日")),
        Field(
            "branch",
            gettext_lazy("Member of branch"),
            "branch",
            vocabulary=Vocabulary.BRANCH,
            headers=("支部", "党支部", "所属支部", "所在党支部"),
        ),
    ]
    if phone:  # a family contact list's phone column is the contact's
        fields.append(
            Field("phone", gettext_lazy("Contact phone"), "phone", headers=("手机", "手机号", "电话"), template=False)
        )
    fields.append(Field("age", gettext_lazy("Age"), "integer", template=False))
    return fields


def _seen(check, seen: dict, key, row, column: str) -> bool:
    """Whether `key` came earlier in the file (then a problem of this row says where)."""
    if key in seen:
        check.problem(row.number, column, _("Row %(row)s already has this for the same person.") % {"row": seen[key]})
        return True
    seen[key] = row.number
    return False


# --- the roster ---------------------------------------------------------------------------------

ROSTER_CHOICES = {
    "gender": Vocabulary.GENDER,
    "category": Vocabulary.CATEGORY,
    "residence_area": Vocabulary.RESIDENCE_AREA,
    "living_situation": Vocabulary.LIVING_SITUATION,
    "care_level": Vocabulary.CARE_LEVEL,
}
ROSTER_PARSE = {"name": "name", "birth_date": "date", "branch": "branch", "phone": "phone", "phone_alt": "phone"}
# Headers offices commonly use besides the export's own.
ROSTER_HEADERS = {
    "name": ["姓 名"],
    "birth_date": ["出生年月日", "出生年月", "生日"],
    "branch": ["支部", "党支部", "所属支部", "所在党支部"],
    "category": ["人员类别", "离退休类别", "离退休", "类别"],
    "former_unit": ["原工作单位", "工作单位", "原单位"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系方式"],
    "phone_alt": ["固定电话", "座机", "家庭电话"],
    "wechat": ["微信", "微信号"],
    "residence_area": ["居住区域", "居住地点", "家属区", "住址区域"],
    "community": ["所在小区", "居住小区"],
    "address": ["家庭住址", "住址", "地址"],
    "living_situation": ["居住情况", "居住状况", "是否独居", "同住情况"],
    "care_level": ["自理情况", "自理能力", "身体状况", "失能情况"],
    "id_number": ["身份证号码", "公民身份号码", "身份证"],
}
ROSTER_REQUIRED = ("name", "gender", "birth_date", "branch")


class RosterKind(Kind):
    """The roster (名册): the registry's own export imports back unchanged."""

    key = ImportKind.ROSTER
    title = gettext_lazy("Roster (名册)")
    hint = gettext_lazy("one row per retiree; columns marked * are required; dates like 1940-05-03.")
    rehearse = False  # every row is validated against the model while it is planned
    list_url_name = "retirees:list"

    @functools.cached_property
    def fields(self) -> list[Field]:
        labels = {column.key: column.label for column in registry_spec().columns}
        return [
            Field(
                key,
                labels[key],
                "choice"
                if key in ROSTER_CHOICES
                else ROSTER_PARSE.get(key, "id_number" if key == "id_number" else "text"),
                vocabulary=ROSTER_CHOICES.get(key, Vocabulary.BRANCH if key == "branch" else ""),
                headers=tuple(ROSTER_HEADERS.get(key, ())),
                required=key in ROSTER_REQUIRED,
                as_text=key in ("phone", "phone_alt", "id_number"),
            )
            for key in ROSTER_FIELDS
        ]

    def header_aliases(self):
        return {**super().header_aliases(), **self._export_aliases()}

    def _export_aliases(self):
        aliases = {}
        for column in registry_spec().columns:
            if column.key in ROSTER_FIELDS:
                for language in ("zh-hans", "en"):
                    with translation.override(language):
                        aliases[header_key(column.label)] = column.key
        return aliases

    def plan(self, check, rows) -> None:
        parsed = []
        for row in rows:
            fields = self._fields(check, row)  # a row with a problem is still checked field by field
            if fields is not None and row.complete:
                parsed.append((row, fields))
        self._match(check, parsed)

    def _fields(self, check, row) -> dict | None:
        """The row's values as model field values, validated by the model's own field validators
        (phone, ID number checksum, lengths), in Python only; None after a problem."""
        fields = dict(row.values)
        if "*" in fields.get("id_number", ""):  # a masked export's ID number names nobody: left as it is
            del fields["id_number"]
        birth_date = fields.get("birth_date")
        if birth_date and not (1900 <= birth_date.year and birth_date <= check.today):
            check.problem(
                row.number,
                check.column("birth_date"),
                _("“%(value)s” is not a possible date of birth.") % {"value": _date(birth_date)},
            )
            return None
        probe = Retiree(**{key: value for key, value in fields.items() if key != "branch"})
        exclude = [f.name for f in Retiree._meta.fields if f.name not in fields or f.name == "branch"]
        try:
            probe.clean_fields(exclude=exclude)
        except ValidationError as error:
            for key, messages in error.message_dict.items():
                for message in messages:
                    check.problem(row.number, check.column(key), message)
            return None
        return fields

    def _match(self, check, parsed) -> None:
        """Match rows to retirees (ID number, else name + birth date); a few queries in all."""
        visible = Retiree.objects.visible_to(check.user)
        by_id = {}
        for block in chunks({fields["id_number"] for _row, fields in parsed if fields.get("id_number")}):
            by_id.update({r.id_number: r for r in visible.filter(id_number__in=block)})
        by_name: dict[tuple, list[Retiree]] = {}
        for block in chunks({fields["name"] for _row, fields in parsed}):
            for retiree in visible.filter(name__in=block):
                by_name.setdefault((retiree.name, retiree.birth_date), []).append(retiree)

        seen_keys: dict[tuple, int] = {}
        seen_matches: dict[int, int] = {}
        name_column = check.column("name")
        for row, fields in parsed:
            keys = [("name", fields["name"], fields["birth_date"])]
            if fields.get("id_number"):
                keys.append(("id", fields["id_number"]))
            duplicate = next((seen_keys[key] for key in keys if key in seen_keys), None)
            if duplicate is not None:
                check.problem(
                    row.number, name_column, _("This person already appears in row %(row)s.") % {"row": duplicate}
                )
                continue
            for key in keys:
                seen_keys[key] = row.number

            existing = by_id.get(fields.get("id_number"))
            if existing is None:
                candidates = by_name.get((fields["name"], fields["birth_date"]), [])
                if len(candidates) > 1:
                    check.problem(
                        row.number,
                        name_column,
                        _("Several retirees have this name and date of birth: add the ID number to tell them apart."),
                    )
                    continue
                existing = candidates[0] if candidates else None
                if existing and existing.id_number and fields.get("id_number"):
                    check.problem(
                        row.number,
                        check.column("id_number"),
                        _("A retiree with this name and date of birth is registered with another ID number."),
                    )
                    continue
            if existing is None:
                retiree = Retiree(**fields)
                check.changes.append(Change(row.number, CREATE, retiree.name, fields["branch"].name, subject=retiree))
                continue
            if existing.pk in seen_matches:
                check.problem(
                    row.number,
                    name_column,
                    _("This person already appears in row %(row)s.") % {"row": seen_matches[existing.pk]},
                )
                continue
            seen_matches[existing.pk] = row.number
            changed = []
            for key, value in fields.items():
                if (getattr(existing, key) or "") != (value or ""):
                    changed.append(key)
                    setattr(existing, key, value)
            check.changes.append(
                Change(
                    row.number,
                    UPDATE if changed else UNCHANGED,
                    existing.name,
                    fields["branch"].name,
                    [check.column(key) for key in changed],
                    subject=existing,
                    keys=changed,
                )
            )

    BATCH = 1000

    def write_all(self, check, progress) -> None:
        """In bulk (a few queries per thousand rows), with the same search keys, history and scope
        check, a thousand rows at a time so that the page's bar moves; one transaction for all
        (the caller's), so a refusal of the last batch still leaves nothing written."""
        todo = [change for change in check.changes if change.action in (CREATE, UPDATE)]
        progress("write", 0, len(todo), force=True)
        for start in range(0, len(todo), self.BATCH):
            batch = todo[start : start + self.BATCH]
            updated = [change for change in batch if change.action == UPDATE]
            retirees_bulk_save(
                user=check.user,
                created=[change.subject for change in batch if change.action == CREATE],
                updated=[change.subject for change in updated],
                fields=sorted({key for change in updated for key in change.keys}),
            )
            progress("write", start + len(batch), len(todo))
        progress("write", len(todo), len(todo), force=True)


# --- household contacts -------------------------------------------------------------------------


class ContactsKind(Kind):
    """Family members and caregivers (保姆): one row each, or several numbered columns in a row."""

    key = ImportKind.CONTACTS
    title = gettext_lazy("Family and caregiver contacts")
    hint = gettext_lazy(
        "one row per contact (a retiree may have several rows), or numbered columns in one row "
        "(联系人2, 联系人2电话); the retiree is found by ID number, or by name and date of birth."
    )
    list_url_name = "retirees:list"
    model_fields = {
        "name": "contact_name",
        "relation": "relation",
        "phone": "contact_phone",
        "lives_with_retiree": "lives_with",
        "is_primary": "is_primary",
        "notes": "contact_notes",
        "retiree": "name",
    }
    fields = [
        *identity_fields(phone=False),
        Field(
            "contact_name",
            gettext_lazy("Contact's name"),
            "name",
            required=True,
            group=True,
            headers=("联系人", "家属", "家属姓名", "紧急联系人", "紧急联系人姓名", "亲属姓名", "监护人", "保姆姓名"),
        ),
        Field(
            "relation",
            gettext_lazy("relation"),
            "choice",
            vocabulary=Vocabulary.RELATION,
            group=True,
            headers=("关系", "与本人关系", "与老人关系", "联系人关系", "家属关系", "亲属关系", "称谓", "与老同志关系"),
        ),
        Field(
            "contact_phone",
            gettext_lazy("Contact's phone"),
            "phone",
            group=True,
            as_text=True,
            headers=(
                "联系人电话",
                "家属电话",
                "电话",
                "联系电话",
                "手机",
                "手机号",
                "手机号码",
                "联系方式",
                "紧急联系人电话",
                "亲属电话",
                "联系人手机",
            ),
        ),
        Field(
            "lives_with",
            gettext_lazy("lives with the retiree"),
            "choice",
            vocabulary=Vocabulary.YES_NO,
            group=True,
            headers=("是否同住", "同住", "是否与老人同住", "联系人是否同住"),
        ),
        Field(
            "is_primary",
            gettext_lazy("first to call"),
            "choice",
            vocabulary=Vocabulary.YES_NO,
            group=True,
            headers=("是否首选", "首选", "优先联系", "是否首选联系人"),
        ),
        Field("contact_notes", gettext_lazy("notes"), group=True, headers=("备注", "联系人备注")),
    ]

    def plan(self, check, rows) -> None:
        rows = [row for row in rows if row.groups]
        found = self.retirees(check, rows)
        existing: dict[tuple[int, str], HouseholdContact] = {}
        for block in self.retiree_ids(found):
            for contact in HouseholdContact.objects.filter(retiree_id__in=block):
                existing[(contact.retiree_id, contact.name)] = contact
        seen: dict = {}
        primary: dict = {}
        relations = Relation.choices
        for row, retiree in found:
            for number, values in row.groups:
                name = values.get("contact_name")
                if not name:
                    check.problem(row.number, check.column("contact_name", number), _("This cell is required."))
                    continue
                if _seen(check, seen, (retiree.pk, name), row, check.column("contact_name", number)):
                    continue
                contact = existing.get((retiree.pk, name))
                if contact is None:  # a new contact needs what the database requires of one
                    missing = [key for key in ("relation", "contact_phone") if not values.get(key)]
                    for key in missing:
                        check.problem(row.number, check.column(key, number), _("This cell is required."))
                    if missing:
                        continue
                if values.get("is_primary") == YES and _seen(
                    check, primary, retiree.pk, row, check.column("is_primary", number)
                ):
                    continue
                wanted = {
                    "relation": values.get("relation") or (contact.relation if contact else ""),
                    "phone": values.get("contact_phone") or (contact.phone if contact else ""),
                    "lives_with_retiree": _yes(
                        values.get("lives_with"), contact.lives_with_retiree if contact else False
                    ),
                    "is_primary": _yes(values.get("is_primary"), contact.is_primary if contact else False),
                    "notes": values.get("contact_notes") or (contact.notes if contact else ""),
                }
                self.plan_change(
                    check,
                    row,
                    retiree,
                    contact,
                    wanted,
                    f"{name}（{_label(wanted['relation'], relations)}）",
                    household_contact_save,
                    group=number,
                    retiree=retiree,
                    contact=contact,
                    name=name,
                )


def _yes(value, default: bool) -> bool:
    return default if value is None else value == YES


# --- the ledgers --------------------------------------------------------------------------------


def _dose_headers(number: int) -> tuple[str, ...]:
    """第1剂, 第1针接种日期, 首针… (header keys write 第一 as 第1, so one spelling does for both)."""
    names = [f"第{number}剂", f"第{number}针"]
    names += {1: ["首针", "首剂"], 3: ["加强针", "第1剂加强针", "第1针加强针"], 4: ["第2剂加强针", "第2针加强针"]}.get(
        number, []
    )
    return tuple(f"{name}{tail}" for name in names for tail in ("", "接种日期", "接种时间", "日期", "时间"))


class VaccinationKind(Kind):
    """Doses (one row per dose, or the export's columns of dose dates per retiree) and willingness."""

    key = ImportKind.VACCINATION
    title = gettext_lazy("Vaccination ledger")
    hint = gettext_lazy(
        "one row per dose: which dose (1 to 4, or 第一剂) and its date; or the vaccination ledger exported by this app."
    )
    export_spec = staticmethod(vaccination_spec)
    export_columns = {
        "doses": None,  # how many doses: counted from the dates, not imported
        "last_product": "product",
        "last_site": "site",
        "last_arrangement": "arrangement",
    }
    model_fields = {"dose_number": "dose_number", "given_on": "given_on", "reason": "stance_reason", "retiree": "name"}
    list_url_name = "ledgers:vaccination"
    fields = [
        *identity_fields(),
        Field(
            "dose_number",
            gettext_lazy("dose"),
            "choice",
            vocabulary=Vocabulary.DOSE_NUMBER,
            headers=("第几剂", "第几针", "针次", "剂次", "接种针次", "第几剂次"),
        ),
        Field("given_on", gettext_lazy("date given"), "date", headers=("接种时间", "接种日", "日期")),
        *[
            Field(f"dose{number}_on", label, "date", headers=_dose_headers(number), template=False)
            for number, label in zip(
                range(1, MAX_DOSE_NUMBER + 1),
                [gettext_lazy("Dose 1"), gettext_lazy("Dose 2"), gettext_lazy("Dose 3"), gettext_lazy("Dose 4")],
                strict=True,
            )
        ],
        Field(
            "product",
            gettext_lazy("vaccine"),
            headers=("疫苗名称", "疫苗厂家", "生产厂家", "生产企业", "疫苗种类", "疫苗品牌", "疫苗类型"),
        ),
        Field("site", gettext_lazy("vaccination site"), headers=("接种地点", "接种单位", "接种点名称")),
        Field(
            "arrangement",
            gettext_lazy("Arrangement"),
            "choice",
            vocabulary=Vocabulary.ARRANGEMENT,
            headers=("方式", "如何接种"),
        ),
        Field(
            "stance",
            gettext_lazy("Willingness"),
            "choice",
            vocabulary=Vocabulary.STANCE,
            headers=("意愿", "是否愿意接种"),
        ),
        Field("stance_reason", gettext_lazy("Reason"), headers=("未接种原因", "不接种原因", "禁忌原因", "禁忌症")),
    ]

    def adjust_columns(self, columns, header_keys):
        """接种剂次 is how many doses in the app's export (beside a date column per dose), but the
        dose's number in a ledger of one row per dose (beside one date column)."""
        keys = {key for key, _group in columns.values()}
        per_dose = any(f"dose{number}_on" in keys for number in range(1, MAX_DOSE_NUMBER + 1))
        if "given_on" in keys and "dose_number" not in keys and not per_dose:
            for position, key in enumerate(header_keys):
                if key == header_key("接种剂次") and position not in columns:
                    return {**columns, position: ("dose_number", 0)}
        return columns

    def plan(self, check, rows) -> None:
        detail = ("product", "site", "arrangement")
        rows = [
            row
            for row in rows
            if any(key not in ("name", "id_number", "birth_date", "branch", "phone", "age") for key in row.values)
        ]
        found = self.retirees(check, rows)
        doses, stances = {}, {}
        for block in self.retiree_ids(found):
            doses.update(
                {(d.retiree_id, d.dose_number): d for d in VaccinationDose.objects.filter(retiree_id__in=block)}
            )
            for stance in VaccinationStance.objects.filter(retiree_id__in=block).order_by(
                "retiree_id", "stated_on", "id"
            ):
                stances[stance.retiree_id] = stance  # the latest one last
        seen: dict = {}
        stated: dict = {}  # retiree -> the willingness (and reason) the file gives
        for row, retiree in found:
            values = row.values
            given = {}
            if values.get("dose_number"):
                if not values.get("given_on"):
                    check.problem(row.number, check.column("given_on"), _("This cell is required."))
                    continue
                given[int(values["dose_number"])] = values["given_on"]
            else:
                given = {n: values[f"dose{n}_on"] for n in range(1, MAX_DOSE_NUMBER + 1) if values.get(f"dose{n}_on")}
            if not given and any(values.get(key) for key in detail):
                check.problem(
                    row.number,
                    check.column(
                        "product" if values.get("product") else "site" if values.get("site") else "arrangement"
                    ),
                    _("Say which dose this is: fill in the dose and the date it was given."),
                )
                continue
            last = max(given) if given else None
            for number, given_on in sorted(given.items()):
                if _seen(check, seen, (retiree.pk, "dose", number), row, check.column("dose_number")):
                    continue
                self._dose(
                    check,
                    row,
                    retiree,
                    doses.get((retiree.pk, number)),
                    number,
                    given_on,
                    values if number == last else {},
                )
            if values.get("stance"):
                said = (values["stance"], values.get("stance_reason", ""))
                if stated.get(retiree.pk, said) != said:  # the same stance on each dose's row is one stance
                    _seen(check, seen, (retiree.pk, "stance"), row, check.column("stance"))
                    continue
                if retiree.pk in stated:
                    continue
                stated[retiree.pk] = said
                seen[(retiree.pk, "stance")] = row.number
                self._stance(
                    check, row, retiree, stances.get(retiree.pk), values["stance"], values.get("stance_reason", "")
                )

    def _dose(self, check, row, retiree, dose, number, given_on, details) -> None:
        wanted = {
            "given_on": given_on,
            "product": details.get("product") or (dose.product if dose else ""),
            "site": details.get("site") or (dose.site if dose else ""),
            "arrangement": details.get("arrangement") or (dose.arrangement if dose else Arrangement.SELF),
        }
        self.plan_change(
            check,
            row,
            retiree,
            dose,
            wanted,
            f"{DOSE_LABELS[number]} {_date(given_on)}",
            services.vaccination_record,
            retiree=retiree,
            dose_number=number,
            notes=dose.notes if dose else "",
        )

    def _stance(self, check, row, retiree, latest, stance, reason) -> None:
        # A willingness is never corrected in place: one that differs from the latest is stated
        # anew (the ledger keeps what each was), so nothing is compared field by field.
        same = latest is not None and latest.stance == stance and (not reason or latest.reason == reason)
        self.plan_change(
            check,
            row,
            retiree,
            latest if same else None,
            {},
            f"{_('Willingness')}：{_label(stance, Stance.choices)}",
            services.vaccination_stance_record,
            retiree=retiree,
            stance=stance,
            stated_on=check.today,
            reason=reason,
        )


class TestingKind(Kind):
    """Nucleic-acid tests: one per retiree and day (a second one for the day corrects the first)."""

    key = ImportKind.TESTING
    title = gettext_lazy("Nucleic-acid test ledger")
    hint = gettext_lazy("one row per test: its date and result; or the test ledger exported by this app.")
    export_spec = staticmethod(testing_spec)
    export_columns = {"last_tested_on": "tested_on", "last_result": "result", "last_test_site": "site", "tests": None}
    model_fields = {"tested_on": "tested_on", "result": "result", "site": "site", "retiree": "name"}
    list_url_name = "ledgers:testing"
    fields = [
        *identity_fields(),
        Field(
            "tested_on",
            gettext_lazy("test date"),
            "date",
            headers=("采样日期", "核酸检测日期", "检测时间", "采样时间", "核酸日期", "日期"),
        ),
        Field(
            "result",
            gettext_lazy("Result"),
            "choice",
            vocabulary=Vocabulary.TEST_RESULT,
            headers=("检测结果", "核酸结果", "核酸检测结果"),
        ),
        Field("site", gettext_lazy("Test site"), headers=("采样点", "检测地点", "采样地点", "检测机构")),
    ]

    def plan(self, check, rows) -> None:
        rows = [row for row in rows if any(row.values.get(key) for key in ("tested_on", "result", "site"))]
        found = self.retirees(check, rows)
        tests = {}
        for block in self.retiree_ids(found):
            tests.update({(t.retiree_id, t.tested_on): t for t in NucleicTest.objects.filter(retiree_id__in=block)})
        seen: dict = {}
        for row, retiree in found:
            values = row.values
            if not values.get("tested_on"):
                check.problem(row.number, check.column("tested_on"), _("This cell is required."))
                continue
            if _seen(check, seen, (retiree.pk, values["tested_on"]), row, check.column("tested_on")):
                continue
            test = tests.get((retiree.pk, values["tested_on"]))
            if test is None and not values.get("result"):
                check.problem(row.number, check.column("result"), _("This cell is required."))
                continue
            wanted = {
                "result": values.get("result") or test.result,
                "site": values.get("site") or (test.site if test else ""),
            }
            self.plan_change(
                check,
                row,
                retiree,
                test,
                wanted,
                f"{_date(values['tested_on'])} {_label(wanted['result'], TestResult.choices)}",
                services.nucleic_test_record,
                retiree=retiree,
                tested_on=values["tested_on"],
            )


class ExposureImportKind(Kind):
    """Exposure events (涉疫): one per retiree, kind and start date; a later file may lift one."""

    key = ImportKind.EXPOSURE
    title = gettext_lazy("Exposure ledger")
    hint = gettext_lazy("one row per exposure: its kind and start date; or the exposure ledger exported by this app.")
    export_spec = staticmethod(exposure_spec)
    export_columns = {"community": None}
    model_fields = {
        "kind": "kind",
        "started_on": "started_on",
        "ended_on": "ended_on",
        "status": "status",
        "notes": "notes",
        "retiree": "name",
    }
    list_url_name = "ledgers:exposure"
    fields = [
        *identity_fields(),
        Field(
            "kind",
            gettext_lazy("Kind"),
            "choice",
            vocabulary=Vocabulary.EXPOSURE_KIND,
            headers=("涉疫类型", "涉疫情况", "人员类型", "风险类型", "类别", "涉疫人员类型"),
        ),
        Field(
            "started_on",
            gettext_lazy("From"),
            "date",
            headers=("开始时间", "起始日期", "隔离开始日期", "管控开始日期", "封控开始日期", "开始"),
        ),
        Field(
            "ended_on", gettext_lazy("Until"), "date", headers=("结束时间", "解除日期", "解除时间", "截止日期", "结束")
        ),
        Field(
            "status",
            gettext_lazy("Status"),
            "choice",
            vocabulary=Vocabulary.EXPOSURE_STATUS,
            headers=("当前状态", "是否解除"),
        ),
        Field("notes", gettext_lazy("Notes"), headers=("说明", "情况说明")),
    ]

    def plan(self, check, rows) -> None:
        data = ("kind", "started_on", "ended_on", "status", "notes")
        rows = [row for row in rows if any(row.values.get(key) for key in data)]
        found = self.retirees(check, rows)
        events = {}
        for block in self.retiree_ids(found):
            for event in ExposureEvent.objects.filter(retiree_id__in=block):
                events[(event.retiree_id, event.kind, event.started_on)] = event
        seen: dict = {}
        for row, retiree in found:
            values = row.values
            missing = [key for key in ("kind", "started_on") if not values.get(key)]
            for key in missing:
                check.problem(row.number, check.column(key), _("This cell is required."))
            if missing:
                continue
            key = (retiree.pk, values["kind"], values["started_on"])
            if _seen(check, seen, key, row, check.column("started_on")):
                continue
            event = events.get(key)
            ended_on = values.get("ended_on") or (event.ended_on if event else None)
            if event is not None:
                status = values.get("status") or event.status
            else:  # as a contact records it: ended by today means lifted
                ended = ended_on is not None and ended_on <= check.today
                status = values.get("status") or (ExposureStatus.LIFTED if ended else ExposureStatus.ONGOING)
            wanted = {
                "ended_on": ended_on,
                "status": status,
                "notes": values.get("notes") or (event.notes if event else ""),
            }
            self.plan_change(
                check,
                row,
                retiree,
                event,
                wanted,
                f"{_label(values['kind'], ExposureKind.choices)} {_date(values['started_on'])}",
                services.exposure_record,
                retiree=retiree,
                kind=values["kind"],
                started_on=values["started_on"],
            )


class HealthKind(Kind):
    """Health records: how a retiree was found on a date."""

    key = ImportKind.HEALTH
    title = gettext_lazy("Health ledger")
    hint = gettext_lazy(
        "one row per health record: its date and the health found; or the health ledger exported by this app."
    )
    export_spec = staticmethod(health_spec)
    export_columns = {"health": "condition", "health_on": "recorded_on", "health_notes": "notes"}
    model_fields = {"recorded_on": "recorded_on", "condition": "condition", "notes": "notes", "retiree": "name"}
    list_url_name = "ledgers:health"
    fields = [
        *identity_fields(),
        Field(
            "recorded_on",
            gettext_lazy("Recorded on"),
            "date",
            headers=("日期", "登记日期", "了解日期", "摸排日期", "记录时间"),
        ),
        Field(
            "condition",
            gettext_lazy("Health"),
            "choice",
            vocabulary=Vocabulary.CONDITION,
            headers=("身体状况", "身体情况", "健康情况"),
        ),
        Field("notes", gettext_lazy("Notes"), headers=("说明", "情况说明")),
    ]

    def plan(self, check, rows) -> None:
        rows = [row for row in rows if any(row.values.get(key) for key in ("recorded_on", "condition", "notes"))]
        found = self.retirees(check, rows)
        records: dict[tuple, list[HealthRecord]] = {}
        for block in self.retiree_ids(found):
            for record in HealthRecord.objects.filter(retiree_id__in=block).order_by("id"):
                records.setdefault((record.retiree_id, record.recorded_on), []).append(record)
        seen: dict = {}
        for row, retiree in found:
            values = row.values
            missing = [key for key in ("recorded_on", "condition") if not values.get(key)]
            for key in missing:
                check.problem(row.number, check.column(key), _("This cell is required."))
            if missing:
                continue
            key = (retiree.pk, values["recorded_on"], values["condition"])
            if _seen(check, seen, key, row, check.column("recorded_on")):
                continue
            # The same finding on the same day is the same record (its notes may be corrected);
            # another finding that day is one more record.
            same = [r for r in records.get(key[:2], []) if r.condition == values["condition"]]
            record = same[-1] if same else None
            if record is None:
                service = services.health_record
                arguments = {"retiree": retiree, "recorded_on": values["recorded_on"], "condition": values["condition"]}
            else:
                service, arguments = services.health_record_correct, {"entry": record, "condition": record.condition}
            self.plan_change(
                check,
                row,
                retiree,
                record,
                {"notes": values.get("notes") or (record.notes if record else "")},
                f"{_date(values['recorded_on'])} {_label(values['condition'], Condition.choices)}",
                service,
                **arguments,
            )


KINDS = {
    kind.key: kind
    for kind in [RosterKind(), ContactsKind(), VaccinationKind(), TestingKind(), ExposureImportKind(), HealthKind()]
}
