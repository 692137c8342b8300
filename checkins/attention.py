"""Attention (重点关注): what puts a retiree under closer contact, and what ends it. The one rule.

A retiree is under attention while at least one of these causes is open:

- **exposure**: an exposure event (涉疫) of theirs is ongoing, whatever its kind (confirmed, close
  contact, sealed or controlled community…). It ends when the event is lifted in the ledger: on
  the ledger's own page, or by a later contact that finds their community unrestricted again
  (normal or 防范区), which lifts an open sealed or controlled community on that day.
- **test**: a positive nucleic-acid test in the last `OUTREACH_ATTENTION_TEST_DAYS` days (14).
  It ends by itself that many days after the test (or when the result is corrected).
- **health**: their latest health record says unwell or in hospital. It ends with a later record
  of good or stable health (the contact form writes one when a call finds them well). Unwell
  records in a row are one episode: "still unwell" is the open cause seen again.
- **contact**: a contact had the outcome urgent or needs help. A later contact that found all
  well ends it (only a contact that reached somebody can); a concern, or a contact that reached
  nobody, does not. Urgent and needs-help contacts in a row are one episode.

Any open cause can also be lifted by a person, with a reason: the branch's secretary or office
staff (`accounts.access.may_lift_attention`). Lifting ends the attention, not the fact: the ledger
keeps the exposure as recorded. A lifted cause stays lifted however often it is seen again; only a
new cause opens a new episode (a new exposure event, a new positive test, unwell again after a
record of good health, urgent again after an all-well contact).

Each episode is named by its cause and the row that opened it ("exposure:42", "test:7",
"health:19", "contact:1234"): the stable identity that alerts are keyed on (one per retiree per
episode), sent with `checkins.signals.attention_entered` when the episode opens.

While under attention the retiree's cadence is `OUTREACH_ATTENTION_CADENCE_DAYS` (1), whatever
else applies, a care plan included (`checkins.schedule.cadence_terms`): the shorter cadence is the
safer one. They come first on the call list, with the reason.

This module is the rule alone, on plain values (no query): `checkins.services.attention_refresh`
feeds it one retiree's facts and keeps the episodes (`AttentionEpisode`) and the denormalised
attention span on `CheckinState` in step with what it returns.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ledgers.choices import Condition, ExposureKind, TestResult

from .choices import DEFAULT_ATTENTION_CADENCE, DEFAULT_ATTENTION_TEST_DAYS, AttentionCause, Outcome

# The outcomes of a contact that put the retiree under attention, and the one that ends it.
ATTENTION_OUTCOMES = (Outcome.URGENT, Outcome.NEEDS_HELP)
ALL_WELL_OUTCOMES = (Outcome.ALL_WELL,)
# The health found that puts the retiree under attention; any other health record ends it.
UNWELL_CONDITIONS = (Condition.UNWELL, Condition.HOSPITALISED)
WELL_CONDITIONS = tuple(condition for condition in Condition if condition not in UNWELL_CONDITIONS)


def attention_cadence_days() -> int:
    """The cadence (days) of a retiree under attention (setting, default 1)."""
    return getattr(settings, "OUTREACH_ATTENTION_CADENCE_DAYS", DEFAULT_ATTENTION_CADENCE)


def attention_test_days() -> int:
    """How many days a positive test keeps a retiree under attention (setting, default 14)."""
    return getattr(settings, "OUTREACH_ATTENTION_TEST_DAYS", DEFAULT_ATTENTION_TEST_DAYS)


@dataclass(frozen=True)
class Cause:
    """One open cause of attention: its kind, the row that opened it, what it says, since when."""

    cause: str  # AttentionCause
    source_id: int  # the exposure event, test, health record or contact that opened it
    detail: str  # the exposure kind, the test result, the health condition or the outcome
    since: datetime.date
    expires_on: datetime.date | None = None  # ends by itself on this day (a positive test)

    @property
    def episode(self) -> str:
        return f"{self.cause}:{self.source_id}"


def attention_causes(
    *,
    exposures: Iterable[tuple[int, str, datetime.date]],
    positive_tests: Iterable[tuple[int, datetime.date]],
    health: Iterable[tuple[int, datetime.date, str]],
    contacts: Iterable[tuple[int, datetime.date, str]],
    today: datetime.date,
    test_days: int,
) -> list[Cause]:
    """The causes of attention open today, from one retiree's facts (no query).

    `exposures`: (id, kind, started_on) of their ongoing exposure events; `positive_tests`:
    (id, tested_on) of their positive tests; `health`: (id, recorded_on, condition) of their
    health records, oldest first; `contacts`: (id, contacted_on, outcome) of their contacts,
    oldest first. The last two may start at the latest record that ends a run (a well record, an
    all-well contact): nothing before it matters.
    """
    causes = [Cause(AttentionCause.EXPOSURE, pk, kind, started_on) for pk, kind, started_on in exposures]
    for pk, tested_on in positive_tests:
        expires_on = tested_on + datetime.timedelta(days=test_days)
        if tested_on <= today < expires_on:
            causes.append(Cause(AttentionCause.TEST, pk, TestResult.POSITIVE, tested_on, expires_on))
    health_run = _open_run(health, opens=UNWELL_CONDITIONS, ends=WELL_CONDITIONS)
    if health_run:
        causes.append(Cause(AttentionCause.HEALTH, *health_run))
    contact_run = _open_run(contacts, opens=ATTENTION_OUTCOMES, ends=ALL_WELL_OUTCOMES)
    if contact_run:
        causes.append(Cause(AttentionCause.CONTACT, *contact_run))
    return causes


def _open_run(rows, *, opens, ends) -> tuple[int, str, datetime.date] | None:
    """The run of `opens` values still open after `rows` (oldest first): (first id, latest value,
    first date), or None. A value in `ends` closes the run; any other value neither opens nor closes it."""
    first = latest = None
    for pk, day, value in rows:
        if value in opens:
            first = first or (pk, day)
            latest = value
        elif value in ends:
            first = latest = None
    if first is None:
        return None
    return first[0], latest, first[1]


def attention_span(open_episodes: Iterable[tuple[datetime.date, datetime.date | None]]):
    """(since, until) of the retiree's attention from their open episodes' (since, expires_on):
    since the earliest; until None while any episode has no end of its own, else the last end.
    (None, None) when there is none. Kept on CheckinState for `checkins.schedule.with_schedule`."""
    spans = list(open_episodes)
    if not spans:
        return None, None
    since = min(start for start, _end in spans)
    ends = [end for _start, end in spans]
    return since, None if None in ends else max(ends)


_DETAIL_LABELS = {
    AttentionCause.EXPOSURE: dict(ExposureKind.choices),
    AttentionCause.TEST: dict(TestResult.choices),
    AttentionCause.HEALTH: dict(Condition.choices),
    AttentionCause.CONTACT: dict(Outcome.choices),
}


def attention_reason(cause: str, detail: str):
    """Why a retiree is under attention, as translatable text: "Exposure: Sealed community (封控区)"."""
    cause_label = AttentionCause(cause).label if cause in AttentionCause.values else cause
    detail_label = _DETAIL_LABELS.get(cause, {}).get(detail, detail)
    return format_lazy(_("{cause}: {detail}"), cause=cause_label, detail=detail_label)
