from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from checkins import selectors
from checkins.choices import DueState, Escalation, Outcome, Reached
from checkins.models import escalation_for

register = template.Library()

_BADGES = {
    DueState.OVERDUE: "text-bg-danger",
    DueState.DUE: "text-bg-warning",
    DueState.COVERED: "text-bg-success",
    DueState.EXEMPT: "text-bg-secondary",
}


_CALL_ROW_LABELS = {
    "unreachable": gettext_lazy("Unreachable"),
    "due": gettext_lazy("due"),
    "never_reached": gettext_lazy("never reached"),
    "last_contact": gettext_lazy("Last contact"),
    "follow_up_on": gettext_lazy("Follow up on"),
    "reached_all_well": gettext_lazy("Reached, all well"),
    "no_answer": gettext_lazy("No answer"),
    "log_details": gettext_lazy("Log a problem or details"),
    "logged_all_well": gettext_lazy("Logged: reached, all well."),
    "logged_no_answer": gettext_lazy("Logged: no answer."),
}


@register.simple_tag
def call_row_labels() -> dict:
    """The call list row's words, translated once per page instead of once per row (a tenth of the page)."""
    return {key: str(label) for key, label in _CALL_ROW_LABELS.items()}


@register.filter
def due_label(value) -> str:
    return DueState(value).label if value in DueState.values else ""


@register.filter
def due_badge(value) -> str:
    return _BADGES.get(value, "text-bg-light")


@register.filter
def outcome_label(value) -> str:
    return Outcome(value).label if value in Outcome.values else ""


@register.filter
def reached_label(value) -> str:
    return Reached(value).label if value in Reached.values else ""


@register.filter
def escalation_label(consecutive_failures) -> str:
    step = escalation_for(consecutive_failures)
    return step.label if step != Escalation.NONE else ""


_PROGRESS = (
    '<div class="progress coverage-progress" role="progressbar" aria-valuenow="{percent}" aria-valuemin="0" '
    'aria-valuemax="100"><div class="progress-bar {colour}" data-width="{percent}">{percent}%</div></div>'
)


def _progress_html(percent: int, complete: bool) -> str:
    colour = "bg-success" if complete else "bg-info" if percent >= 80 else "bg-warning text-dark"
    return _PROGRESS.format(percent=int(percent), colour=colour)


@register.filter
def coverage_progress(row: dict) -> str:
    """The coverage bar of a coverage row (its `percent` and `complete`)."""
    return mark_safe(_progress_html(row["percent"], row["complete"]))  # noqa: S308 (numbers and fixed classes only)


_COVERAGE_ROW = (
    '<tr data-branch="{pk}"><td><a href="{url}?branch={pk}">{name}</a></td><td class="text-end">{total}</td>'
    '<td class="text-end text-success fw-semibold" data-stat="covered">{covered}</td>'
    '<td class="text-end">{exempt}</td><td class="text-end">{due}</td>'
    '<td class="text-end{overdue_class}" data-stat="overdue">{overdue}</td>'
    '<td class="text-end{unreachable_class}">{unreachable}</td><td class="coverage-cell">{progress}</td></tr>\n'
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
            progress=_progress_html(row["percent"], row["complete"]),
        )
        for row in rows
    )
    return mark_safe(html)  # noqa: S308 (built from escaped text and numbers)


@register.inclusion_tag("checkins/_retiree_panel.html", takes_context=True)
def checkin_panel(context, retiree):
    """The check-in status, exemptions and contact timeline on the retiree page (three queries)."""
    user = context["user"]
    return {
        "user": user,
        "retiree": retiree,
        "schedule": selectors.retiree_schedule(user=user, pk=retiree.pk),
        "exemptions": selectors.retiree_exemptions(user=user, retiree=retiree),
        "timeline": selectors.contact_timeline(user=user, retiree=retiree),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }
