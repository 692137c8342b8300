"""The test suite's factories, in one place: conftest fixtures are thin wrappers around these.

Plain functions, so that a test module, a fixture or a helper can call them with what it needs.
"""

import datetime
import itertools
import zoneinfo

import time_machine

from accounts.models import User
from retirees.models import Retiree
from retirees.services import retiree_set_search_keys

PASSWORD = "Persona-pass-2026"
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
_phones = itertools.count(13800000000)


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware datetime given in Asia/Shanghai wall-clock time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def make_user(username, *, role, branch=None, position=""):
    user = User(
        username=username,
        last_name=username[:1],
        first_name=username[1:],
        role=role,
        branch=branch,
        position=position,
        is_staff=role == User.Role.ADMIN,
        is_superuser=role == User.Role.ADMIN,
        email=f"{username}@example.org",
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def make_retiree(branch, name="张建国", **fields) -> Retiree:
    values = {
        "gender": "male",
        "birth_date": datetime.date(1945, 3, 8),
        "category": "tuixiu",
        "phone": str(next(_phones)),
        "residence_area": "off_campus",
        # As in the demo data: a retiree without consent is left out of exports, so tests say so.
        "consent_given": True,
    }
    values.update(fields)
    retiree = Retiree(name=name, branch=branch, **values)
    retiree_set_search_keys(retiree=retiree)
    retiree.save()
    return retiree


def log_at(moment: datetime.datetime, *, user, retiree, **fields):
    """Log a contact at `moment`, with the clock set there (a contact cannot be in the future)."""
    from checkins import services  # the factories import no app's services at collection time

    with time_machine.travel(moment, tick=False):
        return services.contact_log(user=user, retiree=retiree, contacted_at=moment, **fields)


def grant_exemption(*, requester, approver, retiree, **fields):
    """An approved exemption: requested by one person, approved by another (the two-person rule)."""
    from checkins import services  # the factories import no app's services at collection time

    exemption = services.exemption_request(user=requester, retiree=retiree, **fields)
    return services.exemption_approve(user=approver, exemption=exemption)
