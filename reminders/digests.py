"""What a reminder says: built from the check-in schedule's querysets, rendered from templates."""

import datetime
import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from assistance.selectors import assistance_requests_unfinished
from care.selectors import care_plans_due_for_review
from checkins.choices import DueState, Escalation
from checkins.schedule import with_schedule
from checkins.selectors import (
    call_list,
    exemptions_pending,
    open_follow_ups,
    rounds_awaiting_signoff,
    rounds_running,
    under_attention,
    unreachable_retirees,
)
from core.names import split_name
from retirees.models import Retiree

LIST_LIMIT = 30  # a digest lists this many people per section, then says how many more


@dataclass
class Digest:
    subject: str
    text: str
    html: str
    context: dict = field(default_factory=dict)


def recipient_language(user) -> str:
    """The language a person reads their reminders in: theirs if they have one, else the site's.
    (Users have no language preference yet; the group chat, with no user, gets the site's.)"""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _render(name: str, context: dict) -> Digest:
    with translation.override(recipient_language(context["user"])):
        subject = " ".join(render_to_string(f"reminders/email/{name}_subject.txt", context).split())
        text = render_to_string(f"reminders/email/{name}.txt", context)
        html = render_to_string(f"reminders/email/{name}.html", context)
    return Digest(subject=subject, text=text, html=html, context=context)


def _section(queryset) -> dict:
    rows = list(queryset[: LIST_LIMIT + 1])
    return {"rows": rows[:LIST_LIMIT], "more": len(rows) > LIST_LIMIT}


def branch_digest(*, user, today: datetime.date, branch=None) -> Digest:
    """A branch worker's digest (or, with `branch`, the group chat's): overdue and due retirees with
    phones, open follow-ups, active rounds and their deadlines."""
    people = call_list(user=user, today=today)
    if branch is not None:
        people = people.filter(branch=branch)
    overdue = people.filter(due_state=DueState.OVERDUE)
    due = people.filter(due_state=DueState.DUE)
    follow_ups = open_follow_ups(user=user, until=today)
    if branch is not None:
        follow_ups = follow_ups.filter(retiree__branch=branch)
    rounds = rounds_running(user=user, today=today)
    context = {
        "user": user,
        "branch": branch or user.branch,
        "today": today,
        "overdue": _section(overdue),
        "overdue_count": overdue.count(),
        "due": _section(due),
        "due_count": due.count(),
        "follow_ups": _section(follow_ups),
        "rounds": list(rounds[:10]),
        # The branch's ledger sign-off that a round's end is waiting for.
        "signoff_rounds": list(rounds_awaiting_signoff(branch_id=(branch or user.branch).pk, today=today)[:5]),
        "site_url": settings.OUTREACH_SITE_URL,
        **_care_sections(user=user, today=today, branch=branch),
    }
    return _render("branch_digest", context)


def _care_sections(*, user, today: datetime.date, branch=None) -> dict:
    """Care plans due for review that the user is responsible for, and unfinished assistance requests
    in scope (soonest needed first); for a group chat (`branch`), that branch's requests only."""
    requests = assistance_requests_unfinished(user=user)
    if branch is not None:
        requests = requests.filter(retiree__branch=branch)
    # A group chat's digest is sent as a stand-in user that is not saved: nobody is responsible there.
    plans = care_plans_due_for_review(user=user, today=today, responsible=user) if user.pk else None
    return {
        "plans_due": _section(plans) if plans is not None else {"rows": [], "more": False},
        "requests": _section(requests),
    }


