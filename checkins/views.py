"""Pages for check-ins. Views fetch through selectors (so another branch's object is a 404) and
write through services; they hold no rules of their own."""

import json
from urllib.parse import quote as urlquote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import may_lift_attention, may_request_exemption, office_required, require_office
from audit.models import AuditEvent
from audit.services import audit_record
from branches.models import Branch
from core.dates import local_today
from core.forms import form_post, int_or_404, int_or_none, next_url
from core.pagination import paginate, querystring_without_page
from ledgers import selectors as ledger_selectors
from ledgers.forms import ContactLedgerForm
from retirees import selectors as retiree_selectors

from . import call_order, schedule, selectors, services
from .choices import Channel, Escalation, Outcome, Reached, RoundStatus
from .findings import contact_findings
from .forms import (
    AttentionLiftForm,
    CadencePolicyForm,
    CallListBranchForm,
    ContactForm,
    ExemptionDecisionForm,
    ExemptionForm,
    RoundCloseForm,
    RoundForm,
)
from .models import CadencePolicy
from .presenters import call_rows

# The most urgent first, fifty a page: a phone screen's worth of large buttons, and a page that
# renders in well under a tenth of a second (each row costs ~0.5 ms of template rendering). The
# page's ids are sorted first (core.pagination.IdsFirstPaginator): for office staff, who see
# every branch, sorting the narrow ids of 100,000 retirees halves the time of sorting full rows.
CALL_LIST_PAGE_SIZE = 50
# Branches in the dashboard's table at a time.
DASHBOARD_BRANCHES_PAGE_SIZE = 50
CONTACT_HISTORY_PAGE_SIZE = 50
# Decided requests shown under the pending ones: what the office did lately, not an archive.
EXEMPTIONS_DECIDED_SHOWN = 30


# --- The call list ----------------------------------------------------------------------------


@login_required
def call_list(request):
    """The secretary's home: who to call now, overdue first; office staff may pick a branch."""
    today = local_today()
    picker = None
    if request.user.sees_all_branches:
        # A list of a few branches, a search box for many: a name typed is resolved here.
        picker = CallListBranchForm(request.GET, user=request.user)
        branch = picker.chosen
    else:
        branch = _chosen_branch(request)
    policies = schedule.cadence_policy_rows()  # read once for both schedules below
    rows = selectors.call_list(user=request.user, today=today, branch=branch, policies=policies)
    # A branch's list is a hundred or so retirees: one query for the page, PostgreSQL working out
    # the last contacts for its rows only. The office's list spans every branch: ids first, so
    # that a page far down does not build every row before it (core.pagination).
    totals = selectors.coverage_overview(
        user=request.user, today=today, policies=policies, branch=branch, weeks=False
    ).totals
    # The list is every active retiree in view, whom the coverage counts already number. Over
    # every branch, the page's ids come from the order kept with those counts (valid with them:
    # coverage_overview has just made every branch's valid), where it is kept.
    everyone = branch is None and request.user.sees_all_branches
    page = paginate(
        request,
        rows,
        CALL_LIST_PAGE_SIZE,
        ids_first=everyone,
        count=totals["total"],
        ids=call_order.office_page_ids(today) if everyone else None,
    )
    next_path = request.get_full_path()  # where each row's forms return to
    return render(
        request,
        "checkins/call_list.html",
        {
            "page": page,
            "rows": call_rows(page, show_branch=request.user.sees_all_branches),
            "querystring": querystring_without_page(request),
            "totals": totals,
            "section_counts": selectors.section_counts(totals),
            "picker": picker,
            "picker_html": str(picker["branch"]) if picker is not None else "",
            "branch": branch,
            "follow_ups": selectors.open_follow_ups(user=request.user, until=today)[:20],
            "today": today,
            "escalation": Escalation,
            "next_path": next_path,
            "next_query": urlquote(next_path),
        },
    )


def _chosen_branch(request) -> Branch | None:
    pk = int_or_none(request.GET.get("branch") or request.POST.get("branch"))
    if pk is None:
        return None
    return Branch.objects.visible_to(request.user).filter(pk=pk).first()


@login_required
def call_sheet(request):
    """The call list as an A4 sheet to print and fill in by hand."""
    today = local_today()
    branch = _chosen_branch(request)
    return render(
        request,
        "checkins/call_sheet.html",
        {"rows": selectors.call_list(user=request.user, today=today, branch=branch), "branch": branch, "today": today},
    )


