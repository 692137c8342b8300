"""Fixtures shared by the tests of the care services' apps (re-exported by their conftest files)."""

import datetime

import pytest
from django.utils import timezone

from conftest import make_retiree
from volunteers.models import Volunteer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def lixiu_a(branch_a):
    return make_retiree(branch_a, "离休甲", category="lixiu", birth_date=datetime.date(1930, 1, 1))


@pytest.fixture
def volunteer_a(branch_a):
    retiree = make_retiree(branch_a, "志愿者甲", residence_area="east", birth_date=datetime.date(1955, 1, 1))
    return Volunteer.objects.create(retiree=retiree, area="both", skills="开车")


@pytest.fixture
def today():
    return timezone.localdate()
