import pytest

from tests.factories import log_at


@pytest.fixture
def log_contact():
    return log_at
