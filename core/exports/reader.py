"""The data rows of an export, read in chunks from the page's queryset (bounded memory)."""

import datetime
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from .columns import ChoiceLabels, ExportContext, ExportSpec, row_number

CHUNK_SIZE = 500
# Tuples are small: fewer, larger fetches from the server-side cursor.
VALUES_CHUNK_SIZE = 2000


def batched(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while block := list(islice(iterator, size)):
        yield block


def rows(spec: ExportSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The data rows of an export, numbered from 1, iterated in chunks (bounded memory)."""
    context = ExportContext(today=today)
    for number, obj in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), start=1):
        context.row_number = number
        yield spec.row(obj, context)


def value_rows(spec: ExportSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The same rows as `rows`, read as tuples (`values_list`) instead of model instances.

    At 100,000 rows, building a model instance (two with the branch) per row cost more than the
    query itself, and so did Python per cell: see `value_columns`.
    """
    for columns in value_columns(spec, queryset, today):
        yield from map(list, zip(*columns, strict=True))


def value_columns(spec: ExportSpec, queryset, today: datetime.date) -> Iterator[list[Sequence]]:
    """The rows of `value_rows` a block at a time, as one sequence per column of the spec.

    A block of tuples is turned into columns with zip(); a choice column is a map() over a
    dict of its translated labels, the row numbers a range; only the other conversions (age)
    run Python per cell.
    """
    sources = list(dict.fromkeys(column.source for column in spec.columns if column.source))
    position = {source: index for index, source in enumerate(sources)}
    # Choice labels, translated here (the language of the caller iterating), once per export.
    labels = {
        index: column.convert.translated()
        for index, column in enumerate(spec.columns)
        if isinstance(column.convert, ChoiceLabels)
    }
    context = ExportContext(today=today)
    number = 0
    tuples = queryset.values_list(*sources).iterator(chunk_size=VALUES_CHUNK_SIZE)
    for block in batched(tuples, VALUES_CHUNK_SIZE):
        fetched = list(zip(*block, strict=True))
        columns = []
        for index, column in enumerate(spec.columns):
            values = fetched[position[column.source]] if column.source else [None] * len(block)
            if column.convert is row_number:
                values = range(number + 1, number + 1 + len(block))
            elif index in labels:
                values = list(map(labels[index].__getitem__, values))
            elif column.convert is not None:
                values = [
                    column.convert(value, context) for context.row_number, value in enumerate(values, start=number + 1)
                ]
            columns.append(values)
        number += len(block)
        yield columns


def export_rows(spec: ExportSpec, queryset, today: datetime.date) -> Iterator[list]:
    """The rows for an export of `queryset`: as tuples when the spec allows it, else from instances."""
    return value_rows(spec, queryset, today) if spec.reads_values else rows(spec, queryset, today)
