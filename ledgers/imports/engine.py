"""The import engine: one reader, checker and writer for every kind of file (kinds.py).

A kind declares its fields (what each column means and the names offices give it) and how a
parsed row becomes changes; the engine does the rest the same way for all of them:

1. read the file (reading.py, through core.sheets) and find its header row, numbered columns included
   (联系人1, 联系人2电话: a contact's columns may repeat);
2. parse each cell (dates as offices write them, phones, ID numbers, every coded value through
   the vocabularies), listing each problem with its row and column, and each value that matches
   nothing once, as a prompt to map it, however many rows hold it;
3. let the kind match rows to retirees and plan the changes (create, update, unchanged);
4. write the changes through the app's services: once inside a transaction that is rolled back
   (the check: every refusal a service or the database would give is a problem of its row), and
   once for real when the upload is confirmed, all or nothing.

Nothing here knows the web or Celery: `ledgers.imports.runs` drives it for an upload.
"""

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.dates import local_today
from core.exports import FILE_LANGUAGE, apply_print_layout
from core.sheets import HEADER_SEARCH_ROWS, SheetError, clean_text, undo_neutralise
from retirees.models import Retiree
from retirees.validators import normalize_id_number, normalize_phone

from .reading import MAX_ROWS, parse_date, plain_text, read_table
from .vocabularies import Resolver, numeral_key, prompt_key

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
# The preview lists at most this many changes (the summary counts them all) and names at most
# this many rows of a value to map.
SHOWN_CHANGES = 200
SHOWN_PROMPT_ROWS = 12
# Rows are looked up in the registry this many names or ID numbers at a time (SQLite's limit on
# a query's parameters is the smallest).
LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class Field:
    """What a column holds, and the names offices give it besides the export's own label."""

    key: str
    label: Any
    parse: str = "text"  # text | name | date | choice | branch | phone | id_number | integer
    vocabulary: str = ""
    headers: tuple[str, ...] = ()
    required: bool = False  # the column must be there and its cell filled
    group: bool = False  # may repeat, numbered (a family contact's columns: 联系人1, 联系人2电话)
    template: bool = True  # a column of the downloadable template
    as_text: bool = False  # formatted as text in the template, so that Excel keeps every digit


@dataclass
class Row:
    """A data row: its number in the file and its non-blank cells, parsed (numbered columns in `groups`)."""

    number: int
    values: dict = field(default_factory=dict)
    groups: list[tuple[int, dict]] = field(default_factory=list)  # (the columns' number, their values)
    complete: bool = True  # no problem and no value left to map in it


@dataclass
class Change:
    """One thing a row changes: its row, what it does, to whom, and how to write it."""

    row: int
    action: str
    who: str
    what: str = ""
    fields: list[str] = field(default_factory=list)  # the labels of what an update changes
    write: Callable[[], Any] | None = None
    group: int = 0  # which of the row's numbered contacts
    subject: Any = None  # what a kind that writes in bulk writes (the roster's unsaved or changed retiree)
    keys: list[str] = field(default_factory=list)  # the model fields an update changes