@login_required
def quick_log(request, pk):
    """One tap from the call list: "reached, all well" or "no answer" by phone, now.

    With htmx the updated row comes back in place; without it, the browser returns to the list.
    """
    retiree = selectors.retiree_for_checkin(user=request.user, pk=pk)
    if request.method == "POST":
        result = request.POST.get("result")
        if result not in ("all_well", "no_answer"):
            messages.error(request, _("Choose what came of the call."))
            return redirect(reverse("checkins:quick_log", args=[pk]))
        reached = Reached.NOBODY if result == "no_answer" else Reached.RETIREE
        services.contact_log(user=request.user, retiree=retiree, channel=Channel.PHONE, reached=reached)
        if request.headers.get("HX-Request"):
            return _call_row_response(request, pk, just_logged=result, with_counts=True)
        messages.success(request, _("Logged a call with %(name)s.") % {"name": retiree.name})
        return redirect(next_url(request, reverse("checkins:call_list")))
    return render(request, "checkins/quick_log.html", {"retiree": retiree})


def _call_row_response(request, pk, *, with_counts: bool = False, **extra):
    """One call-list row, fresh, for an htmx swap after a tap on it; `with_counts`, the counts at
    the top of the list too (swapped out of band), of the branch the list shows."""
    retiree = selectors.call_list_row(user=request.user, pk=pk)
    next_path = next_url(request, reverse("checkins:call_list"))
    if with_counts:
        branch = _chosen_branch(request)
        totals = selectors.coverage_overview(user=request.user, branch=branch, weeks=False).totals
        extra.update(totals=totals, section_counts=selectors.section_counts(totals), branch=branch)
    context = {
        "row": call_rows([retiree], show_branch=request.user.sees_all_branches)[0],
        "retiree": retiree,
        "today": local_today(),
        "next_path": next_path,
        "next_query": urlquote(next_path),
        **extra,
    }
    return render(request, "checkins/_call_row.html", context)


@login_required
def round_confirm(request, pk):
    """One tap, for a retiree reached in a running round: "nothing has changed" for the items the
    round still asks (from the call list's row or the round's to-verify list).

    With htmx the row (or the list item, with `from=round`) comes back in place; without it, the
    browser returns to `next` with a message. GET shows the rounds waiting for this retiree.
    """
    retiree = selectors.retiree_for_checkin(user=request.user, pk=pk)
    if request.method != "POST":
        checks = selectors.round_checks_for(user=request.user, retiree_ids=[retiree.pk]).get(retiree.pk, [])
        return render(
            request,
            "checkins/round_confirm.html",
            {"retiree": retiree, "checks": checks, "next": next_url(request, "")},
        )
    checkin_round = selectors.round_get(user=request.user, pk=int_or_404(request.POST.get("round")))
    error, verification = "", None
    try:
        verification = services.round_verification_confirm(
            user=request.user, checkin_round=checkin_round, retiree=retiree
        )
    except ValidationError as problem:
        error = " ".join(problem.messages)
    if request.headers.get("HX-Request"):
        if request.POST.get("from") == "round":
            context = {"retiree": retiree, "round": checkin_round, "confirm_error": error, "confirmed": verification}
            return render(request, "checkins/_round_confirmed.html", context)
        return _call_row_response(request, pk, just_confirmed=not error, confirm_error=error)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(name)s: confirmed unchanged for “%(round)s”.") % {"name": retiree.name, "round": checkin_round.title},
        )
    return redirect(next_url(request, checkin_round.get_absolute_url()))


@login_required
def contact_create(request, pk):
    """The full contact form, for a problem or any detail the quick log does not take."""
    retiree = selectors.retiree_for_checkin(user=request.user, pk=pk)
    initial = {}
    if request.GET.get("reached") in Reached.values:
        initial["reached"] = request.GET["reached"]
    if request.GET.get("outcome") in Outcome.values:
        initial["outcome"] = request.GET["outcome"]
    form = ContactForm(request.POST or None, initial=initial)
    recorded = [dose.dose_number for dose in ledger_selectors.retiree_doses(retiree=retiree)]
    ledger_form = ContactLedgerForm(request.POST or None, recorded_doses=recorded)
    # A round (摸排) under way asks this retiree's answers: say which, on the form.
    round_checks = selectors.round_checks_for(user=request.user, retiree_ids=[retiree.pk]).get(retiree.pk, [])
    form.ask_for_round(round_checks)
    saved = form_post(
        request,
        form,
        lambda: services.contact_log_with_ledger_facts(
            user=request.user, retiree=retiree, ledger_facts=ledger_form.cleaned_data, **form.cleaned_data
        ),
        success=_("Logged a contact with %(name)s.") % {"name": retiree.name},
        also=[ledger_form],
        errors_on=lambda error: ledger_form if _ledger_error(error) else form,
    )
    if saved:
        back = next_url(request, retiree.get_absolute_url())
        if saved.value.outcome in NEEDS_A_REQUEST:
            # A need was heard: offer to open the request now, rather than return to the list.
            return redirect(reverse("checkins:contact_saved", args=[saved.value.pk]) + f"?next={urlquote(back)}")
        return redirect(back)
    return render(
        request,
        "checkins/contact_form.html",
        {
            "form": form,
            "ledger_form": ledger_form,
            "retiree": retiree,
            "next": next_url(request, ""),
            "findings": _findings(retiree, form, ledger_form),
            "round_checks": round_checks,
        },
    )


# The outcomes after which the saved page offers to open an assistance request.
NEEDS_A_REQUEST = (Outcome.NEEDS_HELP, Outcome.URGENT)


@login_required
def contact_saved(request, pk):
    """After a contact that needs help: one big tap to open the request, its need filled in."""
    contact = selectors.contact_get(user=request.user, pk=pk)
    context = {"contact": contact, "retiree": contact.retiree, "next": next_url(request, reverse("checkins:call_list"))}
    return render(request, "checkins/contact_saved.html", context)


@login_required
def contact_findings_view(request, pk):
    """What saving the contact form will record, from its answers so far (htmx, on each change)."""
    retiree = selectors.retiree_for_checkin(user=request.user, pk=pk)
    data = request.GET if request.GET else None
    findings = _findings(retiree, ContactForm(data), ContactLedgerForm(data))
    return render(request, "checkins/_contact_findings.html", {"findings": findings, "retiree": retiree})


def _findings(retiree, form, ledger_form) -> dict:
    """The findings of the answers that are valid so far (an unbound form: its initial answers)."""
    contact, ledger = dict(form.initial), {}
    if form.is_bound:
        form.is_valid()
        contact = form.cleaned_data
    if ledger_form.is_bound:
        ledger_form.is_valid()
        ledger = ledger_form.cleaned_data
    return contact_findings(retiree=retiree, contact=contact, ledger=ledger)


_LEDGER_ERROR_FIELDS = {"given_on", "stated_on", "tested_on", "started_on", "ended_on", "reason", "dose_number"}


def _ledger_error(error: ValidationError) -> bool:
    """A ledger service's error (its fields differ from the contact's) belongs on the ledger form."""
    return hasattr(error, "error_dict") and bool(set(error.error_dict) & _LEDGER_ERROR_FIELDS)


