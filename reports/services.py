"""Issuing a weekly report: its figures are counted once and frozen."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import office_reader, require_office
from core.dates import local_today
from retirees.models import Area

from . import selectors
from .models import WeeklyReport
from .selectors import Scope


def report_issue(*, user, week: datetime.date, scope: Scope, now: datetime.datetime | None = None) -> WeeklyReport:
    """The report of the week starting on Monday `week` for `scope`: the one issued already, or a
    new one with its figures counted now and frozen. `user` None is the Monday schedule, which
    reads as office staff do. Only a week that is over is reported (ValidationError otherwise)."""
    reader = office_reader() if user is None else user
    if user is not None:
        require_office(user)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if week.weekday() != 0 or week + datetime.timedelta(days=6) >= today:
        raise ValidationError(_("Choose a week that is over."))
    existing = selectors.report_find(week=week, scope=scope)
    if existing is not None:
        return existing
    figures = selectors.report_figures(
        user=reader, week=week, scope=scope, today=today, previous=selectors.previous_figures(week=week, scope=scope)
    )
    if scope.area:  # an area's row is made the first time it is named (as core.addressing does)
        Area.objects.bulk_create([Area(code=scope.area)], ignore_conflicts=True)
    try:
        with transaction.atomic():
            return WeeklyReport.objects.create(
                week=week,
                scope=scope.kind,
                branch=scope.branch,
                area_id=scope.area or None,
                figures=figures,
                issued_at=now,
                issued_by=user,
            )
    except IntegrityError:
        # Issued meanwhile by another request or the schedule: theirs is the report.
        return selectors.report_find(week=week, scope=scope)


def last_week(today: datetime.date | None = None) -> datetime.date:
    """The Monday of the week before `today`'s: what the Monday email reports."""
    today = today or local_today()
    return selectors.week_monday(today) - datetime.timedelta(weeks=1)
