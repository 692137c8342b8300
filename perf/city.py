"""A city-scale dataset, written straight into PostgreSQL with INSERT … SELECT (and COPY for the small tables).

Shape (defaults): 1,000 branches with a secretary and a committee member each, 100,000 retirees
(with household contacts), 5,000,000 contact logs over the last two years and the check-in
state they imply, 300,000 vaccination doses and 200,000 nucleic-acid tests. Every row satisfies
the models' CHECK and UNIQUE constraints; the keys (primary, unique, foreign) and indexes of the
big tables (BULK_TABLES) are dropped during the load and re-created after it, so PostgreSQL builds
and validates them once, as a set. `--retirees 1000000 --branches 10000 --contacts 20000000
--doses 3000000 --tests 2000000` is the province of issue 18 (bench/province.py).

Nothing here goes through the ORM row by row: branches and users are generated in Python and
sent with `COPY … FROM STDIN`; every big table is drawn in the database, one INSERT … SELECT
each over `generate_series` or the rows already written, with `random()` seeded by `setseed`
(drawn in a fixed order: the same seed gives the same people, on the same day).
"""

import datetime
import io
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from demo.retirees import COMMUNITIES, FORMER_UNITS, GIVEN_CHARS, SURNAMES
from retirees.fields import REGISTRY_FIELDS
from retirees.pinyin import name_search_keys

# Every generated user (secretaries sec0001…, committee members com0001…, bench_office,
# bench_admin) has this password; the benchmark signs in without it (sessions made directly).
CITY_PASSWORD = "Outreach-bench-2026"
NAME_POOL_SIZE = 20_000
CONTACT_DAYS = 730
COPY_CHUNK_ROWS = 20_000

# The tables the generator fills, children first (for the emptiness check and --reset).
TABLES = [
    "checkins_weeklyreach",
    "checkins_checkinstate",
    "checkins_contactlog",
    "ledgers_vaccinationdose",
    "ledgers_nucleictest",
    "retirees_householdcontact",
    "retirees_retiree",
    "accounts_user",
    "branches_branch",
]
# Tables whose keys and indexes (and the foreign keys pointing at them) are dropped for the load
# and re-created after: every table that gets more than a few thousand rows. A million retirees
# COPYed into a table with its 16 secondary B-trees crawled (over 15 minutes on a busy machine; the random order of
# names and phones touches a different index page per row), built after the load they take seconds.
BULK_TABLES = [
    "retirees_retiree",
    "retirees_householdcontact",
    "checkins_contactlog",
    "checkins_checkinstate",
    "checkins_weeklyreach",
    "ledgers_vaccinationdose",
    "ledgers_nucleictest",
]


@dataclass
class CitySize:
    retirees: int = 100_000
    branches: int = 1_000
    contacts: int = 5_000_000
    doses: int = 300_000
    tests: int = 200_000
    seed: int = 20220422

    def check(self) -> None:
        if self.branches < 1 or self.retirees < self.branches:
            raise ValueError("Need at least one branch and at least one retiree per branch.")
        if self.doses > 4 * self.retirees:
            raise ValueError("At most 4 vaccine doses per retiree.")
        if self.tests > 8 * self.retirees:
            raise ValueError("At most 8 nucleic-acid tests per retiree.")
        if self.contacts < 0:
            raise ValueError("The number of contacts cannot be negative.")


@dataclass
class CityResult:
    counts: dict = field(default_factory=dict)
    timings: list = field(default_factory=list)