class Check:
    """The findings of one check of one file: problems, values to map, changes."""

    def __init__(self, *, user, kind, progress=None):
        self.user = user
        self.kind = kind
        self.today = local_today()
        self.progress = progress or (lambda *args, **kwargs: None)
        self.resolver = Resolver(user=user, vocabularies={f.vocabulary for f in kind.fields if f.vocabulary})
        self.problems: list[tuple] = []
        self.prompts: dict[tuple[str, str], dict] = {}
        self.changes: list[Change] = []
        self.rows = 0
        # (field key, group number) -> the column's header as the file writes it, for problems
        self.headers: dict[tuple[str, int], str] = {}

    def column(self, key: str, group: int = 0) -> str:
        """The file's own header of a column, else the field's label."""
        if (key, group) in self.headers:
            return self.headers[(key, group)]
        return str(next((spec.label for spec in self.kind.fields if spec.key == key), key))

    def problem(self, row: int | None, column, message: str) -> None:
        self.problems.append((row, str(column or ""), str(message)))

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def summary(self) -> dict:
        return {action: self.count(action) for action in (CREATE, UPDATE, UNCHANGED)}

    def as_result(self) -> dict:
        """What the preview shows, as JSON for the upload: every problem, every value to map, the
        counts, and the first SHOWN_CHANGES changes."""
        shown = [change for change in self.changes if change.action != UNCHANGED]
        return {
            "rows": self.rows,
            "problems": [list(problem) for problem in sorted(self.problems, key=lambda p: p[0] or 0)],
            "prompts": [
                {**prompt, "rows": prompt["rows"][:SHOWN_PROMPT_ROWS], "count": len(prompt["rows"])}
                for prompt in self.prompts.values()
            ],
            "summary": self.summary,
            "changes": [[c.row, c.action, c.who, c.what, c.fields] for c in shown[:SHOWN_CHANGES]],
            "more_changes": max(0, len(shown) - SHOWN_CHANGES),
        }

    # --- cells --------------------------------------------------------------------------------

    def parse_cell(self, spec: Field, raw, row: Row, group: int = 0):
        """The cell's value, or None when blank or wrong (then the row has a problem or a prompt)."""
        text = undo_neutralise(clean_text(raw))
        if not text:
            return None
        if spec.parse == "name":
            return "".join(text.split())
        if spec.parse == "date":
            try:
                return parse_date(raw)
            except (ValueError, OverflowError):
                self._wrong(
                    row, spec, group, _("“%(value)s” is not a date: write it like 1940-05-03.") % {"value": text}
                )
                return None
        if spec.parse in ("choice", "branch"):
            value = self.resolver.lookup(spec.vocabulary, text)
            if value is None:
                self._ask(row, spec, group, text)
            return value
        if spec.parse == "phone":
            return normalize_phone(text)
        if spec.parse == "id_number":
            if isinstance(raw, float) or (isinstance(raw, int) and len(str(raw)) >= 15):
                self._wrong(
                    row,
                    spec,
                    group,
                    _("The ID number was stored as a number and lost digits: format the column as text."),
                )
                return None
            return normalize_id_number(text)
        if spec.parse == "integer":
            if not text.isdigit():
                self._wrong(row, spec, group, _("“%(value)s” is not a whole number.") % {"value": text})
                return None
            return int(text)
        # Free text as written: NFKC would turn the office's ，（） into ASCII and every re-import
        # of its own notes into a change.
        return undo_neutralise(plain_text(raw))

    def _wrong(self, row: Row, spec: Field, group: int, message: str) -> None:
        row.complete = False
        self.problem(row.number, self.column(spec.key, group), message)

    def _ask(self, row: Row, spec: Field, group: int, text: str) -> None:
        """A value that matches nothing: asked once, with every row that holds it."""
        row.complete = False
        key = prompt_key(spec.vocabulary, text)
        prompt = self.prompts.get((spec.vocabulary, key))
        if prompt is None:
            prompt = self.prompts[(spec.vocabulary, key)] = {
                "vocabulary": spec.vocabulary,
                "text": text,
                "column": self.column(spec.key, group),
                "rows": [],
            }
        prompt["rows"].append(row.number)

    def refused_column(self, model_field: str, group: int = 0) -> str:
        """The file's column of a model field a service refused ("" for the entry as a whole)."""
        if model_field == "__all__":
            return ""
        key = self.kind.model_fields.get(model_field, model_field)
        return self.column(key, group) if any(spec.key == key for spec in self.kind.fields) else ""

    # --- writing ------------------------------------------------------------------------------

    def write(self, *, stage: str) -> None:
        """Write every planned change in order; a refusal becomes a problem of its row.

        Each service runs in its own savepoint, so one refused row leaves the others written and
        every refusal is found in one pass; the caller decides whether the whole is kept.
        """
        todo = [change for change in self.changes if change.write is not None and change.action != UNCHANGED]
        for done, change in enumerate(todo, start=1):
            try:
                change.write()
            except ValidationError as error:
                if hasattr(error, "error_dict"):
                    for name, messages in error.message_dict.items():
                        for message in messages:
                            self.problem(change.row, self.refused_column(name, change.group), message)
                else:
                    for message in error.messages:
                        self.problem(change.row, "", message)
            except PermissionDenied:
                self.problem(change.row, "", _("This retiree is outside your scope."))
            self.progress(stage, done, len(todo))
        self.progress(stage, len(todo), len(todo), force=True)


def header_key(value) -> str:
    return numeral_key(clean_text(value).replace("*", ""))


