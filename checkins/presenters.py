"""What a call-list row shows, worked out in Python once per row.

The call list is a secretary's home page and shows fifty of these rows. Left to the template
engine, resolving some fifty attributes, filters and translations per row was most of the
page's time at city scale (issue #8 asks for 50 ms). Here each row becomes a plain dict of the
strings it shows; `checkins/call_row_html.py` lays them out.
"""

import datetime
import functools

from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.formats import get_format
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy, ngettext

from core.dates import date_formatter, local_today
from retirees.choices import Category, Relation

from .attention import attention_reason
from .choices import Channel, DueState, Escalation, Outcome, Reached
from .models import escalation_for

DUE_BADGES = {
    DueState.OVERDUE: "text-bg-danger",
    DueState.DUE: "text-bg-warning",
    DueState.COVERED: "text-bg-success",
    DueState.EXEMPT: "text-bg-secondary",
}


# The row's fixed words, translated once per page (`call_row_labels`), not once per row.
CALL_ROW_LABELS = {
    "attention": gettext_lazy("Under attention"),
    "callback": gettext_lazy("Asked for a call back"),
    "unreachable": gettext_lazy("Unreachable"),
    "last_contact": gettext_lazy("Last contact"),
    "follow_up_on": gettext_lazy("Follow up on"),
    "reached_all_well": gettext_lazy("Reached, all well"),
    "no_answer": gettext_lazy("No answer"),
    "log_details": gettext_lazy("Log a problem or details"),
    "log_problem": gettext_lazy("A problem"),
    "more": gettext_lazy("More"),
    "last_short": gettext_lazy("Last call"),
    "round_pending": gettext_lazy("A round asks"),
    "notice_pending": gettext_lazy("A notice to hand over"),
    "logged_all_well": gettext_lazy("Logged: reached, all well."),
    "logged_no_answer": gettext_lazy("Logged: no answer."),
    "round_asks": gettext_lazy("Still to verify"),
    "ask_on_the_call": gettext_lazy("ask on the call"),
    "confirm_unchanged": gettext_lazy("Confirm: nothing has changed"),
    "confirmed_unchanged": gettext_lazy("Confirmed unchanged for the round."),
}


def call_row_labels() -> dict:
    return {key: str(label) for key, label in CALL_ROW_LABELS.items()}


def escalation_text(consecutive_failures) -> str:
    """The next step of the escalation ladder after this many failed contacts, or ""."""
    step = escalation_for(consecutive_failures)
    return str(step.label) if step != Escalation.NONE else ""


@functools.lru_cache(maxsize=64)
def _url_template(name: str, prefix: str) -> str:
    marker = "2147483647"  # an id no row has, swapped for the real one
    return reverse(name, args=[int(marker)]).replace(f"/{marker}/", "/{}/")


def url_for_pk(name: str, pk: int) -> str:
    """reverse() of a URL taking one id, reversed once per name (and script prefix): string speed."""
    return _url_template(name, get_script_prefix()).format(int(pk))


