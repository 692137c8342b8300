"""What a contact's answers record in the ledgers (台账): the one mapping, and the form's summary of it.

The contact form asks how the retiree's health was found and how their community stands; the
ledgers keep health records and exposure events. `contact_ledger_facts` turns the answers into
the facts `ledgers.services.ledger_facts_record` writes, beside the dose, willingness, test and
exposure the form's ledger part takes as they are:

- health found good, stable, unwell or in hospital: a health record of that condition (a record
  of good or stable health is what ends an "unwell" attention);
- community sealed or controlled: a community exposure event from the contact's day (the open one
  of the same kind is the same restriction seen again, not a second event);
- community normal or 防范区 (precautionary: it restricts nobody's movements): the open sealed or
  controlled community event is lifted on that day;
- "not asked", or a contact that reached nobody: nothing.

`contact_findings` says, before saving, what saving will record: the form shows it under the
answers (rendered here, refreshed by htmx as the answers change).
"""

import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ledgers import selectors as ledger_selectors
from ledgers.choices import DOSE_LABELS, Condition, ExposureKind, Stance, TestResult

from .attention import attention_cadence_days, attention_causes, attention_test_days
from .choices import CommunityStatus, HealthSeen, Reached

HEALTH_CONDITIONS = {
    HealthSeen.GOOD: Condition.GOOD,
    HealthSeen.STABLE: Condition.STABLE,
    HealthSeen.UNWELL: Condition.UNWELL,
    HealthSeen.IN_HOSPITAL: Condition.HOSPITALISED,
}
COMMUNITY_KINDS = {
    CommunityStatus.SEALED: ExposureKind.SEALED_COMMUNITY,
    CommunityStatus.CONTROLLED: ExposureKind.CONTROLLED_COMMUNITY,
}
COMMUNITY_UNRESTRICTED = (CommunityStatus.NORMAL, CommunityStatus.PRECAUTION)


def contact_ledger_facts(*, contact: dict, ledger: dict | None = None) -> dict:
    """The ledger facts a contact amounts to: `ledger` (ContactLedgerForm's cleaned data) with what
    the contact's own answers (`contact`: health_seen, community_status, reached) record."""
    facts = dict(ledger or {})
    if contact.get("reached") == Reached.NOBODY:
        return facts  # nobody was reached: nobody said how they are
    condition = HEALTH_CONDITIONS.get(contact.get("health_seen"))
    if condition:
        facts["health_condition"] = condition
    community = contact.get("community_status")
    explicit_community = facts.get("exposure_kind") in COMMUNITY_KINDS.values()
    if community in COMMUNITY_KINDS and not explicit_community:
        facts["community_kind"] = COMMUNITY_KINDS[community]
    elif community in COMMUNITY_UNRESTRICTED:
        facts["community_unrestricted"] = True
    return facts


def contact_findings(*, retiree, contact: dict, ledger: dict) -> dict:
    """What saving the contact form will record, in words, from the answers given so far.

    `contact` and `ledger` are the two forms' cleaned data (the fields valid so far). Returns
    `lines` (one per ledger fact) and `attention` (a sentence when the answers put the retiree
    under attention, else ""). Runs one query when the community is answered (its open events).
    """
    contacted_at = contact.get("contacted_at")
    day = timezone.localdate(contacted_at) if contacted_at else timezone.localdate()
    facts = contact_ledger_facts(contact=contact, ledger=ledger)
    lines = []
    if facts.get("dose_number"):
        lines.append(
            _("Vaccination: %(dose)s on %(day)s")
            % {"dose": DOSE_LABELS[facts["dose_number"]], "day": _day(facts.get("dose_given_on") or day)}
        )
    if facts.get("stance"):
        lines.append(_("Willingness to be vaccinated: %(stance)s") % {"stance": Stance(facts["stance"]).label})
    if facts.get("test_result"):
        lines.append(
            _("Nucleic-acid test: %(result)s on %(day)s")
            % {"result": TestResult(facts["test_result"]).label, "day": _day(facts.get("test_on") or day)}
        )
    if facts.get("exposure_kind"):
        lines.append(
            _("Exposure: %(kind)s from %(day)s")
            % {"kind": ExposureKind(facts["exposure_kind"]).label, "day": _day(facts.get("exposure_started_on") or day)}
        )
    if facts.get("health_condition"):
        lines.append(_("Health: %(condition)s") % {"condition": Condition(facts["health_condition"]).label})
    if facts.get("community_kind") or facts.get("community_unrestricted"):
        lines.extend(_community_lines(retiree, facts.get("community_kind"), day))
    return {"lines": lines, "attention": _attention_sentence(retiree, contact, facts, day)}


def _day(day: datetime.date) -> str:
    return date_format(day, "m-d")


def _community_lines(retiree, kind: str | None, day: datetime.date) -> list[str]:
    """What `ledgers.services.community_exposure_record` will do, in words (one query)."""
    open_events = list(ledger_selectors.open_community_exposures(retiree=retiree, day=day))
    if kind is not None and any(event.kind == kind for event in open_events):
        event = next(event for event in open_events if event.kind == kind)
        return [
            _("Exposure: %(kind)s, already recorded from %(start)s")
            % {"kind": ExposureKind(kind).label, "start": _day(event.started_on)}
        ]
    lines = [
        _("Exposure: %(kind)s (from %(start)s) lifted on %(day)s")
        % {"kind": event.get_kind_display(), "start": _day(event.started_on), "day": _day(day)}
        for event in open_events
    ]
    if kind is not None:
        lines.append(_("Exposure: %(kind)s from %(day)s") % {"kind": ExposureKind(kind).label, "day": _day(day)})
    return lines


def _attention_sentence(retiree, contact: dict, facts: dict, day: datetime.date) -> str:
    """A sentence when the answers themselves are a cause of attention (`checkins.attention`, fed
    with the answers as if they were recorded), else ""."""
    exposures = []
    if facts.get("community_kind"):
        exposures.append((0, facts["community_kind"], day))
    ended_on = facts.get("exposure_ended_on")
    if facts.get("exposure_kind") and not (ended_on and ended_on <= day):
        exposures.append((0, facts["exposure_kind"], facts.get("exposure_started_on") or day))
    tests = [(0, facts.get("test_on") or day)] if facts.get("test_result") == TestResult.POSITIVE else []
    health = [(0, day, facts["health_condition"])] if facts.get("health_condition") else []
    contacts = [(0, day, contact["outcome"])] if contact.get("outcome") else []
    causes = attention_causes(
        exposures=exposures,
        positive_tests=tests,
        health=health,
        contacts=contacts,
        today=day,
        test_days=attention_test_days(),
    )
    if not causes:
        return ""
    days = attention_cadence_days()
    if days == 1:
        return _("%(name)s will be under attention: called every day until the cause is resolved or lifted.") % {
            "name": retiree.name
        }
    return _("%(name)s will be under attention: called every %(days)s days until the cause is resolved or lifted.") % {
        "name": retiree.name,
        "days": days,
    }
