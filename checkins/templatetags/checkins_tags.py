from django import template
from django.utils.html import format_html

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


@register.filter
def coverage_progress(row: dict) -> str:
    """The coverage bar of a dashboard row (its `percent` and `complete`).

    A filter rather than an include: the dashboard draws a thousand of them, and an include per
    row cost more than the query behind the page.
    """
    percent, complete = row["percent"], row["complete"]
    colour = "bg-success" if complete else "bg-info" if percent >= 80 else "bg-warning text-dark"
    return format_html(
        '<div class="progress coverage-progress" role="progressbar" aria-valuenow="{0}" aria-valuemin="0" '
        'aria-valuemax="100"><div class="progress-bar {1}" data-width="{0}">{0}%</div></div>',
        percent,
        colour,
    )


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