def call_rows(retirees, *, show_branch: bool) -> list[dict]:
    """The call list's rows for `retirees` (from `selectors.call_list`, household prefetched)."""
    today = local_today()
    due_labels = {value: str(label) for value, label in DueState.choices}
    outcome_labels = {value: str(label) for value, label in Outcome.choices}
    reached_labels = {value: str(label) for value, label in Reached.choices}
    due_word, never_reached, since_word = gettext("due"), gettext("never reached"), gettext("since")
    self_checkin = str(Channel.SELF_CHECKIN.label)
    asked_on_own_page = gettext("asked on their own page")
    # Choice labels and phrases translated once per page too: get_FOO_display() and gettext() for
    # each of fifty rows were a good part of the page's time.
    category_labels = {value: str(label) for value, label in Category.choices}
    relation_labels = {value: str(label) for value, label in Relation.choices}
    years_old = gettext("%(age)s years old")
    every_days = {}  # "every 14 days", by cadence
    escalations = {}  # the next step of the escalation ladder, by contacts in a row that reached nobody
    # Dates as everywhere else (outreach/formats): 11月29日 for a day of this year, with the
    # minute 2026-11-29 08:30. The formats are looked up once per page, not once per row.
    day, date_time = date_formatter(get_format("MONTH_DAY_FORMAT")), date_formatter(get_format("DATETIME_FORMAT"))

    rows = []
    for retiree in retirees:
        facts = [years_old % {"age": retiree.age_on(today)}, category_labels.get(retiree.category, retiree.category)]
        if show_branch:
            facts.append(retiree.branch.short_name or retiree.branch.name)
        days = retiree.cadence_days
        if days not in every_days:
            every_days[days] = ngettext("every %(days)s day", "every %(days)s days", days) % {"days": days}
        facts.append(every_days[days])
        failures = retiree.consecutive_failures
        if failures not in escalations:
            escalations[failures] = escalation_text(failures)
        facts.append(f"{due_word} {day(retiree.next_due_on)}" if retiree.next_due_on else never_reached)
        last_contact, last_contact_day, last_contact_brief = "", "", ""
        latest = retiree.last_contact or {}  # outcome, reached, notes, channel (selectors._last_contact)
        if retiree.last_contact_at:
            contacted_at = timezone.localtime(retiree.last_contact_at)
            outcome = outcome_labels.get(latest.get("outcome"), "")
            last_contact_day = day(contacted_at)
            last_contact_brief = f"{last_contact_day} {outcome}"
            last_contact = date_time(contacted_at) + ": " + outcome
            reached = latest.get("reached")
            if latest.get("channel") == Channel.SELF_CHECKIN:  # "我很好" on their own page
                last_contact += f" ({self_checkin})"
                last_contact_brief += f" ({self_checkin})"
            elif reached and reached not in (Reached.NOBODY, Reached.RETIREE):
                last_contact += f" ({reached_labels.get(reached, '')})"
            if latest.get("notes"):
                last_contact += " · " + Truncator(latest["notes"]).chars(60)
        household = retiree.household[0] if retiree.household else None
        attention_why = ""
        why = retiree.attention_why  # cause, detail, since (selectors._attention_why); None unless under attention
        if retiree.attention and why and why["cause"]:
            attention_why = f"{attention_reason(why['cause'], why['detail'])} · {since_word} "
            attention_why += day(datetime.date.fromisoformat(why["since"]))
        callback_why = ""
        if retiree.callback_at:
            asked_at = timezone.localtime(retiree.callback_at)
            callback_why = f"{asked_on_own_page} · {day(asked_at)} {asked_at:%H:%M}"
        if retiree.callback_at:
            section = "callback"
        elif retiree.attention:
            section = "attention"
        else:
            section = retiree.due_state
        rows.append(
            {
                "pk": retiree.pk,
                "name": retiree.name,
                # Asked for a call back, then under attention: first, each in a section of their
                # own; the rest by due state.
                "section": section,
                "callback": bool(retiree.callback_at),
                "callback_why": callback_why,
                "attention": retiree.attention,
                "attention_why": attention_why,
                "due_state": retiree.due_state,
                # A call is due: the big buttons. Anyone else folds to one line (expanded on tap).
                "call_due": bool(retiree.callback_at) or retiree.due_state in (DueState.OVERDUE, DueState.DUE),
                "self_checkin": latest.get("channel") == Channel.SELF_CHECKIN,
                "due_label": due_labels.get(retiree.due_state, ""),
                "due_badge": DUE_BADGES.get(retiree.due_state, "text-bg-light"),
                "unreachable": retiree.unreachable,
                "facts": " · ".join(facts),
                "last_contact": last_contact,
                "last_contact_day": last_contact_day,
                "last_contact_brief": last_contact_brief,
                "never_reached": "" if retiree.last_contact_at else never_reached,
                "follow_up_on": day(retiree.next_follow_up_on) if retiree.next_follow_up_on else "",
                "escalation": escalations[failures],
                "phone": retiree.phone,
                "phone_alt": retiree.phone_alt,
                "household": household
                and {
                    "name": household.name,
                    "phone": household.phone,
                    "relation": relation_labels.get(household.relation, household.relation),
                },
                "url": url_for_pk("retirees:detail", retiree.pk),
                "quick_log_url": url_for_pk("checkins:quick_log", retiree.pk),
                "contact_url": url_for_pk("checkins:contact_create", retiree.pk),
                "round_confirm_url": url_for_pk("checkins:round_confirm", retiree.pk),
            }
        )
    return rows
