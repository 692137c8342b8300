"""The retiree page asks each app for its panel; every query it runs is the view's, and pinned."""

import pytest
from django.urls import reverse

# Before the panels were selectors the view calls, the same page ran 21 queries for a secretary
# and 20 for office staff, 15 of them inside three inclusion tags the view could not see.
COMMON = [
    "the session",
    "the user",
    "the retiree (with branch and who added them)",
    "their household contacts",
    "the audit event of this view (INSERT)",
    "ledgers: vaccination doses",
    "ledgers: latest vaccination stance",
    "ledgers: latest nucleic-acid test",
    "ledgers: ongoing exposures",
    "ledgers: latest health record",
    "checkins: the cadence rules",
    "checkins: the retiree with their schedule",
    "checkins: attention episodes",
    "checkins: exemptions",
    "checkins: contact timeline",
    "care: the care plan",
    "care: the plan's household contacts",
    "volunteers: the volunteer record",
    "assistance: the retiree's requests",
    "visits: the retiree's visits (dates and status: the panel names no visitor)",
]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        # A branch worker's page header names their branch (base.html): one more query.
        ("secretary_a", [*COMMON, "the secretary's branch, for the page header"]),
        ("office", COMMON),
    ],
)
def test_retiree_page_query_count_is_pinned(
    request, persona, expected, login, retiree_a, checkin_objects, care_objects, django_assert_num_queries
):
    care_objects(retiree_a, checkin_objects(retiree_a)["contact"])
    client = login(request.getfixturevalue(persona))
    url = reverse("retirees:detail", args=[retiree_a.pk])
    with django_assert_num_queries(len(expected)):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert "data-care-plan" in page and "data-volunteer-badge" in page and "data-retiree-requests" in page
