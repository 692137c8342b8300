"""A frozen report's figures laid out as sections: a heading, a chart and tables of cells.

The page, the PDF and the XLSX are all drawn from these sections, so the three say the same. The
labels are made when the report is read (in the reader's language); the numbers are the frozen ones.
"""

import datetime
from dataclasses import dataclass, field

from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from assistance.choices import AssistanceKind
from ledgers.choices import DOSE_LABELS

from . import charts

NOT_COUNTED = None
# A report is read on one or two A4 pages: with more branches than this, the page and the PDF
# list those that stand lowest (the total still counts every branch) and the Excel file all of them.
MAX_BRANCH_ROWS = 20


def rate(part, whole):
    """A percentage with one decimal, as the ledger totals give it (None for nobody)."""
    if part is None or whole is None:
        return None
    return round(100 * part / whole, 1) if whole else None


@dataclass
class Cell:
    """A number, and last week's beside it (`has_last`); `percent` when it is a rate."""

    value: object
    last: object = None
    has_last: bool = False
    percent: bool = False

    def _format(self, value) -> str:
        if value is None:
            return "—"
        if self.percent:
            return f"{value:g}%"
        return f"{value:,}" if isinstance(value, int) else str(value)

    @property
    def text(self) -> str:
        return self._format(self.value)

    @property
    def last_text(self) -> str:
        return self._format(self.last)

    def __str__(self):
        return self.text

    def html(self):
        if not self.has_last:
            return format_html("{}", self.text)
        return format_html('{} <span class="report-last">({})</span>', self.text, self.last_text)


def pair(value, last, *, percent=False) -> Cell:
    return Cell(value, last, has_last=True, percent=percent)


@dataclass
class Table:
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)  # first cell a label (str), then Cells
    total: list | None = None
    # Whether cells carry last week's figure in brackets (the caption says so).
    with_last: bool = True


@dataclass
class Section:
    key: str
    title: str
    summary: str = ""
    chart: str = ""
    tables: list[Table] = field(default_factory=list)


def _week_label(iso: str) -> str:
    return date_format(datetime.date.fromisoformat(iso), "MONTH_DAY_FORMAT")


def report_title(figures: dict) -> str:
    monday = datetime.date.fromisoformat(figures["week"])
    sunday = monday + datetime.timedelta(days=6)
    return _("Weekly report %(start)s – %(end)s · %(scope)s") % {
        "start": date_format(monday, "SHORT_DATE_FORMAT"),
        "end": date_format(sunday, "SHORT_DATE_FORMAT"),
        "scope": figures["scope"]["label"],
    }


def sections(figures: dict, *, every_branch: bool = False) -> list[Section]:
    """The report's sections; per-branch tables cut to the MAX_BRANCH_ROWS lowest branches unless
    `every_branch` (the Excel file)."""
    limit = None if every_branch else MAX_BRANCH_ROWS
    return [
        _coverage(figures),
        _state(figures, limit),
        _vaccination(figures, limit),
        _tests(figures, limit),
        _exposures_and_services(figures),
        _visits_and_shifts(figures),
    ]


def _lowest(rows: list, limit: int | None, key) -> tuple[list, str]:
    """The rows, or the `limit` rows lowest by `key` (with a note saying so) when there are more."""
    if limit is None or len(rows) <= limit:
        return rows, ""
    note = " " + _("Shown: the %(shown)s of %(all)s branches standing lowest; the Excel file lists every branch.") % {
        "shown": limit,
        "all": f"{len(rows):,}",
    }
    return sorted(rows, key=key)[:limit], note


def _coverage(figures: dict) -> Section:
    weeks = figures["coverage"]["weeks"]
    this, last = weeks[-1], weeks[-2]
    labels = [_week_label(week["week"]) for week in weeks]
    short = [date_format(datetime.date.fromisoformat(week["week"]), "n/j") for week in weeks]
    table = Table(
        _("Retirees reached each week (Monday to Sunday), of %(total)s active retirees")
        % {"total": f"{figures['coverage']['total']:,}"},
        [_("Week of"), *short],
        [
            [_("Reached"), *(Cell(week["reached"]) for week in weeks)],
            [_("Percent"), *(Cell(week["percent"], percent=True) for week in weeks)],
        ],
        with_last=False,
    )
    return Section(
        "coverage",
        _("Coverage: retirees reached this week and the 12-week trend"),
        _("This week %(reached)s reached (%(percent)s%%); last week %(last_reached)s (%(last_percent)s%%).")
        % {
            "reached": f"{this['reached']:,}",
            "percent": this["percent"],
            "last_reached": f"{last['reached']:,}",
            "last_percent": last["percent"],
        },
        charts.column_chart(
            title=_("Retirees reached in the week (%)"),
            labels=labels,
            values=[week["percent"] for week in weeks],
            highlight=len(weeks) - 1,
        ),
        [table],
    )


