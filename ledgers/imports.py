"""Roster (名册) import: read an XLSX or CSV, check every row, plan the changes.

Nothing here writes: `roster_plan` returns the plan and every problem (row, column, message,
all translated), and `services.roster_import_apply` writes a plan without problems in one
transaction. Columns are recognised by the registry export's headers (in Chinese or English)
and the names offices commonly use, so an exported registry imports back unchanged.
"""

import csv
import datetime
import io
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.escape import unescape

from branches.models import Branch
from core.dates import local_today
from core.exports import FORMULA_PREFIXES
from core.uploads import CSV, XLSX, check_content
from retirees.choices import CareLevel, Category, Gender, LivingSituation, ResidenceArea
from retirees.exports import registry_spec
from retirees.fields import ROSTER_FIELDS
from retirees.models import Retiree
from retirees.validators import normalize_id_number, normalize_phone

MAX_ROWS = 5000
MAX_COLUMNS = 60
HEADER_SEARCH_ROWS = 10
ROSTER_KINDS = (XLSX, CSV)
# Roster uploads above this size are refused before they are read.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

REQUIRED = ("name", "gender", "birth_date", "branch")
IMPORTED = ROSTER_FIELDS
# Headers offices commonly use besides the export's own (normalised: no spaces, no "*").
EXTRA_HEADERS = {
    "birth_date": ["出生年月日", "出生年月", "生日"],
    "branch": ["支部", "党支部", "所属支部"],
    "category": ["人员类别", "离退休类别", "离退休"],
    "former_unit": ["原工作单位", "工作单位"],
    "phone": ["手机", "手机号", "手机号码", "电话", "联系方式"],
    "phone_alt": ["固定电话", "座机", "家庭电话"],
    "wechat": ["微信"],
    "community": ["所在小区", "居住小区"],
    "address": ["家庭住址", "住址", "地址"],
    "id_number": ["身份证号码", "公民身份号码", "身份证"],
}
CHOICE_FIELDS = {
    "gender": Gender,
    "category": Category,
    "residence_area": ResidenceArea,
    "living_situation": LivingSituation,
    "care_level": CareLevel,
}
EXTRA_CHOICES = {
    "gender": {"M": "male", "F": "female"},
    "category": {"离休干部": "lixiu", "退休干部": "tuixiu", "退休职工": "tuixiu"},
    # The labels these areas had before they took the seed's wording (东家属区), in older files.
    "residence_area": {
        "东区": "east",
        "北区": "north",
        "校外": "off_campus",
        "东区家属区": "east",
        "北区家属区": "north",
    },
}


class RosterFileError(Exception):
    """The file cannot be read at all; the message is translated and shown as it is."""


@dataclass
class Problem:
    row: int | None
    column: str
    message: str


@dataclass
class RowPlan:
    row: int
    retiree: Retiree
    action: str  # "create", "update" or "unchanged"
    changes: list[str] = field(default_factory=list)  # the changed columns' labels, for the preview
    fields: list[str] = field(default_factory=list)  # the changed fields' names, for the update


@dataclass
class RosterPlan:
    problems: list[Problem] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def summary(self) -> dict:
        return {action: self.count(action) for action in ("create", "update", "unchanged")}


def clean_text(value) -> str:
    """A cell as text: full-width characters to ASCII, surrounding spaces removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe an export put before a formula-like text (see core.exports.neutralise)."""
    if text.startswith("'") and text[1:].startswith(FORMULA_PREFIXES):
        return text[1:]
    return text


def _header_key(value) -> str:
    return "".join(clean_text(value).split()).replace("*", "").lower()


def header_aliases() -> dict[str, str]:
    """Normalised header text -> field key, from the export's labels in every language and the extras."""
    aliases = {}
    for column in registry_spec().columns:
        if column.key in IMPORTED:
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    aliases[_header_key(column.label)] = column.key
    for key, names in EXTRA_HEADERS.items():
        for name in names:
            aliases.setdefault(_header_key(name), key)
    return aliases


def choice_aliases(field_name: str) -> dict[str, str]:
    choices = CHOICE_FIELDS[field_name]
    aliases = {}
    for value, label in choices.choices:
        aliases[_header_key(value)] = value
        for language in ("zh-hans", "en"):
            with translation.override(language):
                text = str(label)
            aliases[_header_key(text)] = value
            # "离休干部 (离休)" style labels: accept the parts too.
            for part in re.split(r"[()（）]", text):
                if part.strip():
                    aliases.setdefault(_header_key(part), value)
    for alias, value in EXTRA_CHOICES.get(field_name, {}).items():
        aliases.setdefault(_header_key(alias), value)
    return aliases