def check_file(*, user, kind, content: bytes, filename: str, progress=None, rehearse: bool = True) -> Check:
    """Check `content` as a file of `kind` and plan its changes; writes nothing.

    With `rehearse`, the changes are also written inside a transaction that is then rolled back,
    so that what a service or the database would refuse is a problem now, not at the import.
    """
    check = Check(user=user, kind=kind, progress=progress)
    rows = parse_file(check, content, filename)
    if rows is None:
        return check
    # Every row, so that a kind may still check what can be checked of a row with a problem;
    # only complete rows are matched and planned.
    kind.plan(check, rows)
    if rehearse and not check.problems and not check.prompts and kind.rehearse:
        with transaction.atomic():
            check.write(stage="rehearse")
            transaction.set_rollback(True)
    return check


def parse_file(check: Check, content: bytes, filename: str) -> list[Row] | None:
    """The file's data rows, parsed; None (with a problem) when the file as a whole cannot be read."""
    kind = check.kind
    try:
        table = read_table(content, filename, progress=check.progress)
    except SheetError as error:
        check.problem(None, "", str(error))
        return None
    header_index, columns = find_header(kind, table)
    if header_index >= 0:
        header = table[header_index][1]
        check.headers = {found: clean_text(header[position]) for position, found in columns.items()}
    if header_index < 0:
        check.problem(None, "", _("No header row found: the first rows must include a column named 姓名."))
        return None
    present = {key for key, _group in columns.values()}
    missing = [spec for spec in kind.fields if spec.required and spec.key not in present]
    for spec in missing:
        check.problem(None, spec.label, _("This required column is missing."))
    if missing:
        return None
    data = table[header_index + 1 :]
    if not data:
        check.problem(None, "", _("The file has no rows below the header."))
        return None
    if len(data) > MAX_ROWS:
        check.problem(None, "", _("The file has more than %(max)s rows.") % {"max": f"{MAX_ROWS:,}"})
        return None
    check.rows = len(data)
    fields = {spec.key: spec for spec in kind.fields}
    rows = []
    for done, (number, values) in enumerate(data, start=1):
        row = Row(number)
        groups: dict[int, dict] = {}
        filled = set()  # the keys of the cells with something in them, right or wrong
        for position, (key, group) in columns.items():
            spec = fields[key]
            raw = values[position] if position < len(values) else None
            if clean_text(raw):
                filled.add(key)
            value = check.parse_cell(spec, raw, row, group)
            if value is None:
                continue
            if spec.group:
                groups.setdefault(group, {})[key] = value
            else:
                row.values[key] = value
        row.groups = [(group, groups[group]) for group in sorted(groups)]
        for spec in kind.fields:
            if spec.required and not spec.group and spec.key not in filled:
                check._wrong(row, spec, 0, _("This cell is required."))
        rows.append(row)
        if done % 500 == 0:
            check.progress("check", done, len(data))
    check.progress("check", len(data), len(data), force=True)
    return rows


def find_header(kind, table) -> tuple[int, dict[int, tuple[str, int]]]:
    """The index in `table` of the header row, and column position -> (field key, group number).

    A column of a repeating field may carry a number (联系人2电话, 第二联系人, 电话2): the number
    says which contact of the row it belongs to; unnumbered ones are the first.
    """
    aliases = kind.header_aliases()
    groups = {spec.key for spec in kind.fields if spec.group}
    for index, (_number, values) in enumerate(table[:HEADER_SEARCH_ROWS]):
        columns: dict[int, tuple[str, int]] = {}
        for position, value in enumerate(values):
            key = header_key(value)
            if not key:
                continue
            found = None
            if key in aliases:
                found = (aliases[key], 0)
            elif groups:
                numbered = _numbered(key)
                if numbered and aliases.get(numbered[0]) in groups:
                    found = (aliases[numbered[0]], numbered[1])
            if found and found[0] and found not in columns.values():
                columns[position] = found
        if "name" in {key for key, _group in columns.values()} and len(columns) >= 2:
            return index, kind.adjust_columns(columns, [header_key(value) for value in values])
    return -1, {}


def _numbered(key: str) -> tuple[str, int] | None:
    """联系人2电话 -> (联系人电话, 2); 第2联系人 -> (联系人, 2); None without a number."""
    match = re.search(r"第?(\d{1,2})", key)
    if not match:
        return None
    return key[: match.start()] + key[match.end() :], int(match[1])


def template_headers(kind) -> list[str]:
    """The headers of the kind's downloadable template, in the files' language, required ones with *."""
    with translation.override(FILE_LANGUAGE):
        return [f"{spec.label}{'*' if spec.required else ''}" for spec in kind.fields if spec.template]


# --- matching rows to retirees -------------------------------------------------------------------


