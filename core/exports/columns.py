"""The columns of an export, declared once in an `ExportSpec` (files and page tables are built from it)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.utils.translation import gettext_lazy as _

# Files are always written in Chinese, the layout the office already uses (see the package's docstring).
FILE_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    value: Callable[[Any, "ExportContext"], Any]
    width: int = 12
    is_date: bool = False
    link: bool = False  # the page links this cell to the row's subject (the retiree's ledgers)
    # For exports read as tuples (`value_rows`): the ORM path of the value ("branch__name"), and a
    # conversion of it, `convert(value, context)`. A column with neither can only be read from
    # model instances, and its spec is then exported through `rows`.
    source: str = ""
    convert: Callable[[Any, "ExportContext"], Any] | None = None
    # A column of a number shown masked unless the export asks for full ID numbers.
    mask: Callable[[Any], Any] | None = None

    def masked(self) -> "Column":
        """This column with its values masked (the same source, so the same query)."""
        value, convert, mask = self.value, self.convert, self.mask
        return replace(
            self,
            value=lambda obj, context: mask(value(obj, context)),
            convert=lambda raw, context: mask(convert(raw, context) if convert else raw),
            mask=None,
        )


@dataclass
class ExportContext:
    today: datetime.date
    row_number: int = 0
    # Choice labels translated once per export, not once per cell (gettext per cell was a third
    # of the export's time at 100,000 rows).
    labels: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExportSpec:
    """What one kind of file holds: its key (as the export log records it), title and columns."""

    key: str
    title: Any
    columns: list[Column]
    # The retiree a row is about (for the page's link), and the ORM path from a row to its
    # retiree ("retiree__") for the consent rule the recorder applies.
    retiree_of: Callable[[Any], Any] = lambda obj: obj
    retiree_path: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def has_masked_columns(self) -> bool:
        return any(column.mask for column in self.columns)

    def masked(self) -> "ExportSpec":
        """The spec with every maskable column masked."""
        return replace(self, columns=[column.masked() if column.mask else column for column in self.columns])

    def row(self, obj, context: ExportContext) -> list:
        return [column.value(obj, context) for column in self.columns]

    @property
    def reads_values(self) -> bool:
        """Whether every column can be built from a `values_list` tuple (see `value_rows`)."""
        return any(column.source for column in self.columns) and all(
            column.source or column.convert for column in self.columns
        )


class _Labels(dict):
    """code -> label; an unknown code shows as itself (and a null one as "")."""

    def __missing__(self, code):
        return code or ""


class ChoiceLabels:
    """The conversion of a choice column: code -> its label in the active language.

    Each label is translated once per export, not once per cell (gettext per cell was a third
    of the export's time at 100,000 rows): cached in the context, or `translated()` at once.
    """

    def __init__(self, choices):
        self.labels = dict(choices)

    def translated(self) -> dict:
        return _Labels((code, str(label)) for code, label in self.labels.items())

    def __call__(self, code, context: ExportContext) -> str:
        key = (id(self), code)
        try:
            return context.labels[key]
        except KeyError:
            text = context.labels[key] = str(self.labels[code]) if code in self.labels else (code or "")
            return text


def attr_getter(path: str) -> Callable:
    """`(obj, context) -> obj.a.b` for the path "a.b"; None as soon as a step is None."""
    parts = path.split(".")
    if len(parts) == 1:
        return lambda obj, context: getattr(obj, path)

    def value(obj, context):
        for part in parts:
            obj = getattr(obj, part)
            if obj is None:
                return None
        return obj

    return value


def row_number(_obj_or_value, context: ExportContext) -> int:
    return context.row_number


def source_path(path: str) -> str:
    """The ORM path of an attribute path ("branch.name" -> "branch__name")."""
    return path.replace(".", "__")


def index_column() -> Column:
    return Column("index", _("No."), row_number, width=6, convert=row_number)


def attr_column(key: str, label, path: str, **options) -> Column:
    """A column showing the attribute `path` ("branch.name") as it is."""
    return Column(key, label, attr_getter(path), source=source_path(path), **options)


def choice_column(key: str, label, path: str, choices, **options) -> Column:
    """A column showing the label of the choice stored at `path`."""
    get, convert = attr_getter(path), ChoiceLabels(choices)
    return Column(
        key, label, lambda obj, c: convert(get(obj, c), c), source=source_path(path), convert=convert, **options
    )