@login_required
def follow_up_done(request, pk):
    contact = selectors.contact_get(user=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.contact_follow_up_close(user=request.user, contact=contact)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Follow-up marked done."))
        return redirect(next_url(request, contact.retiree.get_absolute_url()))
    return render(request, "checkins/follow_up_done.html", {"contact": contact})


# --- Attention ----------------------------------------------------------------------------------


@login_required
def attention_lift(request, pk):
    """Lift one cause of a retiree's attention, with the reason: the branch's secretary or office staff."""
    episode = selectors.attention_episode_get(user=request.user, pk=pk)
    if not may_lift_attention(request.user, episode.retiree):
        raise PermissionDenied
    retiree = episode.retiree
    form = AttentionLiftForm(request.POST or None)
    active = episode.is_active_on(local_today())
    if active and form_post(
        request,
        form,
        lambda: services.attention_lift(user=request.user, episode=episode, reason=form.cleaned_data["reason"]),
        success=_("Attention lifted for %(name)s.") % {"name": retiree.name},
    ):
        return redirect(next_url(request, retiree.get_absolute_url() + "#attention"))
    return render(
        request,
        "checkins/attention_lift.html",
        {"episode": episode, "retiree": retiree, "form": form, "active": active, "next": next_url(request, "")},
    )


# --- The dashboard ----------------------------------------------------------------------------


@login_required
def dashboard(request):
    """Coverage per branch with totals, the 12-week chart, escalations and exemptions."""
    today = local_today()
    # The cadence rules are read only if some branch is counted again.
    coverage = selectors.coverage_overview(user=request.user, today=today)
    totals = coverage.totals
    weeks = selectors.weekly_coverage(user=request.user, today=today, total=totals["total"], reached=coverage.weekly)
    # A page of branches at a time (a thousand rows took longer to lay out than to count), in
    # the branches' order or the least covered first; with kept counts only the page is read.
    by_coverage = request.GET.get("order") == "coverage"
    shown = coverage.by_coverage if by_coverage else coverage.rows
    page = Paginator(shown, DASHBOARD_BRANCHES_PAGE_SIZE).get_page(request.GET.get("page"))
    chart = {
        "labels": [date_format(week["week"], "MONTH_DAY_FORMAT") for week in weeks],
        "percent": [week["percent"] for week in weeks],
        "reached": [week["reached"] for week in weeks],
        "label": _("Retirees reached in the week (%)"),
    }
    return render(
        request,
        "checkins/dashboard.html",
        {
            "page": page,
            "by_coverage": by_coverage,
            "querystring": querystring_without_page(request),
            "totals": totals,
            "weeks": weeks,
            "chart_json": json.dumps(chart, ensure_ascii=False),
            "escalations": selectors.escalations(user=request.user),
            "exemptions": selectors.exemptions_in_force(user=request.user, today=today),
            "exemptions_pending": selectors.exemptions_pending(user=request.user).count(),
            "open_rounds": selectors.round_list(user=request.user).filter(status=RoundStatus.OPEN),
            "today": today,
        },
    )


# --- Rounds -----------------------------------------------------------------------------------


@login_required
def round_list(request):
    return render(request, "checkins/round_list.html", {"rounds": selectors.round_list(user=request.user)})


@office_required
def round_create(request):
    form = RoundForm(request.POST or None, user=request.user)
    saved = form_post(
        request,
        form,
        lambda: services.round_create(user=request.user, **form.service_kwargs()),
        success=lambda checkin_round: _("Round “%(title)s” opened.") % {"title": checkin_round.title},
    )
    if saved:
        return redirect(saved.value)
    return render(request, "checkins/round_form.html", {"form": form})


def _round_lists(request, checkin_round) -> dict:
    """What the round's lists add to its counts (the to-verify list is read at once: one query)."""
    return {"unverified": selectors.round_unverified(user=request.user, checkin_round=checkin_round)}


def _round_context(request, checkin_round):
    rows = selectors.round_coverage(user=request.user, checkin_round=checkin_round)
    return {
        "round": checkin_round,
        "rows": rows,
        "totals": selectors.round_totals(rows),
        "missing": selectors.round_missing(user=request.user, checkin_round=checkin_round),
        "exempted": selectors.round_exemptions(user=request.user, checkin_round=checkin_round),
        "confirming": checkin_round.runs_on(local_today()),
    }


@login_required
def round_detail(request, pk):
    checkin_round = selectors.round_get(user=request.user, pk=pk)
    context = _round_context(request, checkin_round) | _round_lists(request, checkin_round)
    return render(request, "checkins/round_detail.html", context)


@login_required
def round_summary(request, pk):
    """The printable summary: frozen counts once closed, live counts while open."""
    checkin_round = selectors.round_get(user=request.user, pk=pk)
    context = _round_context(request, checkin_round)
    if checkin_round.is_open:
        context |= _round_lists(request, checkin_round)
    else:
        context["closing"] = selectors.round_closing_counts(user=request.user, checkin_round=checkin_round)
    return render(request, "checkins/round_summary.html", context)


@login_required
def round_close(request, pk):
    checkin_round = selectors.round_get(user=request.user, pk=pk)
    require_office(request.user)
    form = RoundCloseForm(request.POST or None)
    if checkin_round.is_open and form_post(
        request,
        form,
        lambda: services.round_close(user=request.user, checkin_round=checkin_round, **form.cleaned_data),
        success=_("Round closed."),
    ):
        return redirect(reverse("checkins:round_summary", args=[pk]))
    context = _round_context(request, checkin_round)
    context["form"] = form
    return render(request, "checkins/round_close.html", context)


# --- Exemptions -------------------------------------------------------------------------------


@login_required
def exemption_create(request, pk):
    """A branch secretary or office worker asks for a retiree to be exempted; another office worker decides."""
    retiree = selectors.retiree_for_checkin(user=request.user, pk=pk)
    if not may_request_exemption(request.user):
        raise PermissionDenied
    form = ExemptionForm(request.POST or None, user=request.user, retiree=retiree)

    def send():
        data = form.cleaned_data
        return services.exemption_request(
            user=request.user,
            retiree=retiree,
            reason=data["reason"],
            starts_on=data.get("starts_on"),
            ends_on=data.get("ends_on"),
            checkin_round=data.get("round"),
            note=data.get("note", ""),
        )

    success = _("Request sent for %(name)s: it counts once an office worker approves it.") % {"name": retiree.name}
    if form_post(request, form, send, success=success):
        return redirect(retiree)
    return render(request, "checkins/exemption_form.html", {"form": form, "retiree": retiree})


@login_required
def exemption_list(request):
    """Requests awaiting a decision (office staff approve or refuse them here), and those decided lately."""
    return render(
        request,
        "checkins/exemption_list.html",
        {
            "pending": selectors.exemptions_pending(user=request.user),
            "decided": selectors.exemptions_decided_lately(user=request.user)[:EXEMPTIONS_DECIDED_SHOWN],
            "decision_form": ExemptionDecisionForm(),
        },
    )


@login_required
def exemption_decide(request, pk):
    """One request, to approve or refuse (office staff, not its requester: the service refuses that)."""
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    require_office(request.user)
    form = ExemptionDecisionForm(request.POST or None)

    def decide():
        data = form.cleaned_data
        if data["decision"] == ExemptionDecisionForm.APPROVE:
            return services.exemption_approve(user=request.user, exemption=exemption, note=data["note"])
        return services.exemption_refuse(user=request.user, exemption=exemption, note=data["note"])

    def said(decided):
        if decided.is_approved:
            return _("Exemption approved for %(name)s.") % {"name": decided.retiree.name}
        return _("Request refused for %(name)s; the requester is told why.") % {"name": decided.retiree.name}

    if form_post(request, form, decide, success=said):
        return redirect(next_url(request, reverse("checkins:exemption_list")))
    if request.method == "POST":
        exemption.refresh_from_db()  # decided meanwhile by somebody else: show it as it is now
    context = {"exemption": exemption, "form": form, "next": next_url(request, "")}
    return render(request, "checkins/exemption_decide.html", context)


@login_required
def exemption_revoke(request, pk):
    exemption = selectors.exemption_get(user=request.user, pk=pk)
    require_office(request.user)
    if request.method == "POST":
        try:
            services.exemption_revoke(user=request.user, exemption=exemption)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Exemption ended."))
        return redirect(exemption.retiree)
    return render(request, "checkins/exemption_revoke.html", {"exemption": exemption})


# --- A retiree's contact history -------------------------------------------------------------


@login_required
def contact_history(request, pk):
    """Every contact with a retiree, newest first, a page at a time (the retiree page shows the latest)."""
    retiree = retiree_selectors.retiree_get(user=request.user, pk=pk)
    audit_record(action=AuditEvent.Action.VIEW_RETIREE, request=request, retiree=retiree)
    page = paginate(request, selectors.contact_timeline(user=request.user, retiree=retiree), CONTACT_HISTORY_PAGE_SIZE)
    return render(
        request,
        "checkins/contact_history.html",
        {"retiree": retiree, "page": page, "querystring": querystring_without_page(request)},
    )


# --- Cadence policies -------------------------------------------------------------------------


@office_required
def policy_list(request):
    return render(request, "checkins/policy_list.html", {"policies": selectors.policy_list(user=request.user)})


@office_required
def policy_create(request):
    return _policy_edit(request, CadencePolicy())


@login_required
def policy_edit(request, pk):
    policy = selectors.policy_get(user=request.user, pk=pk)
    require_office(request.user)
    return _policy_edit(request, policy)


def _policy_edit(request, policy):
    if request.method == "POST" and "delete" in request.POST and policy.pk:
        services.cadence_policy_delete(user=request.user, policy=policy)
        messages.success(request, _("Rule removed."))
        return redirect("checkins:policy_list")
    form = CadencePolicyForm(request.POST or None, instance=policy, user=request.user)
    if form_post(
        request,
        form,
        lambda: services.cadence_policy_save(user=request.user, policy=form.save(commit=False)),
        success=_("Rule saved."),
    ):
        return redirect("checkins:policy_list")
    return render(request, "checkins/policy_form.html", {"form": form, "policy": policy})