STATE_FIELDS = ["total", "covered", "exempt", "overdue", "unreachable", "attention", "percent"]


def _state(figures: dict, limit: int | None) -> Section:
    state = figures["state"]
    rows, note = _lowest(state["rows"], limit, key=lambda row: (row["percent"], -row["overdue"]))
    last = state.get("last") or None
    last_rows = {row["id"]: row for row in (last or {}).get("rows", [])}

    def cells(row, before):
        return [
            Cell(row[f], before.get(f) if before else None, has_last=True, percent=f == "percent") for f in STATE_FIELDS
        ]

    table = Table(
        _("Per branch on the day the report was issued (%(day)s); last week's report in brackets")
        % {"day": date_format(datetime.date.fromisoformat(figures["issued_on"]), "SHORT_DATE_FORMAT")}
        + note,
        [
            _("Branch"),
            _("Retirees"),
            _("Reached this cycle"),
            _("Exempt"),
            _("Overdue"),
            _("Unreachable"),
            _("Under attention"),
            _("Coverage"),
        ],
        [[row["name"], *cells(row, last_rows.get(row["id"]))] for row in rows],
        [_("Total"), *cells(state["totals"], (last or {}).get("totals"))],
    )
    chart = ""
    if 1 < len(rows):
        chart = charts.bar_chart(
            title=_("Coverage per branch (reached or exempt, %)"),
            labels=[row["name"] for row in rows],
            values=[row["percent"] for row in rows],
        )
    totals = state["totals"]
    summary = _("%(overdue)s overdue, %(unreachable)s unreachable, %(attention)s under attention, of %(total)s.") % {
        key: f"{totals[key]:,}" for key in ("overdue", "unreachable", "attention", "total")
    }
    if last is None:
        summary += " " + _("No report was issued last week, so its figures are not beside these.")
    return Section("state", _("Reached, overdue, unreachable and under attention per branch"), summary, chart, [table])


GROUP_LABELS = {"age60": "60+", "age80": "80+", "lixiu": "离休"}


def _vaccination(figures: dict, limit: int | None) -> Section:
    vaccination = figures["vaccination"]
    branch_rows, note = _lowest(
        vaccination["rows"], limit, key=lambda row: rate(row["doses"][0], row["total"]) if row["total"] else 100
    )
    doses = vaccination["doses"]
    dose_labels = [str(DOSE_LABELS.get(n, n)) for n in doses]
    groups = [(_("Everybody"), vaccination["this"], vaccination["last"])] + [
        (GROUP_LABELS[key], group["this"], group["last"]) for key, group in vaccination["groups"].items()
    ]
    rates = Table(
        _("Vaccination rate by dose (doses given by the week's end); last week in brackets"),
        [_("Group"), _("Retirees"), *dose_labels],
        [
            [
                name,
                pair(this["total"], last["total"]),
                *(
                    pair(rate(this["doses"][i], this["total"]), rate(last["doses"][i], last["total"]), percent=True)
                    for i in range(len(doses))
                ),
            ]
            for name, this, last in groups
        ],
    )
    by_branch = Table(
        _("Retirees vaccinated per branch and dose; last week in brackets") + note,
        [_("Branch"), _("Retirees"), *dose_labels],
        [
            [
                row["name"],
                pair(row["total"], row["last_total"]),
                *(pair(row["doses"][i], row["last_doses"][i]) for i in range(len(doses))),
            ]
            for row in branch_rows
        ],
        [
            _("Total"),
            pair(vaccination["this"]["total"], vaccination["last"]["total"]),
            *(pair(vaccination["this"]["doses"][i], vaccination["last"]["doses"][i]) for i in range(len(doses))),
        ],
    )
    chart = charts.grouped_chart(
        title=_("Vaccination rate by dose and group (%)"),
        groups=dose_labels,
        series=[
            (name, [rate(this["doses"][i], this["total"]) or 0 for i in range(len(doses))])
            for name, this, _last in groups
        ],
    )
    return Section("vaccination", _("Vaccination by dose and branch"), "", chart, [rates, by_branch])