class CityGenerator:
    def __init__(self, connection, size: CitySize, log: Callable[[str], None] = print):
        size.check()
        self.connection = connection
        self.size = size
        self.log = log
        self.random = random.Random(size.seed)
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate(self.now)
        self.result = CityResult()

    # --- helpers ------------------------------------------------------------------------------

    def _step(self, label: str, function: Callable[[], int | None]):
        started = time.perf_counter()
        count = function()
        elapsed = time.perf_counter() - started
        self.result.timings.append((label, elapsed))
        self.log(f"  {label:<34} {'' if count is None else f'{count:>10,}'} {elapsed:8.1f} s")
        if count is not None:
            self.result.counts[label] = count

    def _execute(self, sql: str, params=None) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def _scalar(self, sql: str, params=None):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    # --- entry points -------------------------------------------------------------------------

    def nonempty_tables(self) -> list[str]:
        existing = set(self.connection.introspection.table_names())
        return [t for t in TABLES if t in existing and self._scalar(f"SELECT EXISTS (SELECT 1 FROM {t})")]

    def reset(self) -> None:
        """Empty every table of the project (a dedicated benchmark database only)."""
        tables = [
            t
            for t in self.connection.introspection.django_table_names(only_existing=True, include_views=False)
            if t not in ("django_migrations", "django_content_type", "auth_permission")
        ]
        self._execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")

    def generate(self) -> CityResult:
        """Load everything in one transaction (a failure leaves the database as it was), then VACUUM."""
        started = time.perf_counter()
        outer = self.connection.in_atomic_block  # inside a test's transaction: no VACUUM
        with transaction.atomic(using=self.connection.alias):
            self._execute("SET LOCAL synchronous_commit = off")
            # The province's largest index (20 million contact logs) sorted in memory, a third of
            # this for each of the leader and its two parallel workers.
            self._execute("SET LOCAL maintenance_work_mem = '2GB'")
            # Full-page images in the WAL compressed (every page of every index built is one):
            # with lz4 where PostgreSQL has it, a third quicker than its own pglz.
            self._execute("SET LOCAL wal_compression = %s", [self._wal_compression()])
            self._execute("SET LOCAL work_mem = '256MB'")
            # Check foreign keys row by row as they come, not queued to the commit (Django makes
            # them deferrable): a queue of pending checks would forbid the ALTER TABLEs below.
            self._execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The coverage triggers (checkins 0014) would only record changes of counts nobody has
            # kept yet; off for the load, on again before the commit.
            coverage_triggers = self._coverage_triggers()
            self._set_triggers(coverage_triggers, "DISABLE")
            self._step("branches", self.branches)
            self._step("users", self.users)
            dropped = self._drop_bulk_constraints()
            self._step("retirees", self.retirees_insert)
            self._step("household contacts", self.household_contacts)
            self._step("contact logs", self.contact_logs)
            self._step("check-in states", self.checkin_states)
            self._step("weeks reached", self.weekly_reach)
            self._step("vaccination doses", self.vaccination_doses)
            self._step("nucleic-acid tests", self.nucleic_tests)
            self._step("indexes and foreign keys", lambda: self._restore(dropped))
            self._step("sequences", self.sequences)
            self._set_triggers(coverage_triggers, "ENABLE")
        self._step("analyze" if outer else "vacuum analyze", lambda: self.analyze(vacuum=not outer))
        self.result.timings.append(("total", time.perf_counter() - started))
        return self.result

    def _wal_compression(self) -> str:
        supported = self._scalar("SELECT enumvals FROM pg_settings WHERE name = 'wal_compression'")
        return "lz4" if "lz4" in supported else "on"

    # --- branches and users -------------------------------------------------------------------

    def branches(self) -> int:
        rng = self.random
        units = FORMER_UNITS
        masks = [1 | 8, 1 | 8, 1 | 8, 2 | 16, 1 | 4 | 16, 1, 4, 31]

        def rows():
            for number in range(1, self.size.branches + 1):
                unit = units[(number - 1) % len(units)]
                ordinal = (number - 1) // len(units) + 1
                yield [
                    number,
                    f"{unit}离退休第{ordinal}党支部",
                    f"{unit[:4]}{ordinal}支部",
                    "",
                    rng.choice(masks),
                    rng.choice(("08:00", "08:30", "08:30", "09:00", "14:00")),
                    "",
                    True,
                    self.now.isoformat(),
                    ordinal,  # listed by their number (Branch.order), then by name
                ]

        columns = [
            "id",
            "name",
            "short_name",
            "description",
            "reminder_weekdays",
            "reminder_time",
            "webhook_url",
            "is_active",
            "created_at",
            '"order"',  # a reserved word in SQL
        ]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "branches_branch", columns, rows())

    def users(self) -> int:
        password = make_password(CITY_PASSWORD)  # one hash for all: hashing 2,000 times would take minutes
        rng = self.random
        joined = self.now.isoformat()

        def rows():
            for branch in range(1, self.size.branches + 1):
                for offset, (prefix, position) in enumerate((("sec", "secretary"), ("com", "committee"))):
                    surname = rng.choice(SURNAMES)
                    given = "".join(rng.choice(GIVEN_CHARS) for _ in range(2))
                    username = f"{prefix}{branch:04d}"
                    yield [
                        2 * branch - 1 + offset,
                        password,
                        None,
                        False,
                        username,
                        given,
                        surname,
                        f"{username}@bench.invalid",
                        False,
                        True,
                        joined,
                        "branch",
                        position,
                        f"139{rng.randrange(10**8):08d}",
                        branch,
                        False,
                    ]
            staff = 2 * self.size.branches
            # Office staff and an admin: no branch, no position.
            for number, username, given, surname, role in (
                (staff + 1, "bench_office", "晓燕", "秦", "office"),
                (staff + 2, "bench_admin", "理员", "管", "admin"),
            ):
                admin = role == "admin"
                yield [
                    number,
                    password,
                    None,
                    admin,
                    username,
                    given,
                    surname,
                    "",
                    admin,
                    True,
                    joined,
                    role,
                    "",
                    "",
                    None,
                    False,
                ]

        columns = [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
            "role",
            "position",
            "phone",
            "branch_id",
            "must_change_password",
        ]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "accounts_user", columns, rows())

    # --- retirees -----------------------------------------------------------------------------

    def _name_pool(self) -> list[tuple[str, str, str]]:
        rng = random.Random(self.size.seed + 1)
        names = set()
        target = min(NAME_POOL_SIZE, self.size.retirees)
        while len(names) < target:
            names.add(rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2)))))
        return [(name, *name_search_keys(name)) for name in sorted(names)]

    def retirees_insert(self) -> int:
        """The registry, drawn in one INSERT … SELECT: PostgreSQL makes each row where it stores it."""
        pool = self._name_pool()
        self._execute(
            "CREATE TEMPORARY TABLE city_names (n integer, name text, name_pinyin text, name_initials text) "
            "ON COMMIT DROP"
        )
        with self.connection.cursor() as cursor:
            _copy(
                cursor,
                "city_names",
                ["n", "name", "name_pinyin", "name_initials"],
                ([n, *row] for n, row in enumerate(pool)),
            )
        self._execute("SELECT setseed(%s)", [((self.size.seed + 2) % 1000) / 1000])
        registry = ["branch_id" if field == "branch" else field for field in REGISTRY_FIELDS]
        # Draws r[1]…r[24] per retiree, in order of id; each CASE below turns one into a choice.
        # Ages follow random.triangular(58, 101, 68) (its inverse distribution function).
        # A retiree in four has an ID number (born in Haidian: 110108), numbered in order of id
        # among those born the same day, 499 a day at most (three digits, the last one odd for men).
        # Phones: 8 digits from a permutation of 0…10^8 - 1 (61,803,399 is prime to 10^8), so
        # unique, after one of eleven prefixes.
        inserted = self._execute(
            f"""
            INSERT INTO retirees_retiree (id, name_pinyin, name_initials, {", ".join(registry)}, created_at, updated_at)
            SELECT id, names.name_pinyin, names.name_initials, names.name, gender, birth_date, branch_id, category,
                   (%(units)s::text[])[1 + floor(r[12] * cardinality(%(units)s::text[]))::int],
                   (%(prefixes)s::text[])[1 + floor(r[13] * 11)::int]
                       || lpad(((id::bigint * 61803399 + %(seed)s) %% 100000000)::text, 8, '0'),
                   CASE WHEN r[14] < 0.3 THEN '010' || (60000000 + floor(r[15] * 30000000)::int) ELSE '' END,
                   CASE WHEN r[16] < 0.6 THEN 'wx_' || names.name_pinyin || id ELSE '' END,
                   area,
                   CASE WHEN area = 'east' THEN '东家属区' WHEN area = 'north' THEN '北家属区' ELSE community END,
                   CASE WHEN area = 'off_campus'
                        THEN community || (1 + floor(r[17] * 30)::int) || '号楼' || (101 + floor(r[18] * 1702)::int)
                        ELSE (1 + floor(r[17] * 40)::int) || '号楼' || (1 + floor(r[18] * 6)::int) || '单元'
                             || (101 + floor(r[19] * 502)::int) END,
                   CASE WHEN care = 'dependent' THEN CASE WHEN r[8] < 2 / 3.0 THEN 'caregiver' ELSE 'family' END
                        WHEN r[8] < 2 / 11.0 THEN 'alone' WHEN r[8] < 8 / 11.0 THEN 'spouse'
                        WHEN r[8] < 10 / 11.0 THEN 'family' ELSE 'caregiver' END,
                   care,
                   CASE WHEN id_serial < 499 THEN first17 || substr('10X98765432', 1 + (
                        SELECT sum(substr(first17, i, 1)::int * (2 ^ (18 - i))::int %% 11) %% 11
                        FROM generate_series(1, 17) AS i)::int, 1) END,
                   '',
                   status,
                   CASE WHEN status = 'moved' THEN ended_on END,
                   CASE WHEN status = 'deceased' THEN ended_on END,
                   r[22] < 0.9,
                   CASE WHEN r[22] < 0.9 THEN DATE '2022-04-25' END,
                   created_at,
                   created_at
            FROM (
                SELECT *,
                       '110108' || to_char(birth_date, 'YYYYMMDD')
                           || lpad(((id_serial * 2) + (gender = 'male')::int)::text, 3, '0') AS first17
                FROM (
                    SELECT *,
                           CASE WHEN r[20] < 0.4
                                THEN row_number() OVER (PARTITION BY birth_date, r[20] < 0.4 ORDER BY id) - 1 END
                               AS id_serial
                    FROM (
                        SELECT *,
                               %(today)s::date - (age * 365 + floor(r[4] * 365)::int) AS birth_date,
                               CASE WHEN age >= 90 AND r[6] < 0.3 THEN 'lixiu' ELSE 'tuixiu' END AS category,
                               CASE WHEN r[7] < CASE WHEN age >= 88 THEN 0.3 WHEN age >= 78 THEN 0.7 ELSE 18 / 20.3 END
                                        THEN 'self_care'
                                    WHEN r[7] < CASE WHEN age >= 88 THEN 0.7 WHEN age >= 78 THEN 0.9 ELSE 20 / 20.3 END
                                        THEN 'partly_dependent'
                                    ELSE 'dependent' END AS care
                        FROM (
                            SELECT id, r,
                                   1 + floor(r[2] * %(branches)s)::int AS branch_id,
                                   LEAST(101, GREATEST(58, floor(CASE WHEN r[3] <= 10 / 43.0
                                       THEN 58 + 43 * sqrt(r[3] * 10 / 43.0)
                                       ELSE 101 - 43 * sqrt((1 - r[3]) * 33 / 43.0) END)::int)) AS age,
                                   CASE WHEN r[5] < 0.5 THEN 'male' ELSE 'female' END AS gender,
                                   CASE WHEN r[9] >= 0.14 THEN 'off_campus' WHEN r[10] < 0.5 THEN 'east'
                                        ELSE 'north' END AS area,
                                   (%(communities)s::text[])
                                       [1 + floor(r[11] * cardinality(%(communities)s::text[]))::int] AS community,
                                   CASE WHEN r[21] < 0.04 THEN 'deceased' WHEN r[21] < 0.06 THEN 'moved'
                                        ELSE 'active' END AS status,
                                   %(window_start)s::date + 30 + floor(r[23] * (%(days)s - 34))::int AS ended_on,
                                   %(now)s::timestamptz - (%(days)s + floor(r[24] * 400)::int) * interval '1 day'
                                       AS created_at
                            FROM (
                                SELECT id, ARRAY(SELECT random() FROM generate_series(1, 24) WHERE id > 0) AS r
                                FROM generate_series(1, %(retirees)s) AS id
                            ) AS drawn
                        ) AS basics
                    ) AS people
                ) AS numbered
            ) AS retirees
            JOIN city_names AS names ON names.n = floor(r[1] * %(pool)s)::int
            ORDER BY id
            """,
            {
                "retirees": self.size.retirees,
                "branches": self.size.branches,
                "pool": len(pool),
                "seed": self.size.seed,
                "units": list(FORMER_UNITS),
                "communities": list(COMMUNITIES),
                "prefixes": ["133", "135", "136", "138", "139", "150", "151", "158", "186", "188", "189"],
                "today": self.today,
                "now": self.now,
                "window_start": self.today - datetime.timedelta(days=CONTACT_DAYS),
                "days": CONTACT_DAYS,
            },
        )
        self._execute("DROP TABLE city_names")  # ON COMMIT is too late inside a test's transaction
        return inserted

    def household_contacts(self) -> int:
        """A child, spouse or grandchild for most (a quarter of those caring for themselves have
        none listed), and a live-in caregiver besides for the dependent."""
        self._execute("SELECT setseed(%s)", [((self.size.seed + 3) % 1000) / 1000])
        return self._execute(
            """
            INSERT INTO retirees_householdcontact (
                retiree_id, name, relation, phone, lives_with_retiree, is_primary, notes)
            SELECT id, (%(surnames)s::text[])[1 + floor(r[1] * cardinality(%(surnames)s::text[]))::int]
                       || substr(%(given)s, 1 + floor(r[2] * length(%(given)s))::int, 1)
                       || substr(%(given)s, 1 + floor(r[3] * length(%(given)s))::int, 1),
                   CASE WHEN caregiver THEN 'caregiver'
                        ELSE (ARRAY['child', 'child', 'spouse', 'child_in_law', 'grandchild'])
                             [1 + floor(r[4] * 5)::int] END,
                   CASE WHEN caregiver THEN '15' ELSE '13' END || lpad(floor(r[5] * 1e9)::bigint::text, 9, '0'),
                   caregiver OR r[6] < 0.4,
                   NOT caregiver,
                   CASE WHEN caregiver THEN '住家保姆' ELSE '' END
            FROM (
                SELECT id, caregiver, ARRAY(SELECT random() FROM generate_series(1, 6) WHERE id > 0) AS r
                FROM (
                    SELECT id, care_level, random() AS listed
                    FROM (SELECT id, care_level FROM retirees_retiree ORDER BY id) AS by_id
                ) AS retirees
                CROSS JOIN LATERAL (
                    SELECT false AS caregiver WHERE care_level <> 'self_care' OR listed >= 0.25
                    UNION ALL
                    SELECT true WHERE care_level = 'dependent'
                ) AS kinds
            ) AS drawn
            ORDER BY id, caregiver
            """,
            {"surnames": list(SURNAMES), "given": GIVEN_CHARS},
        )

    # --- contact logs -------------------------------------------------------------------------

    def _contact_plan(self) -> None:
        """city_contact_plan, per retiree: how many contacts, over which window, and how often they reach nobody.

        The total is exactly `size.contacts`, shared in proportion to the days a retiree was on
        the registry over their cadence: frail retirees (80+ or dependent) are called more often,
        as their cadence asks. Rounding down leaves a few over, given to the largest remainders.
        """
        self._execute("SELECT setseed(%s)", [((self.size.seed + 4) % 1000) / 1000])
        self._execute(
            """
            CREATE TEMPORARY TABLE city_contact_plan ON COMMIT DROP AS
            SELECT retiree_id, branch_id,
                   floor(exact)::int + (row_number() OVER (ORDER BY exact - floor(exact) DESC, retiree_id)
                                        <= %(contacts)s - sum(floor(exact)) OVER ())::int AS n,
                   %(window_start)s::timestamptz AS starts_at,
                   CASE WHEN ended_on IS NULL THEN %(now)s::timestamptz - interval '5 minutes'
                        ELSE (ended_on + time '12:00') AT TIME ZONE %(tz)s END AS ends_at,
                   CASE WHEN random() < 0.02 THEN 0.6 ELSE 0.07 END AS p_nobody  -- hard to reach, or not
            FROM (
                SELECT retiree_id, branch_id, ended_on, %(contacts)s * weight / sum(weight) OVER () AS exact
                FROM (
                    SELECT id AS retiree_id, branch_id, COALESCE(deceased_on, moved_on) AS ended_on,
                           GREATEST(1, COALESCE(COALESCE(deceased_on, moved_on) - %(window_start)s::date, %(days)s))
                           / CASE WHEN care_level = 'dependent' OR birth_date <= %(frail_born_by)s THEN 3.0
                                  WHEN category = 'lixiu' THEN 7.0 ELSE 14.0 END AS weight
                    FROM retirees_retiree
                    ORDER BY id
                ) AS weights
            ) AS shares
            ORDER BY retiree_id
            """,
            {
                "contacts": self.size.contacts,
                "window_start": self.now - datetime.timedelta(days=CONTACT_DAYS),
                "now": self.now,
                "tz": settings.TIME_ZONE,
                "days": CONTACT_DAYS,
                "frail_born_by": self.today.replace(year=self.today.year - 80),
            },
        )
        self._execute("DELETE FROM city_contact_plan WHERE n = 0")

    def contact_logs(self) -> int:
        self._contact_plan()
        self._execute("SELECT setseed(%s)", [(self.size.seed % 1000) / 1000])
        # One row per contact: g-th of n, spread evenly over the retiree's window with jitter.
        # r1..r3 are the random draws each row needs; the CASEs turn them into choices.
        inserted = self._execute(
            """
            INSERT INTO checkins_contactlog (
                retiree_id, contacted_by_id, contacted_at, contacted_on, channel, reached, outcome,
                health_seen, community_status, checked_vaccination, checked_testing, needs,
                follow_up_on, follow_up_done_at, notes, created_at)
            SELECT retiree_id, contacted_by_id, contacted_at, contacted_on, channel, reached, outcome,
                   health_seen, community_status, checked_vaccination, checked_testing, needs,
                   CASE WHEN follows THEN contacted_on + 1 + (r3 * 6)::int END,
                   CASE WHEN follows AND contacted_at < %(recent)s THEN contacted_at + interval '2 days' END,
                   notes, contacted_at + interval '3 minutes'
            FROM (
                SELECT *, outcome IN ('needs_help', 'urgent') AS follows,
                       (contacted_at AT TIME ZONE %(tz)s)::date AS contacted_on
                FROM (
                    SELECT p.retiree_id,
                           2 * p.branch_id - (r2 < 0.6)::int AS contacted_by_id,
                           p.starts_at + (p.ends_at - p.starts_at) * ((g - 1 + r1 * 0.95) / p.n) AS contacted_at,
                           CASE WHEN r2 < 0.70 THEN 'phone' WHEN r2 < 0.90 THEN 'wechat'
                                WHEN r2 < 0.94 THEN 'video' WHEN r2 < 0.98 THEN 'home_visit'
                                ELSE 'in_person' END AS channel,
                           reached,
                           CASE WHEN reached = 'nobody' THEN 'not_reached'
                                WHEN r3 < 0.85 THEN 'all_well' WHEN r3 < 0.95 THEN 'concern'
                                WHEN r3 < 0.99 THEN 'needs_help' ELSE 'urgent' END AS outcome,
                           CASE WHEN reached = 'nobody' THEN '' WHEN r1 < 0.55 THEN 'good'
                                WHEN r1 < 0.85 THEN 'stable' WHEN r1 < 0.97 THEN 'unwell'
                                ELSE 'in_hospital' END AS health_seen,
                           CASE WHEN reached = 'nobody' OR r2 < 0.5 THEN '' WHEN r2 < 0.93 THEN 'normal'
                                WHEN r2 < 0.97 THEN 'precaution' WHEN r2 < 0.99 THEN 'controlled'
                                ELSE 'sealed' END AS community_status,
                           reached <> 'nobody' AND r3 < 0.2 AS checked_vaccination,
                           reached <> 'nobody' AND r1 < 0.15 AS checked_testing,
                           CASE WHEN reached <> 'nobody' AND r3 >= 0.95 THEN
                                (ARRAY['取药', '代取快递', '上门接种', '车接车送', '陪同就医'])[1 + floor(r1 * 5)::int]
                                ELSE '' END AS needs,
                           CASE WHEN r1 > 0.97 THEN '老人说一切都好，请支部放心。' ELSE '' END AS notes,
                           r3
                    FROM (
                        SELECT p.*, g, random() AS r1, random() AS r2, random() AS r3,
                               CASE WHEN random() >= p.p_nobody THEN
                                    CASE WHEN random() < 0.9 THEN 'retiree' WHEN random() < 0.7 THEN 'family'
                                         ELSE 'caregiver' END
                                    ELSE 'nobody' END AS reached
                        FROM city_contact_plan p CROSS JOIN LATERAL generate_series(1, p.n) AS g
                    ) AS p
                ) AS drawn
            ) AS rows
            """,
            {"tz": settings.TIME_ZONE, "recent": self.now - datetime.timedelta(days=10)},
        )
        self._execute("DROP TABLE city_contact_plan")
        return inserted

    def _drop_bulk_constraints(self) -> list[str]:
        """Drop every index and key of BULK_TABLES, and the foreign keys of other tables that point
        at them; return the SQL that restores them: primary and unique keys first, then the other
        indexes (the key checks use them all), then the foreign keys.

        Kept during the load, a primary key alone doubled the WAL records of every row inserted
        by INSERT … SELECT (the weeks reached, with their unique pair, tripled them); built after
        the load, each index is one sort whose pages are logged whole and compressed.
        """
        keys, indexes, foreign = [], [], []
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND (conrelid = ANY(%s::regclass[]) OR confrelid = ANY(%s::regclass[])) "
                "ORDER BY 1, 2",
                [BULK_TABLES, BULK_TABLES],
            )
            for table, name, definition in cursor.fetchall():
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                foreign.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            for table in BULK_TABLES:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype IN ('p', 'u') ORDER BY contype, conname",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    keys.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
                    "ORDER BY 1",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    indexes.append(definition)
        return keys + indexes + foreign

    def _coverage_triggers(self) -> list[tuple[str, str]]:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname FROM pg_trigger "
                "WHERE NOT tgisinternal AND tgname LIKE %s ORDER BY 1, 2",
                ["%\\_coverage\\_%"],
            )
            return cursor.fetchall()

    def _set_triggers(self, triggers: list[tuple[str, str]], action: str) -> None:
        for table, name in triggers:
            self._execute(f'ALTER TABLE {table} {action} TRIGGER "{name}"')

    def _restore(self, statements: list[str]) -> int:
        for statement in statements:
            self._execute(statement)
        return len(statements)

    def weekly_reach(self) -> int:
        """The rows `checkins.services.weekly_reach_refresh` would leave: one per retiree and week reached."""
        # One sort, then duplicates dropped as they pass: the contact logs come out nearly in
        # order (written retiree by retiree), which the sort is quick on. The planner's choice,
        # hashing every pair first and sorting the result, took twice as long.
        self._execute("SET LOCAL enable_hashagg = off")
        inserted = self._execute(
            """
            INSERT INTO checkins_weeklyreach (retiree_id, week)
            SELECT DISTINCT retiree_id, contacted_on - (extract(isodow FROM contacted_on)::int - 1)  -- its Monday
            FROM checkins_contactlog WHERE reached <> 'nobody'
            ORDER BY 1, 2  -- a retiree's weeks together, as they are read
            """
        )
        self._execute("RESET enable_hashagg")
        return inserted

    def checkin_states(self) -> int:
        """The state `checkins.services.checkin_state_refresh` would leave after these contacts."""
        after = getattr(settings, "OUTREACH_UNREACHABLE_AFTER", 3)
        inserted = self._execute(
            """
            INSERT INTO checkins_checkinstate (
                retiree_id, last_contact_at, last_reached_at, last_reached_on, consecutive_failures,
                unreachable_since, cadence_override_days, self_checkins_count, updated_at)
            SELECT retiree_id, last_contact_at, last_reached_at,
                   (last_reached_at AT TIME ZONE %(tz)s)::date, 0, NULL,
                   CASE WHEN retiree_id %% 97 = 0 THEN 7 END, TRUE, %(now)s
            FROM (
                SELECT retiree_id, max(contacted_at) AS last_contact_at,
                       max(contacted_at) FILTER (WHERE reached <> 'nobody') AS last_reached_at
                FROM checkins_contactlog GROUP BY retiree_id
            ) AS latest
            ORDER BY retiree_id
            """,
            {"tz": settings.TIME_ZONE, "now": self.now},
        )
        # Failures: contacts after the last reached one that reached nobody (few retirees have any).
        self._execute(
            """
            UPDATE checkins_checkinstate s
            SET consecutive_failures = LEAST(f.failures, 32767),
                unreachable_since = CASE WHEN f.failures >= %(after)s THEN f.nth_failure_at END
            FROM (
                SELECT c.retiree_id, count(*) AS failures,
                       (array_agg(c.contacted_at ORDER BY c.contacted_at, c.id))[%(after)s] AS nth_failure_at
                FROM checkins_contactlog c JOIN checkins_checkinstate s2 ON s2.retiree_id = c.retiree_id
                WHERE c.reached = 'nobody'
                  AND c.contacted_at > COALESCE(s2.last_reached_at, '-infinity'::timestamptz)
                GROUP BY c.retiree_id
            ) AS f
            WHERE s.retiree_id = f.retiree_id
            """,
            {"after": after},
        )
        return inserted

    # --- ledgers ------------------------------------------------------------------------------

    def _ledger_rows(self, table: str, columns: list[str], per_retiree: int, wanted: int, select: str, params) -> int:
        """Insert `wanted` rows into `table`, the k-th of up to `per_retiree` per retiree, built in one statement.

        Each retiree draws a lead; candidates (retiree, k) are taken in order of k - lead, so each
        retiree gets a prefix 1..m of k (dose 3 only after doses 1 and 2), some retirees more than
        others. `select` reads `drawn` (retiree_id, k and three uniform draws r1, r2, r3).
        """
        self._execute("SELECT setseed(%s)", [((self.size.seed + per_retiree) % 1000) / 1000])
        return self._execute(
            f"""
            WITH drawn AS (
                SELECT retiree_id, k, random() AS r1, random() AS r2, random() AS r3
                FROM (
                    SELECT retiree_id, k
                    FROM (
                        SELECT id AS retiree_id, random() * %(per)s * 0.6 AS lead
                        FROM (SELECT id FROM retirees_retiree ORDER BY id) AS by_id
                    ) AS leads
                    CROSS JOIN generate_series(1, %(per)s) AS k
                    ORDER BY k - lead, retiree_id, k
                    LIMIT %(wanted)s
                ) AS chosen
                ORDER BY retiree_id, k
            )
            INSERT INTO {table} ({", ".join(columns)})
            {select}
            ORDER BY retiree_id, k
            """,
            {"per": per_retiree, "wanted": wanted, **params},
        )

    def vaccination_doses(self) -> int:
        # Dose 1 in the spring and summer of 2021, dose 2 three to eight weeks later, the first
        # booster six to ten months after that, the second from mid-December 2022 and at least
        # six months after the first booster. `days`: from 1 March 2021 to this dose (to dose 3 for dose 4).
        return self._ledger_rows(
            "ledgers_vaccinationdose",
            [
                "retiree_id",
                "notes",
                "recorded_at",
                "recorded_by_id",
                "dose_number",
                "given_on",
                "product",
                "site",
                "arrangement",
            ],
            4,
            self.size.doses,
            """
            SELECT retiree_id, '', %(now)s, NULL, k,
                   CASE WHEN k < 4 THEN DATE '2021-03-01' + days
                        ELSE GREATEST(DATE '2021-03-01' + days + 180, DATE '2022-12-15' + floor(r2 * 120)::int) END,
                   (ARRAY['北京生物', '北京科兴', '武汉生物', '智飞龙科马', '康希诺'])[1 + floor(r3 * 5)::int],
                   CASE WHEN arrangement = 'home' THEN '上门接种'
                        ELSE (ARRAY['校医院接种点', '海淀区疾控中心', '社区卫生服务中心'])[1 + floor(r1 * 3)::int] END,
                   arrangement
            FROM (
                SELECT retiree_id, k, r1, r2, r3,
                       sum(CASE k WHEN 1 THEN floor(r1 * 180) WHEN 2 THEN 21 + floor(r1 * 36)
                                  WHEN 3 THEN 180 + floor(r1 * 121) ELSE 0 END)
                           OVER (PARTITION BY retiree_id ORDER BY k)::int AS days,
                       CASE WHEN r2 < 0.90 THEN 'self' WHEN r2 < 0.97 THEN 'transport' ELSE 'home' END AS arrangement
                FROM drawn
            ) AS doses
            """,
            {"now": self.now},
        )

    def nucleic_tests(self) -> int:
        # The first test between 25 April and late June 2022, each next one 2 to 21 days after the
        # one before (one a day at most). `days`: from 25 April 2022 to this test.
        return self._ledger_rows(
            "ledgers_nucleictest",
            ["retiree_id", "notes", "recorded_at", "recorded_by_id", "tested_on", "result", "site"],
            8,
            self.size.tests,
            """
            SELECT retiree_id, '', %(now)s, NULL, DATE '2022-04-25' + days,
                   CASE WHEN r2 < 0.003 THEN 'positive' ELSE 'negative' END,
                   (ARRAY['校内核酸检测点', '社区核酸检测点', '东区便民采样点', '北区便民采样点', '上门采样'])
                       [1 + floor(r3 * 5)::int]
            FROM (
                SELECT retiree_id, k, r2, r3,
                       sum(CASE WHEN k = 1 THEN floor(r1 * 60) ELSE 2 + floor(r1 * 20) END)
                           OVER (PARTITION BY retiree_id ORDER BY k)::int AS days
                FROM drawn
            ) AS tests
            """,
            {"now": self.now},
        )

    # --- finishing ----------------------------------------------------------------------------

    def sequences(self) -> None:
        for table in ("branches_branch", "accounts_user", "retirees_retiree"):
            self._execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1), (SELECT max(id) FROM {table}) IS NOT NULL)"
            )

    def analyze(self, *, vacuum: bool) -> None:
        # VACUUM sets the visibility map (index-only scans); it cannot run inside a transaction.
        command = "VACUUM (ANALYZE)" if vacuum else "ANALYZE"
        for table in TABLES:
            self._execute(f"{command} {table}")


def _copy(cursor, table: str, columns: list[str], rows: Iterable[list]) -> int:
    """COPY `rows` into `table` as CSV, in chunks; None is NULL, "" an empty string."""
    count = 0
    buffer = io.StringIO()
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
    for row in rows:
        buffer.write(",".join(_field(value) for value in row))
        buffer.write("\n")
        count += 1
        if count % COPY_CHUNK_ROWS == 0:
            buffer.seek(0)
            cursor.copy_expert(sql, buffer)
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        buffer.seek(0)
        cursor.copy_expert(sql, buffer)
    return count


def _field(value) -> str:
    """One CSV field as COPY reads it: unquoted empty is NULL, quoted empty ("") an empty string."""
    if value is None:
        return ""
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if text == "" or any(char in text for char in ',"\n\r'):
        return '"' + text.replace('"', '""') + '"'
    return text
