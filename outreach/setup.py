"""The first-run checklist (开始使用): what an installation needs before the office can rely on it.

It reads every app, so it lives here, in the wiring layer, beside the home page that shows it
on an empty installation. Each step says whether it is done, how far it has got, and where to
do it; the queries are a fixed handful (counts and EXISTS), whatever the size of the registry.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import access
from branches.models import Branch
from core.dates import local_today
from ledgers.models import ExposureEvent, HealthRecord, NucleicTest, VaccinationDose, VaccinationStance
from reminders.models import Holiday
from retirees.models import HouseholdContact, Retiree


@dataclass
class Step:
    key: str
    title: str
    why: str
    state: str  # "done", "started" or "todo"
    progress: str
    url: str
    action: str

    @property
    def done(self) -> bool:
        return self.state == "done"


def _state(done: bool, started: bool) -> str:
    return "done" if done else "started" if started else "todo"


def first_run_steps(*, user, today: datetime.date | None = None) -> list[Step]:
    """The steps, in the order to take them (office staff see every branch; others get none)."""
    if not access.is_office(user):
        return []
    today = today or local_today()
    branches = Branch.objects.count()
    with_secretary = (
        Branch.objects.filter(Exists(access.secretaries().filter(branch=OuterRef("pk")))).count() if branches else 0
    )
    retirees = Retiree.objects.active().count()
    with_contact = (
        Retiree.objects.active().filter(Exists(HouseholdContact.objects.filter(retiree=OuterRef("pk")))).count()
        if retirees
        else 0
    )
    ledgers = (VaccinationDose, VaccinationStance, NucleicTest, ExposureEvent, HealthRecord)
    ledger_entries = any(model.objects.exists() for model in ledgers)
    holidays_this_year = Holiday.objects.filter(date__year=today.year).count()
    return [
        Step(
            "branches",
            _("Branches"),
            _("Every retiree belongs to a party branch (党支部); each branch's workers see only its retirees."),
            _state(branches > 0, False),
            _("%(count)s branches") % {"count": branches},
            reverse("branches:list"),
            _("Open the branches"),
        ),
        Step(
            "users",
            _("People who sign in"),
            _("Each branch needs its secretary (书记), who receives the reminders, and its committee members."),
            _state(branches > 0 and with_secretary == branches, with_secretary > 0),
            _("%(done)s of %(total)s branches have a secretary") % {"done": with_secretary, "total": branches},
            reverse("accounts:user_list"),
            _("Add or import people"),
        ),
        Step(
            "roster",
            _("The roster (名册)"),
            _(
                "Import the retirees from the office's Excel roster: the preview shows every problem "
                "before anything is saved."
            ),
            _state(retirees > 0, False),
            _("%(count)s retirees") % {"count": retirees},
            reverse("ledgers:import"),
            _("Import the roster"),
        ),
        Step(
            "contacts",
            _("Household contacts"),
            _("A family member or caregiver to call when the retiree cannot be reached."),
            _state(retirees > 0 and with_contact == retirees, with_contact > 0),
            _("%(done)s of %(total)s retirees have a household contact") % {"done": with_contact, "total": retirees},
            reverse("retirees:list"),
            _("Open the registry"),
        ),
        Step(
            "ledgers",
            _("Ledgers (台账)"),
            _("Vaccination, tests, exposure and health, recorded from the calls or entered on a retiree's page."),
            _state(ledger_entries, False),
            _("Entries recorded") if ledger_entries else _("Nothing recorded yet"),
            reverse("ledgers:index"),
            _("Open the ledgers"),
        ),
        Step(
            "reminders",
            _("Reminder days"),
            _(
                "Each branch's reminder days and time, and this year's holidays and make-up working days "
                "(调休), on which reminders move."
            ),
            _state(branches > 0 and holidays_this_year > 0, holidays_this_year > 0),
            _("%(count)s holidays and make-up days entered for %(year)s")
            % {"count": holidays_this_year, "year": today.year},
            reverse("reminders:holidays"),
            _("Check the holiday calendar"),
        ),
    ]


def is_empty_installation() -> bool:
    """No branch or no retiree yet: the office's home page is then the checklist (two queries at most)."""
    return not Branch.objects.exists() or not Retiree.objects.exists()