def _tests(figures: dict, limit: int | None) -> Section:
    tests = figures["tests"]
    branch_rows, note = _lowest(
        tests["rows"], limit, key=lambda row: rate(row["tested"], row["total"]) if row["total"] else 100
    )
    table = Table(
        _("Retirees with a nucleic-acid test in the week's seven days; last week in brackets") + note,
        [_("Branch"), _("Retirees"), _("Tested"), _("Rate")],
        [
            [
                row["name"],
                pair(row["total"], row["last_total"]),
                pair(row["tested"], row["last_tested"]),
                pair(rate(row["tested"], row["total"]), rate(row["last_tested"], row["last_total"]), percent=True),
            ]
            for row in branch_rows
        ],
        [
            _("Total"),
            pair(tests["this"]["total"], tests["last"]["total"]),
            pair(tests["this"]["tested"], tests["last"]["tested"]),
            pair(
                rate(tests["this"]["tested"], tests["this"]["total"]),
                rate(tests["last"]["tested"], tests["last"]["total"]),
                percent=True,
            ),
        ],
    )
    return Section("tests", _("Tests in the last 7 days"), "", "", [table])


def _exposures_and_services(figures: dict) -> Section:
    this, last = figures["flows"]["this"], figures["flows"]["last"]
    exposures = Table(
        _("Exposure events this week; last week in brackets"),
        [_("Figure"), _("Number")],
        [
            [_("Exposure events opened"), pair(this["exposures"]["opened"], last["exposures"]["opened"])],
            [_("Exposure events lifted"), pair(this["exposures"]["lifted"], last["exposures"]["lifted"])],
            [
                _("Retirees exposed when the report was issued"),
                pair(figures["exposed"]["this"], figures["exposed"]["last"]),
            ],
        ],
    )
    kinds = dict(AssistanceKind.choices)
    services = Table(
        _("Services requested and done this week; last week in brackets"),
        [_("Service"), _("Requested"), _("Done")],
        [
            [
                str(kinds[kind]),
                pair(this["services"][kind]["requested"], last["services"][kind]["requested"]),
                pair(this["services"][kind]["done"], last["services"][kind]["done"]),
            ]
            for kind in AssistanceKind.values
        ],
        [
            _("Total"),
            pair(
                sum(v["requested"] for v in this["services"].values()),
                sum(v["requested"] for v in last["services"].values()),
            ),
            pair(sum(v["done"] for v in this["services"].values()), sum(v["done"] for v in last["services"].values())),
        ],
    )
    return Section("services", _("Exposures and services"), "", "", [exposures, services])


def _visits_and_shifts(figures: dict) -> Section:
    this, last = figures["flows"]["this"], figures["flows"]["last"]
    visits = Table(
        _("Visits and volunteer shifts this week; last week in brackets"),
        [_("Figure"), _("Number")],
        [
            [_("Visits done"), pair(this["visits"], last["visits"])],
            [_("Patrol shifts"), pair(this["shifts"]["shifts"], last["shifts"]["shifts"])],
            [_("Volunteer places needed"), pair(this["shifts"]["needed"], last["shifts"]["needed"])],
            [_("Volunteer places filled"), pair(this["shifts"]["filled"], last["shifts"]["filled"])],
            [_("Shifts fully staffed"), pair(this["shifts"]["full"], last["shifts"]["full"])],
        ],
    )
    campaigns = Table(
        _("Festival and visit campaigns running this week (progress when the report was issued)"),
        [_("Campaign"), _("Window"), _("To visit"), _("Visited"), _("Progress")],
        [
            [
                row["title"],
                "{} – {}".format(_week_label(row["starts_on"]), _week_label(row["ends_on"])),
                Cell(row["total"]),
                Cell(row["done"]),
                Cell(row["percent"], percent=True),
            ]
            for row in figures["campaigns"]
        ],
        with_last=False,
    )
    tables = [visits, campaigns] if figures["campaigns"] else [visits]
    return Section("visits", _("Visits, festival campaigns and volunteer shifts"), "", "", tables)