def chunks(items, size: int = LOOKUP_CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RetireeFinder:
    """Finds the registered retiree a row is about: by full ID number, else by name narrowed by
    what else the row says (date of birth, branch, a masked ID number) and, among namesakes, by
    phone and age. Loads the candidates in a few queries for the whole file.

    An export of a ledger carries name, branch, phone and age (no date of birth, no ID number),
    so it finds its retirees again: a namesake in the same branch is told apart by phone.
    """

    FIELDS = ("id", "name", "birth_date", "id_number", "branch_id", "phone", "phone_alt")

    def __init__(self, check: Check, rows: list[Row]):
        self.check = check
        visible = Retiree.objects.visible_to(check.user).only(*self.FIELDS)
        self.by_id = {}
        for block in chunks({row.values["id_number"] for row in rows if row.values.get("id_number")}):
            self.by_id.update({retiree.id_number: retiree for retiree in visible.filter(id_number__in=block)})
        self.by_name: dict[str, list[Retiree]] = {}
        for block in chunks({row.values["name"] for row in rows if row.values.get("name")}):
            for retiree in visible.filter(name__in=block):
                self.by_name.setdefault(retiree.name, []).append(retiree)

    def find(self, row: Row, labels: dict) -> Retiree | None:
        """The row's retiree, or None after adding the reason to the check's problems."""
        values, check = row.values, self.check
        name = values.get("name", "")
        if values.get("id_number") and "*" not in values["id_number"]:
            retiree = self.by_id.get(values["id_number"])
            if retiree is None:
                check.problem(row.number, labels["id_number"], _("No retiree is registered with this ID number."))
            elif name and retiree.name != name:
                check.problem(
                    row.number,
                    labels["name"],
                    _("This ID number is registered for %(registered)s, not %(name)s.")
                    % {"registered": retiree.name, "name": name},
                )
                return None
            return retiree
        candidates = self.by_name.get(name, [])
        if not candidates:
            check.problem(
                row.number,
                labels["name"],
                _("No retiree named “%(name)s” is registered: import the roster first.") % {"name": name},
            )
            return None
        narrowing = [
            ("birth_date", lambda r, v: r.birth_date == v, _("No retiree named “%(name)s” was born on this date.")),
            ("branch", lambda r, v: r.branch_id == v.pk, _("No retiree named “%(name)s” is in this branch.")),
            (
                "id_number",
                lambda r, v: bool(r.id_number) and r.id_number[:4] == v[:4] and r.id_number[-4:] == v[-4:],
                _("No retiree named “%(name)s” has this ID number."),
            ),
        ]
        for key, matches, message in narrowing:
            if values.get(key) is not None:
                candidates = [r for r in candidates if matches(r, values[key])]
                if not candidates:
                    check.problem(row.number, labels[key], message % {"name": name})
                    return None
        # Among namesakes only: a phone or an age that changed since must not lose a unique match.
        tie_breakers = [
            ("phone", lambda r, v: v in (r.phone, r.phone_alt)),
            ("age", lambda r, v: r.age_on(check.today) == v),
        ]
        for key, matches in tie_breakers:
            if len(candidates) > 1 and values.get(key) is not None:
                candidates = [r for r in candidates if matches(r, values[key])] or candidates
        if len(candidates) > 1:
            check.problem(
                row.number,
                labels["name"],
                _("Several retirees are named “%(name)s”: add their ID number or date of birth to tell them apart.")
                % {"name": name},
            )
            return None
        return candidates[0]


def template_workbook(kind):
    """The kind's empty file as a temporary .xlsx and its download name: a title row that says how
    to fill it in, then the header row; ID number and phone columns formatted as text."""
    workbook = Workbook()
    sheet = workbook.active
    with translation.override(FILE_LANGUAGE):
        title = str(kind.title)
        sheet.title = title.replace("(", "").replace(")", "")[:31]
        sheet.append([f"{title}：{kind.hint}"])
        sheet.append(template_headers(kind))
        name = _("%(title)s template") % {"title": title} + ".xlsx"
    sheet["A1"].font = Font(bold=True, size=14)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 14
    sheet.freeze_panes = "A3"
    # The ID number and phone columns are text, so that Excel keeps every digit.
    columns = [spec for spec in kind.fields if spec.template]
    for position, spec in enumerate(columns, start=1):
        if spec.as_text:
            letter = sheet.cell(row=2, column=position).column_letter
            for row in range(3, 503):
                sheet[f"{letter}{row}"].number_format = "@"
    apply_print_layout(sheet)
    target = tempfile.TemporaryFile()
    workbook.save(target)
    target.seek(0)
    return target, name
