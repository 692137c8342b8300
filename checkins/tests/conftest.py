import datetime
import zoneinfo

import pytest
import time_machine

from checkins import services

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(year, month, day, hour=10, minute=0) -> datetime.datetime:
    """An aware Asia/Shanghai datetime."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


def log_at(moment: datetime.datetime, *, user, retiree, **fields):
    """Log a contact at `moment`, with the clock set there (a contact cannot be in the future)."""
    with time_machine.travel(moment, tick=False):
        return services.contact_log(user=user, retiree=retiree, contacted_at=moment, **fields)


@pytest.fixture
def log_contact():
    return log_at
