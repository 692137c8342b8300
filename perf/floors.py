"""The benchmark's floors: the same numbers as the app's pages, computed by the best hand-written
SQL we could write against the same schema, so that the benchmark can say how far the app is from
what the database can do, and fail when the two disagree.

`bench/run.py` times these next to the pages; `perf/tests/test_floors.py` checks on a small city
that they count what `checkins.selectors` counts.
"""

import datetime

from django.db import connection

from checkins.attention import attention_cadence_days
from checkins.selectors import week_starts
from retirees.models import birth_date_bounds

# The columns compared with checkins.selectors.branch_coverage, in COVERAGE_SQL's order.
FIELDS = ["total", "covered", "exempt", "due", "overdue", "unreachable", "attention"]

# The floor of the coverage counts: the best set-based SQL we could write against today's schema,
# computing what checkins.schedule computes (attention > care plan > branch rule > office-wide
# rule > default; exempt, due, overdue) with no subquery per retiree. The cadence rules are
# resolved once per combination of the columns they look at (branch, category, care level, age
# band: a few thousand combinations, not 100,000 retirees) by a join on the policy table, the most
# specific rule winning and then the shortest cadence (min() over rank * 1000 + days), and joined
# back; the exemptions in force are one hashed set.
COVERAGE_SQL = """
WITH people AS MATERIALIZED (
    SELECT r.id, r.branch_id, r.category, r.care_level,
           CASE WHEN r.birth_date > %(b70)s THEN 'lt70' WHEN r.birth_date > %(b80)s THEN '70s'
                WHEN r.birth_date > %(b90)s THEN '80s' ELSE '90plus' END AS age_band,
           r.birth_date <= %(b80)s AS frail_age,
           s.last_reached_on, s.unreachable_since IS NOT NULL AS unreachable, s.cadence_override_days,
           COALESCE(s.attention_since IS NOT NULL
                    AND (s.attention_until IS NULL OR s.attention_until > %(today)s), false) AS attention
    FROM retirees_retiree r LEFT JOIN checkins_checkinstate s ON s.retiree_id = r.id
    WHERE r.status = 'active'
),
kinds AS (SELECT DISTINCT branch_id, category, care_level, age_band FROM people),
matches AS (
    SELECT k.branch_id, k.category, k.care_level, k.age_band, true AS branch_level,
           (3 - ((p.category <> '')::int + (p.age_band <> '')::int + (p.care_level <> '')::int)) * 1000
           + p.cadence_days AS rank
    FROM kinds k JOIN checkins_cadencepolicy p ON p.branch_id = k.branch_id
    WHERE p.category IN ('', k.category) AND p.care_level IN ('', k.care_level) AND p.age_band IN ('', k.age_band)
    UNION ALL
    SELECT k.branch_id, k.category, k.care_level, k.age_band, false,
           (3 - ((p.category <> '')::int + (p.age_band <> '')::int + (p.care_level <> '')::int)) * 1000
           + p.cadence_days
    FROM kinds k JOIN checkins_cadencepolicy p ON p.branch_id IS NULL
    WHERE p.category IN ('', k.category) AND p.care_level IN ('', k.care_level) AND p.age_band IN ('', k.age_band)
),
rules AS (
    SELECT branch_id, category, care_level, age_band,
           min(rank) FILTER (WHERE branch_level) %% 1000 AS branch_days,
           min(rank) FILTER (WHERE NOT branch_level) %% 1000 AS office_days
    FROM matches GROUP BY branch_id, category, care_level, age_band
),
exempt AS (
    SELECT DISTINCT retiree_id FROM checkins_exemption
    WHERE round_id IS NULL AND status = 'approved' AND revoked_at IS NULL
      AND starts_on <= %(today)s AND ends_on >= %(today)s
),
scheduled AS (
    SELECT p.branch_id, p.unreachable, p.attention, e.retiree_id IS NOT NULL AS exempt,
           p.last_reached_on - %(today)s + COALESCE(
               CASE WHEN p.attention THEN %(attention_days)s END, p.cadence_override_days,
               r.branch_days, r.office_days,
               CASE WHEN p.care_level = 'dependent' OR p.frail_age THEN 3 WHEN p.category = 'lixiu' THEN 7 ELSE 14 END
           ) AS days_left
    FROM people p
    LEFT JOIN rules r ON r.branch_id = p.branch_id AND r.category = p.category AND r.care_level = p.care_level
                     AND r.age_band = p.age_band
    LEFT JOIN exempt e ON e.retiree_id = p.id
)
SELECT b.id,
       count(s.branch_id) AS total,
       count(*) FILTER (WHERE NOT s.exempt AND s.days_left > 0) AS covered,
       count(*) FILTER (WHERE s.exempt) AS exempt,
       count(*) FILTER (WHERE NOT s.exempt AND s.days_left = 0) AS due,
       count(*) FILTER (WHERE NOT s.exempt AND (s.days_left IS NULL OR s.days_left < 0)) AS overdue,
       count(*) FILTER (WHERE s.unreachable) AS unreachable,
       count(*) FILTER (WHERE s.attention) AS attention
FROM branches_branch b LEFT JOIN scheduled s ON s.branch_id = b.id
GROUP BY b.id ORDER BY b.id
"""

WEEKLY_SQL = """
SELECT date_trunc('week', c.contacted_on)::date AS week, count(DISTINCT c.retiree_id)
FROM checkins_contactlog c JOIN retirees_retiree r ON r.id = c.retiree_id
WHERE c.reached <> 'nobody' AND c.contacted_on >= %(first)s AND c.contacted_on <= %(today)s AND r.status = 'active'
GROUP BY 1 ORDER BY 1
"""

# The same weekly numbers from the rows checkins maintains (one per retiree and week reached), as
# one would hand-write it against today's schema; the floor is the faster of the two.
WEEKLY_MAINTAINED_SQL = """
SELECT w.week, count(*)
FROM checkins_weeklyreach w JOIN retirees_retiree r ON r.id = w.retiree_id
WHERE w.week >= %(first)s AND w.week <= %(today)s AND r.status = 'active'
GROUP BY 1 ORDER BY 1
"""


def floor_params(today: datetime.date) -> dict:
    """The parameters of the floors' SQL as of `today`: the age bands' birth-date bounds and so on."""

    def born_by(years: int) -> datetime.date:  # the latest birth date of somebody aged `years`
        return birth_date_bounds(years, None, today)[1]

    return {
        "today": today,
        "b70": born_by(70),
        "b80": born_by(80),
        "b90": born_by(90),
        "first": week_starts(today)[0],
        "attention_days": attention_cadence_days(),
    }


def coverage_floor(today: datetime.date) -> dict[int, tuple]:
    """FIELDS per branch id (every branch, zeros included), by COVERAGE_SQL."""
    with connection.cursor() as cursor:
        cursor.execute(COVERAGE_SQL, floor_params(today))
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


def coverage_of(rows: list[dict]) -> dict[int, tuple]:
    """FIELDS per branch id of checkins.selectors.branch_coverage's rows."""
    return {row["branch"].pk: tuple(row[field] for field in FIELDS) for row in rows}


def differences(floor: dict[int, tuple], app: dict[int, tuple]) -> list[int]:
    """The branches whose counts differ. The app leaves out inactive branches with nobody in them,
    which the floor counts as zeros."""
    nothing = (0,) * len(FIELDS)
    branches = floor.keys() | app.keys()
    return sorted(branch for branch in branches if floor.get(branch, nothing) != app.get(branch, nothing))