# 1940-05-03, 1940/5/3, 1940.5.3, 1940年5月3日, optionally followed by a time of day.
_DATE_TEXT = re.compile(
    r"^(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)


def parse_date(value) -> datetime.date:
    """A date as offices type it: an Excel date, 1940-05-03, 1940/5/3, 1940.5.3, 1940年5月3日, 19400503."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 100000:
        converted = from_excel(value)  # an Excel serial number in a cell not formatted as a date
        return converted.date() if isinstance(converted, datetime.datetime) else converted
    text = clean_text(value)
    match = _DATE_TEXT.match(text) or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    if not match:
        raise ValueError(text)
    return datetime.date(int(match[1]), int(match[2]), int(match[3]))


def read_table(content: bytes, filename: str) -> list[tuple[int, list]]:
    """The non-blank rows of the file as (row number, cell values). Raises RosterFileError.

    The content goes through the app's one upload checker again (a stored upload is read again
    when confirmed), which also says whether it is a workbook or a CSV: the name does not decide.
    """
    try:
        kind = check_content(content, name=filename, accept=ROSTER_KINDS, max_bytes=MAX_UPLOAD_BYTES)
    except ValidationError as error:
        raise RosterFileError(error.messages[0]) from None
    if kind == CSV:
        return _read_csv(content)
    return _read_xlsx(content)


def _read_xlsx(content: bytes) -> list[tuple[int, list]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        raise RosterFileError(_("This is not a valid .xlsx file, or it is damaged. Save it again in Excel.")) from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if any(clean_text(value) for value in values):
                if len(table) >= MAX_ROWS + HEADER_SEARCH_ROWS:
                    raise RosterFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
                # Excel (and our export) write control characters as _xHHHH_; openpyxl leaves them so.
                table.append((number, [unescape(v) if isinstance(v, str) and "_x" in v else v for v in values]))
        return table
    except RosterFileError:
        raise
    except Exception:
        raise RosterFileError(_("This is not a valid .xlsx file, or it is damaged. Save it again in Excel.")) from None
    finally:
        workbook.close()


def _read_csv(content: bytes) -> list[tuple[int, list]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_("The CSV file's text encoding is not recognised: save it as UTF-8 CSV."))
    if "\x00" in text:
        raise RosterFileError(_("This is not a CSV text file."))
    table = []
    try:
        for number, values in enumerate(csv.reader(io.StringIO(text)), start=1):
            if any(clean_text(value) for value in values):
                if len(table) >= MAX_ROWS + HEADER_SEARCH_ROWS:
                    raise RosterFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
                table.append((number, values[:MAX_COLUMNS]))
    except csv.Error:
        raise RosterFileError(_("The CSV file is malformed: save it again from Excel.")) from None
    return table


def _find_header(table, aliases) -> tuple[int, dict[int, str]]:
    """The index in `table` of the header row, and column index -> field key."""
    for index, (_number, values) in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns = {}
        for position, value in enumerate(values):
            key = aliases.get(_header_key(value))
            if key and key not in columns.values():
                columns[position] = key
        if "name" in columns.values() and len(columns) >= 2:
            return index, columns
    return -1, {}


def _labels() -> dict[str, str]:
    """Field key -> the registry export's column label, in the active language."""
    return {column.key: str(column.label) for column in registry_spec().columns}


def _label(key: str) -> str:
    return _labels().get(key, key)


def roster_plan(*, user, content: bytes, filename: str) -> RosterPlan:
    """Check every row of the roster and plan what importing it would change (reads only)."""
    plan = RosterPlan()
    try:
        table = read_table(content, filename)
    except RosterFileError as error:
        plan.problems.append(Problem(None, "", str(error)))
        return plan
    header_index, columns = _find_header(table, header_aliases())
    if header_index < 0:
        plan.problems.append(
            Problem(None, "", _("No header row found: the first rows must include a column named 姓名."))
        )
        return plan
    missing = [key for key in REQUIRED if key not in columns.values()]
    for key in missing:
        plan.problems.append(Problem(None, _label(key), _("This required column is missing.")))
    if missing:
        return plan
    data = table[header_index + 1 :]
    if not data:
        plan.problems.append(Problem(None, "", _("The file has no rows below the header.")))
        return plan
    if len(data) > MAX_ROWS:
        plan.problems.append(Problem(None, "", _("The file has more than %(max)s rows.") % {"max": MAX_ROWS}))
        return plan

    branches = {}
    for branch in Branch.objects.visible_to(user):
        branches[_header_key(branch.name)] = branch
        if branch.short_name:
            branches.setdefault(_header_key(branch.short_name), branch)
    choices = {name: choice_aliases(name) for name in CHOICE_FIELDS}
    parsed = []
    for number, values in data:
        row = {key: (values[position] if position < len(values) else None) for position, key in columns.items()}
        parsed_row = _parse_row(plan, number, row, branches, choices)
        if parsed_row is not None:
            parsed.append((number, *parsed_row))
    _match_and_plan(plan, user, parsed)
    return plan


