"""What a reminder says: built from the check-in schedule's querysets, rendered from templates."""

import datetime
import enum
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from accounts.access import office_reader
from assistance.selectors import assistance_requests_unfinished
from care.selectors import care_plans_due_for_review
from checkins.choices import DueState, Escalation
from checkins.schedule import with_schedule
from checkins.selectors import (
    call_list_order,
    due_list,
    exemptions_pending,
    open_follow_ups,
    rounds_awaiting_signoff,
    rounds_in_signoff_time,
    rounds_running,
    under_attention,
    unreachable_retirees,
)
from core.db import first_per_group
from core.names import split_name
from reports.presenters import report_title
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


def branch_digest(*, user, today: datetime.date, branch=None, policies: list[dict] | None = None) -> Digest:
    """A branch worker's digest (or, with `branch`, the group chat's): overdue and due retirees with
    phones, open follow-ups, active rounds and their deadlines."""
    if branch is None:
        return branch_digests(users=[user], today=today, policies=policies)[user.pk]
    sections = _branch_sections(branch_ids=[branch.pk], today=today, policies=policies)[branch.pk]
    requests = assistance_requests_unfinished(user=user).filter(retiree__branch=branch)
    context = {
        **sections,
        "user": user,
        "branch": branch,
        # What the group chat's stand-in reader sees of the rounds running (as office staff do).
        "rounds": list(rounds_running(user=user, today=today)[:10]),
        "signoff_rounds": list(rounds_awaiting_signoff(branch_id=branch.pk, today=today)[:5]),
        "plans_due": {"rows": [], "more": False},  # nobody in a group chat is responsible for a plan
        "requests": _section(requests),
    }
    return _render("branch_digest", context)


def branch_digests(*, users, today: datetime.date, policies: list[dict] | None = None) -> dict[int, Digest]:
    """The digests of many branch workers (the tick's wave), by user id.

    A branch worker sees their own branch (accounts.access), so every worker of a branch reads the
    same rows. The long lists (overdue and due retirees, follow-ups, assistance requests) are read
    for all the workers' branches at once, the first rows of each branch and its counts in one
    query each; the care plans due for review, each person's own, in one query; the rounds a
    branch sees, which depend on how each round is addressed, with two small queries a branch,
    and none when no round is running or awaiting a sign-off anywhere. Then one render per person
    (their language, their name). `policies` (`cadence_policy_rows()`) saves a query.
    """
    users = list(users)
    if not users:
        return {}
    branch_ids = sorted({user.branch_id for user in users})
    sections = _branch_sections(branch_ids=branch_ids, today=today, policies=policies)
    requests = _by_group(
        first_per_group(
            assistance_requests_unfinished(user=office_reader()).filter(retiree__branch__in=branch_ids),
            group=["retiree__branch_id"],
            order_by=["needed_by", "created_at", "id"],
            limit=LIST_LIMIT + 1,
        ),
        key=lambda request: request.retiree.branch_id,
    )
    plans = _plans_due_by_responsible(users=users, today=today)
    any_running = rounds_running(user=office_reader(), today=today).exists()
    any_signoff = rounds_in_signoff_time(today=today).exists()
    rounds: dict[int, dict] = {}
    digests = {}
    for user in users:
        if user.branch_id not in rounds:
            rounds[user.branch_id] = {
                # Any worker of the branch: they all see the rounds addressed to it.
                "rounds": list(rounds_running(user=user, today=today)[:10]) if any_running else [],
                "signoff_rounds": (
                    list(rounds_awaiting_signoff(branch_id=user.branch_id, today=today)[:5]) if any_signoff else []
                ),
            }
        context = {
            **sections[user.branch_id],
            **rounds[user.branch_id],
            "user": user,
            "branch": user.branch,
            "plans_due": _rows_section(plans.get(user.pk, [])),
            "requests": _rows_section(requests.get(user.branch_id, [])),
        }
        digests[user.pk] = _render("branch_digest", context)
    return digests


def _branch_sections(*, branch_ids: list[int], today: datetime.date, policies: list[dict] | None) -> dict[int, dict]:
    """What a branch's digest says about its retirees, the same for every worker of it, for each of
    `branch_ids`: the overdue and the due-today retirees in the call list's order with their
    counts (one query), and the open follow-ups due by today (one query)."""
    everyone = office_reader()  # narrowed to the branches: what each branch's workers see
    people = first_per_group(
        due_list(user=everyone, today=today, policies=policies).filter(branch_id__in=branch_ids),
        group=["branch_id", "due_state"],
        order_by=call_list_order(),
        limit=LIST_LIMIT + 1,
    )
    lists: dict[tuple, list] = {}
    for person in people:
        lists.setdefault((person.branch_id, person.due_state), []).append(person)
    follow_ups = _by_group(
        first_per_group(
            open_follow_ups(user=everyone, until=today).filter(retiree__branch__in=branch_ids),
            group=["retiree__branch_id"],
            order_by=["follow_up_on", "id"],
            limit=LIST_LIMIT + 1,
        ),
        key=lambda contact: contact.retiree.branch_id,
    )
    sections = {}
    for branch_id in branch_ids:
        overdue = lists.get((branch_id, DueState.OVERDUE), [])
        due = lists.get((branch_id, DueState.DUE), [])
        sections[branch_id] = {
            "today": today,
            "overdue": _rows_section(overdue),
            "overdue_count": overdue[0].group_size if overdue else 0,
            "due": _rows_section(due),
            "due_count": due[0].group_size if due else 0,
            "follow_ups": _rows_section(follow_ups.get(branch_id, [])),
            "site_url": settings.OUTREACH_SITE_URL,
        }
    return sections


def _by_group(rows, *, key) -> dict:
    grouped: dict = {}
    for row in rows:
        grouped.setdefault(key(row), []).append(row)
    return grouped


def _rows_section(rows: list) -> dict:
    return {"rows": rows[:LIST_LIMIT], "more": len(rows) > LIST_LIMIT}


def _plans_due_by_responsible(*, users: list, today: datetime.date) -> dict[int, list]:
    """Each worker's care plans due for review, in their scope (their branch), by user id: one query
    for all of them, at most one more than a section shows each."""
    saved = {user.pk: user for user in users if user.pk}
    plans: dict[int, list] = {}
    if not saved:
        return plans
    due = care_plans_due_for_review(user=office_reader(), today=today).filter(responsible__in=list(saved))
    for plan in due:
        if plan.retiree.branch_id != saved[plan.responsible_id].branch_id:
            continue  # outside the worker's scope
        mine = plans.setdefault(plan.responsible_id, [])
        if len(mine) <= LIST_LIMIT:
            mine.append(plan)
    return plans


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


def weekly_report_message(*, user, report) -> Digest:
    """The office's Monday email: last week's report, its headline figures and the links to the
    page, the PDF and the Excel file (the files themselves stay behind the sign-in)."""
    figures = report.figures
    weeks = figures["coverage"]["weeks"]
    context = {
        "user": user,
        "report": report,
        "this_week": weeks[-1],
        "last_week": weeks[-2],
        "state": figures["state"]["totals"],
        "total": figures["coverage"]["total"],
        "site_url": settings.OUTREACH_SITE_URL,
    }
    with translation.override(recipient_language(user)):
        context["title"] = report_title(figures)
    return _render("weekly_report", context)
