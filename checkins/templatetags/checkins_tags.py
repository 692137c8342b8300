from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from checkins import presenters, selectors
from checkins.attention import attention_reason as _attention_reason
from checkins.call_row_html import call_rows_html, rows_page
from checkins.choices import DueState, Outcome

register = template.Library()


@register.simple_tag
def call_row_labels() -> dict:
    return presenters.call_row_labels()


@register.simple_tag(takes_context=True)
def call_rows(context, rows: list[dict]) -> str:
    """The call list's rows (`presenters.call_rows` dicts), their markup in checkins/call_row_html.py.

    Reads from the context what every row shares: `next_path`, `next_query`, `branch`, the page's
    `care_pending` and `round_checks` (by retiree id), and after a tap on a row `just_logged`,
    `just_confirmed`, `confirm_error`. Worked out once per page, however many sections call it.
    """
    shared = context.render_context.get(call_rows)
    if shared is None:
        labels = presenters.call_row_labels()
        branch = context.get("branch")
        page = rows_page(
            labels=labels,
            csrf_input=CsrfTokenNode().render(context),
            next_path=context.get("next_path") or "",
            next_query=context.get("next_query") or "",
            branch_pk=branch.pk if branch else None,
            just_logged=context.get("just_logged") or "",
            just_confirmed=context.get("just_confirmed"),
            confirm_error=context.get("confirm_error"),
        )
        shared = context.render_context[call_rows] = (labels, page)
    labels, page = shared
    extras_template = context.template.engine.get_template("checkins/_call_row_extras.html")

    def extras(row, deliveries, checks) -> str:
        with context.push(row=row, deliveries=deliveries, checks=checks, labels=labels):
            return extras_template.render(context)

    html = call_rows_html(rows, page, context.get("care_pending"), context.get("round_checks"), extras)
    return mark_safe(html)  # noqa: S308 (call_row_html escapes every value)


@register.simple_tag(takes_context=True)
def call_row(context, row: dict) -> str:
    """One row of the call list (the quick log's htmx answer): `call_rows` of one."""
    return call_rows(context, [row])


@register.simple_tag
def attention_reason(cause, detail) -> str:
    """Why a retiree is under attention ("Exposure: Sealed community"), or "" without a cause."""
    return str(_attention_reason(cause, detail)) if cause else ""


@register.filter
def due_label(value) -> str:
    return DueState(value).label if value in DueState.values else ""


@register.filter
def due_badge(value) -> str:
    return presenters.DUE_BADGES.get(value, "text-bg-light")


@register.filter
def outcome_label(value) -> str:
    return Outcome(value).label if value in Outcome.values else ""


@register.filter
def escalation_label(consecutive_failures) -> str:
    return presenters.escalation_text(consecutive_failures)


# The share is written beside the bar at full size (text inside a narrow bar is small and pale);
# the bar itself is named for screen readers.
_PROGRESS = (
    '<div class="meter"><div class="progress coverage-progress" role="progressbar" aria-label="{label}" '
    'aria-valuenow="{percent}" aria-valuemin="0" aria-valuemax="100"><div class="progress-bar {colour}" '
    'data-width="{percent}"></div></div><span class="meter-value">{percent}%</span></div>'
)


def _progress_html(percent: int, complete: bool, label=None) -> str:
    colour = "bg-success" if complete else "bg-primary" if percent >= 80 else "bg-warning"
    return _PROGRESS.format(percent=int(percent), colour=colour, label=escape(label or _("Coverage")))


@register.filter
def coverage_progress(row: dict) -> str:
    """The coverage bar of a coverage row (its `percent` and `complete`)."""
    return mark_safe(_progress_html(row["percent"], row["complete"]))  # noqa: S308 (numbers and fixed classes only)


@register.filter
def verified_progress(row: dict) -> str:
    """The verified bar of a round's row (`verified_percent`, `verified_complete`); a dash for a
    round closed before verified counts were frozen."""
    if row.get("verified_percent") is None:
        return "—"
    return mark_safe(_progress_html(row["verified_percent"], row["verified_complete"], _("Share verified")))  # noqa: S308 (numbers only)


@register.simple_tag(takes_context=True)
def round_checks(context, retirees) -> dict:
    """What running rounds still ask of these retirees (a page of them, or one), by retiree id:
    `selectors.round_checks_for`, one query for the rounds and one per round, however many rows."""
    if hasattr(retirees, "pk"):
        retirees = [retirees]
    return selectors.round_checks_for(user=context["user"], retiree_ids=[retiree.pk for retiree in retirees])


_COVERAGE_ROW = (
    '<tr data-branch="{pk}"><td><a href="{url}?branch={pk}">{name}</a></td><td class="text-end">{total}</td>'
    '<td class="text-end text-success fw-semibold" data-stat="covered">{covered}</td>'
    '<td class="text-end">{exempt}</td><td class="text-end">{due}</td>'
    '<td class="text-end{overdue_class}" data-stat="overdue">{overdue}</td>'
    '<td class="text-end{unreachable_class}">{unreachable}</td>'
    '<td class="text-end{attention_class}" data-stat="attention">{attention}</td>'
    '<td class="coverage-cell">{progress}</td></tr>\n'
)


@register.simple_tag
def coverage_rows(rows: list[dict], call_list_url: str) -> str:
    """The dashboard's table rows, one per branch, with a link to the branch's call list.

    Built here rather than in a template loop: with a thousand branches the loop's variable
    lookups took ~100 ms, more than the counts behind them. Only the branch name and the URL
    are text; every other value is a number, so only those two are escaped.
    """
    url = escape(call_list_url)
    html = "".join(
        _COVERAGE_ROW.format(
            pk=int(row["branch"].pk),
            url=url,
            name=escape(row["branch"].name),
            total=int(row["total"]),
            covered=int(row["covered"]),
            exempt=int(row["exempt"]),
            due=int(row["due"]),
            overdue=int(row["overdue"]),
            overdue_class=" text-danger fw-semibold" if row["overdue"] else "",
            unreachable=int(row["unreachable"]),
            unreachable_class=" text-danger" if row["unreachable"] else "",
            attention=int(row["attention"]),
            attention_class=" text-danger fw-semibold" if row["attention"] else "",
            progress=_progress_html(row["percent"], row["complete"]),
        )
        for row in rows
    )
    return mark_safe(html)  # noqa: S308 (built from escaped text and numbers)