def _parse_row(plan, number, row, branches, choices) -> tuple[dict, Retiree] | None:
    """The row's values as model field values (blank ones left out), and an unsaved retiree
    holding them (validated); None after a problem."""
    problems_before = len(plan.problems)

    def problem(key, message):
        plan.problems.append(Problem(number, _label(key), message))

    fields = {}
    for key, raw in row.items():
        text = undo_neutralise(clean_text(raw))
        if not text:
            if key in REQUIRED:
                problem(key, _("This cell is required."))
            continue
        if key == "name":
            fields["name"] = "".join(text.split())
        elif key == "birth_date":
            try:
                fields["birth_date"] = parse_date(raw)
            except (ValueError, OverflowError):
                problem(key, _("“%(value)s” is not a date: write it like 1940-05-03.") % {"value": text})
                continue
            if not (1900 <= fields["birth_date"].year and fields["birth_date"] <= local_today()):
                problem(key, _("“%(value)s” is not a possible date of birth.") % {"value": text})
        elif key == "branch":
            branch = branches.get(_header_key(text))
            if branch is None:
                problem(key, _("There is no branch named “%(value)s”.") % {"value": text})
            fields["branch"] = branch
        elif key in CHOICE_FIELDS:
            value = choices[key].get(_header_key(text))
            if value is None:
                allowed = "、".join(str(label) for label in CHOICE_FIELDS[key].labels)
                problem(key, _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})
            fields[key] = value
        elif key in ("phone", "phone_alt"):
            fields[key] = normalize_phone(text)
        elif key == "id_number":
            if isinstance(raw, float) or (isinstance(raw, int) and len(str(raw)) >= 15):
                problem(key, _("The ID number was stored as a number and lost digits: format the column as text."))
                continue
            fields[key] = normalize_id_number(text)
        else:
            fields[key] = text
    if len(plan.problems) > problems_before:
        return None
    # The model's own field validators (phone, ID number checksum, lengths), in Python only.
    probe = Retiree(**{key: value for key, value in fields.items() if key != "branch"})
    try:
        probe.clean_fields(exclude=[f.name for f in Retiree._meta.fields if f.name not in fields or f.name == "branch"])
    except ValidationError as error:
        for key, messages in error.message_dict.items():
            for message in messages:
                problem(key, message)
        return None
    probe.branch = fields["branch"]
    return fields, probe


def _match_and_plan(plan: RosterPlan, user, parsed: list[tuple[int, dict, Retiree]]) -> None:
    """Match rows to existing retirees (ID number, else name + birth date); two queries in all."""
    visible = Retiree.objects.visible_to(user)
    ids = {fields["id_number"] for _n, fields, _new in parsed if fields.get("id_number")}
    by_id = {r.id_number: r for r in visible.filter(id_number__in=ids)} if ids else {}
    names = {fields["name"] for _n, fields, _new in parsed}
    by_name: dict[tuple, list[Retiree]] = {}
    for retiree in visible.filter(name__in=names):
        by_name.setdefault((retiree.name, retiree.birth_date), []).append(retiree)

    seen_keys: dict[tuple, int] = {}
    seen_matches: dict[int, int] = {}
    labels = _labels()
    for number, fields, new in parsed:
        keys = [("name", fields["name"], fields["birth_date"])]
        if fields.get("id_number"):
            keys.append(("id", fields["id_number"]))
        duplicate = next((seen_keys[key] for key in keys if key in seen_keys), None)
        if duplicate is not None:
            plan.problems.append(
                Problem(number, _label("name"), _("This person already appears in row %(row)s.") % {"row": duplicate})
            )
            continue
        for key in keys:
            seen_keys[key] = number

        existing = by_id.get(fields.get("id_number"))
        if existing is None:
            candidates = by_name.get((fields["name"], fields["birth_date"]), [])
            if len(candidates) > 1:
                plan.problems.append(
                    Problem(
                        number,
                        _label("name"),
                        _("Several retirees have this name and date of birth: add the ID number to tell them apart."),
                    )
                )
                continue
            existing = candidates[0] if candidates else None
            if existing and existing.id_number and fields.get("id_number"):
                plan.problems.append(
                    Problem(
                        number,
                        _label("id_number"),
                        _("A retiree with this name and date of birth is registered with another ID number."),
                    )
                )
                continue
        if existing is not None:
            if existing.pk in seen_matches:
                plan.problems.append(
                    Problem(
                        number,
                        _label("name"),
                        _("This person already appears in row %(row)s.") % {"row": seen_matches[existing.pk]},
                    )
                )
                continue
            seen_matches[existing.pk] = number
            changed = []
            for key, value in fields.items():
                current = getattr(existing, key)
                if (current or "") != (value or ""):
                    changed.append(key)
                    setattr(existing, key, value)
            changes = [labels.get(key, key) for key in changed]
            plan.rows.append(RowPlan(number, existing, "update" if changed else "unchanged", changes, changed))
        else:
            plan.rows.append(RowPlan(number, new, "create"))


def template_columns() -> list[str]:
    """The headers of the downloadable roster template, required ones marked with *."""
    return [f"{_label(key)}{'*' if key in REQUIRED else ''}" for key in IMPORTED]