def office_digest(*, user, today: datetime.date) -> Digest:
    """Office staff's daily digest: those under attention and the unreachable (each also alerted
    the moment it happened), exemption requests awaiting a decision, then retirees overdue by
    more than the threshold, per branch."""
    threshold = settings.OUTREACH_OFFICE_OVERDUE_DAYS
    late_before = today - datetime.timedelta(days=threshold)
    people = (
        with_schedule(Retiree.objects.visible_to(user).active().select_related("branch"), today)
        .filter(due_state=DueState.OVERDUE)
        .filter(next_due_on__lt=late_before)
        .order_by("branch", "next_due_on", "id")
    )
    never = (
        with_schedule(Retiree.objects.visible_to(user).active().select_related("branch"), today)
        .filter(due_state=DueState.OVERDUE, next_due_on__isnull=True)
        .order_by("branch", "name_pinyin", "id")
    )
    unreachable = unreachable_retirees(user=user)
    pending = exemptions_pending(user=user)
    context = {
        "user": user,
        "today": today,
        **_attention_section(user=user, today=today),
        "unreachable": _section(unreachable),
        "unreachable_count": unreachable.count(),
        "threshold": threshold,
        "late": _section(people),
        "late_count": people.count(),
        "never": _section(never),
        "never_count": never.count(),
        "exemptions_pending": _section(pending),
        "exemptions_pending_count": pending.count(),
        "site_url": settings.OUTREACH_SITE_URL,
        **_care_sections(user=user, today=today),
    }
    return _render("office_digest", context)


def _attention_section(*, user, today: datetime.date) -> dict:
    """The retirees under attention, the office digest's first section (each was also alerted the
    moment they came under it)."""
    attention = under_attention(user=user, today=today)
    return {"attention": _section(attention), "attention_count": attention.count()}


def chat_name(retiree) -> str:
    """How a group chat names a retiree: in full with recorded consent, else surname only (王某,
    欧阳某: a compound surname whole, core.names).

    A chat is a third party's platform read by everyone in the group; emails and in-app messages
    to the branch's own workers keep full names (the duty of care)."""
    if retiree.consent_given:
        return retiree.name
    surname, _given = split_name(retiree.name)
    return gettext("%(surname)s (name withheld)") % {"surname": surname}


def webhook_markdown(digest: Digest) -> str:
    """The group-chat text: the same digest, as WeCom robot markdown, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        names = [chat_name(r) for r in digest.context["overdue"]["rows"]]
        return render_to_string("reminders/email/branch_chat.md", {**digest.context, "overdue_names": names})


# --- Immediate alerts -------------------------------------------------------------------------


class AlertCause(enum.StrEnum):
    """Why an alert is raised: one per finding of checkins.signals (the templates say each in words)."""

    ATTENTION = "attention"  # attention_entered
    ESCALATION = "escalation"  # escalation_topped
    URGENT = "urgent"  # urgent_outcome
    HELP = "help"  # assistance.signals.help_requested: the retiree asked for help on their own page


def alert(*, user, retiree, cause: AlertCause, reason=None, contact=None) -> Digest:
    """An alert to one person (the branch's secretary, office staff), in their language: who, why,
    the phones to call and a link to the retiree's page. `reason` (attention) is translatable
    text; `contact` (escalation, urgent) is the contact that raised it. Runs two queries."""
    household = retiree.household_contacts.order_by("-is_primary", "id").first()
    context = {
        "user": user,
        "retiree": retiree,
        "branch": retiree.branch,
        "cause": str(cause),
        "reason": reason,
        "contact": contact,
        "contacted_by": contact.contacted_by if contact is not None else None,
        # The ladder's top is its OFFICE-th failure in a row: the alert is raised at that contact.
        "failures": int(Escalation.OFFICE),
        "household": household,
        "site_url": settings.OUTREACH_SITE_URL,
    }
    return _render("alert", context)


def alert_chat(*, retiree) -> Digest:
    """The group chat's alert (WeCom robot markdown), in the site's language: the retiree as the
    chat names them and "needs attention, please call" — never the cause, a reason or anything
    about their health (the chat is a third party's platform, read by the whole group)."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "branch": retiree.branch,
            "name": chat_name(retiree),  # translated here: 王某
            "url": f"{settings.OUTREACH_SITE_URL}{retiree.get_absolute_url()}",
        }
        subject = gettext("%(branch)s: a retiree needs attention") % {"branch": retiree.branch}
        text = render_to_string("reminders/email/alert_chat.md", context)
    return Digest(subject=subject, text=text, html="", context=context)
