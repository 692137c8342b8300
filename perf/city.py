"""A city-scale dataset, written straight into PostgreSQL with COPY and INSERT … SELECT.

Shape (defaults): 1,000 branches with a secretary and a committee member each, 100,000 retirees
(with household contacts), 5,000,000 contact logs over the last two years and the check-in
state they imply, 300,000 vaccination doses and 200,000 nucleic-acid tests. Every row satisfies
the models' CHECK and UNIQUE constraints; the foreign keys and secondary indexes of the big
tables (BULK_TABLES) are dropped during the load and re-created after it, so PostgreSQL builds
and validates them once, as a set. `--retirees 1000000 --branches 10000 --contacts 20000000
--doses 3000000 --tests 2000000` is the province of issue 18 (bench/province.py).

Nothing here goes through the ORM row by row: small tables are generated in Python and sent with
`COPY … FROM STDIN`, the contact logs are expanded in the database with `generate_series`. The
same seed gives the same people.
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
from retirees.validators import id_number_check_digit

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
# Tables whose secondary indexes and foreign keys are dropped for the load and re-created after:
# every table that gets more than a few thousand rows. A million retirees COPYed into a table
# with its 16 secondary B-trees crawled (over 15 minutes on a busy machine; the random order of
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
        self.retirees: list[tuple] = []  # (id, branch_id, birth_date, category, care_level, status, end_date)

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
            self._execute("SET LOCAL maintenance_work_mem = '1GB'")
            # Full-page images in the WAL compressed: a province writes ~10 GB of it otherwise.
            self._execute("SET LOCAL wal_compression = on")
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
            self._step("retirees", self.retirees_copy)
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

    def retirees_copy(self) -> int:
        rng = self.random
        pool = self._name_pool()
        today = self.today
        window_start = today - datetime.timedelta(days=CONTACT_DAYS)
        id_serials: dict[str, int] = {}
        phone_prefixes = ("133", "135", "136", "138", "139", "150", "151", "158", "186", "188", "189")
        phones = rng.sample(range(10**8), self.size.retirees)

        def rows():
            for number in range(1, self.size.retirees + 1):
                name, name_pinyin, initials = pool[rng.randrange(len(pool))]
                branch = rng.randrange(self.size.branches) + 1
                age = min(101, max(58, int(rng.triangular(58, 101, 68))))
                birth = today - datetime.timedelta(days=age * 365 + rng.randrange(365))
                gender = rng.choice(("male", "female"))
                category = "lixiu" if age >= 90 and rng.random() < 0.3 else "tuixiu"
                if age >= 88:
                    care = rng.choices(("self_care", "partly_dependent", "dependent"), (3, 4, 3))[0]
                elif age >= 78:
                    care = rng.choices(("self_care", "partly_dependent", "dependent"), (7, 2, 1))[0]
                else:
                    care = rng.choices(("self_care", "partly_dependent", "dependent"), (18, 2, 0.3))[0]
                if care == "dependent":
                    living = rng.choice(("caregiver", "caregiver", "family"))
                else:
                    living = rng.choices(("alone", "spouse", "family", "caregiver"), (2, 6, 2, 1))[0]
                roll = rng.random()
                if roll < 0.14:
                    area = rng.choice(("east", "north"))
                    community = "东家属区" if area == "east" else "北家属区"
                    address = f"{rng.randint(1, 40)}号楼{rng.randint(1, 6)}单元{rng.randint(101, 602)}"
                else:
                    area = "off_campus"
                    community = rng.choice(COMMUNITIES)
                    address = f"{community}{rng.randint(1, 30)}号楼{rng.randint(101, 1802)}"
                status_roll = rng.random()
                moved_on = deceased_on = None
                if status_roll < 0.04:
                    status = "deceased"
                    deceased_on = window_start + datetime.timedelta(days=rng.randint(30, CONTACT_DAYS - 5))
                elif status_roll < 0.06:
                    status = "moved"
                    moved_on = window_start + datetime.timedelta(days=rng.randint(30, CONTACT_DAYS - 5))
                else:
                    status = "active"
                id_number = ""
                if rng.random() < 0.4:
                    key = birth.strftime("%Y%m%d")
                    serial = id_serials.get(key, 0)
                    if serial < 499:  # three digits, the last one odd for men
                        id_serials[key] = serial + 1
                        sequence = serial * 2 + (1 if gender == "male" else 0)
                        first17 = f"110108{key}{sequence:03d}"
                        id_number = first17 + id_number_check_digit(first17)
                consent = rng.random() < 0.9
                created = self.now - datetime.timedelta(days=CONTACT_DAYS + rng.randrange(400))
                self.retirees.append((number, branch, birth, category, care, status, deceased_on or moved_on))
                yield [
                    number,
                    name_pinyin,
                    initials,
                    # REGISTRY_FIELDS, in their order
                    name,
                    gender,
                    birth.isoformat(),
                    branch,
                    category,
                    rng.choice(FORMER_UNITS),
                    f"{rng.choice(phone_prefixes)}{phones[number - 1]:08d}",
                    f"010{rng.randint(6000_0000, 8999_9999)}" if rng.random() < 0.3 else "",
                    f"wx_{name_pinyin}{number}" if rng.random() < 0.6 else "",
                    area,
                    community,
                    address,
                    living,
                    care,
                    id_number or None,
                    "",
                    status,
                    moved_on.isoformat() if moved_on else None,
                    deceased_on.isoformat() if deceased_on else None,
                    consent,
                    "2022-04-25" if consent else None,
                    created.isoformat(),
                    created.isoformat(),
                ]

        registry = ["branch_id" if field == "branch" else field for field in REGISTRY_FIELDS]
        columns = ["id", "name_pinyin", "name_initials", *registry, "created_at", "updated_at"]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "retirees_retiree", columns, rows())

    def household_contacts(self) -> int:
        rng = self.random

        def rows():
            for retiree_id, _branch, _birth, _category, care, _status, _end in self.retirees:
                if rng.random() < 0.25 and care == "self_care":
                    continue
                surname = rng.choice(SURNAMES)
                yield [
                    retiree_id,
                    surname + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS),
                    rng.choice(("child", "child", "spouse", "child_in_law", "grandchild")),
                    f"13{rng.randrange(10**9):09d}",
                    rng.random() < 0.4,
                    True,
                    "",
                ]
                if care == "dependent":
                    yield [
                        retiree_id,
                        rng.choice(SURNAMES) + rng.choice(GIVEN_CHARS) + rng.choice(GIVEN_CHARS),
                        "caregiver",
                        f"15{rng.randrange(10**9):09d}",
                        True,
                        False,
                        "住家保姆",
                    ]

        columns = ["retiree_id", "name", "relation", "phone", "lives_with_retiree", "is_primary", "notes"]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "retirees_householdcontact", columns, rows())

    # --- contact logs -------------------------------------------------------------------------

    def _contact_plan(self) -> list[list]:
        """Per retiree: how many contacts, over which window, and how often they reach nobody.

        The total is exactly `size.contacts`; frail retirees (80+ or dependent) are called more
        often, as their cadence asks.
        """
        rng = self.random
        frail_born_by = self.today.replace(year=self.today.year - 80)
        window_start = self.now - datetime.timedelta(days=CONTACT_DAYS)
        weights = []
        for _id, _branch, birth, category, care, _status, end in self.retirees:
            cadence = 3 if care == "dependent" or birth <= frail_born_by else 7 if category == "lixiu" else 14
            span_days = CONTACT_DAYS if end is None else max(1, (end - window_start.date()).days)
            weights.append(span_days / cadence)
        total_weight = sum(weights)
        exact = [self.size.contacts * w / total_weight for w in weights]
        counts = [int(x) for x in exact]
        # Hand out what rounding down left, largest remainders first.
        short = self.size.contacts - sum(counts)
        for index in sorted(range(len(exact)), key=lambda i: exact[i] - counts[i], reverse=True)[:short]:
            counts[index] += 1
        plan = []
        for (retiree_id, branch, _birth, _category, _care, _status, end), count in zip(
            self.retirees, counts, strict=True
        ):
            if not count:
                continue
            if end is None:
                ends_at = self.now - datetime.timedelta(minutes=5)
            else:
                ends_at = datetime.datetime.combine(end, datetime.time(12), tzinfo=self.now.tzinfo)
            hard_to_reach = rng.random() < 0.02
            plan.append(
                [
                    retiree_id,
                    branch,
                    count,
                    window_start.isoformat(),
                    ends_at.isoformat(),
                    0.6 if hard_to_reach else 0.07,
                ]
            )
        return plan

    def contact_logs(self) -> int:
        plan = self._contact_plan()
        self._execute(
            "CREATE TEMPORARY TABLE city_contact_plan (retiree_id bigint, branch_id bigint, n integer, "
            "starts_at timestamptz, ends_at timestamptz, p_nobody float8) ON COMMIT DROP"
        )
        with self.connection.cursor() as cursor:
            columns = ["retiree_id", "branch_id", "n", "starts_at", "ends_at", "p_nobody"]
            _copy(cursor, "city_contact_plan", columns, plan)
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
        """Drop the secondary indexes and foreign keys of BULK_TABLES; return the SQL that restores
        them, every index first (the key checks use them)."""
        indexes, keys = [], []
        with self.connection.cursor() as cursor:
            for table in BULK_TABLES:
                cursor.execute(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
                    keys.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                    "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                    [table],
                )
                for name, definition in cursor.fetchall():
                    cursor.execute(f"DROP INDEX {name}")
                    indexes.append(definition)
        return indexes + keys

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
        return self._execute(
            """
            INSERT INTO checkins_weeklyreach (retiree_id, week)
            SELECT DISTINCT retiree_id, date_trunc('week', contacted_on)::date
            FROM checkins_contactlog WHERE reached <> 'nobody'
            ORDER BY 1, 2  -- the unique index (kept) then grows at its right edge, page by page
            """
        )

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

    def _prefixes(self, per_retiree: int, wanted: int) -> list[tuple[int, int]]:
        """(retiree id, k) pairs, k = 1..m for each retiree, `wanted` in all, some retirees having more.

        Each retiree draws a lead; candidates are taken in order of k - lead, so each retiree gets
        a prefix 1..m of their candidates (dose 3 only after doses 1 and 2).
        """
        rng = random.Random(self.size.seed + per_retiree)
        candidates = []
        for retiree_id, *_rest in self.retirees:
            lead = rng.random() * per_retiree * 0.6
            candidates.extend((k - lead, retiree_id, k) for k in range(1, per_retiree + 1))
        candidates.sort()
        chosen = sorted((retiree_id, k) for _key, retiree_id, k in candidates[:wanted])
        return chosen

    def vaccination_doses(self) -> int:
        rng = self.random
        products = ("北京生物", "北京科兴", "武汉生物", "智飞龙科马", "康希诺")
        sites = ("校医院接种点", "海淀区疾控中心", "社区卫生服务中心", "上门接种")
        recorded_at = self.now.isoformat()
        per_retiree: dict[int, datetime.date] = {}

        def rows():
            for retiree_id, dose in self._prefixes(4, self.size.doses):
                if dose == 1:
                    given = datetime.date(2021, 3, 1) + datetime.timedelta(days=rng.randrange(180))
                elif dose == 2:
                    given = per_retiree[retiree_id] + datetime.timedelta(days=rng.randint(21, 56))
                elif dose == 3:
                    given = per_retiree[retiree_id] + datetime.timedelta(days=rng.randint(180, 300))
                else:
                    given = max(
                        per_retiree[retiree_id] + datetime.timedelta(days=180),
                        datetime.date(2022, 12, 15) + datetime.timedelta(days=rng.randrange(120)),
                    )
                per_retiree[retiree_id] = given
                arrangement = rng.choices(("self", "transport", "home"), (90, 7, 3))[0]
                yield [
                    retiree_id,
                    "",
                    recorded_at,
                    None,
                    dose,
                    given.isoformat(),
                    rng.choice(products),
                    "上门接种" if arrangement == "home" else rng.choice(sites[:3]),
                    arrangement,
                ]

        columns = [
            "retiree_id",
            "notes",
            "recorded_at",
            "recorded_by_id",
            "dose_number",
            "given_on",
            "product",
            "site",
            "arrangement",
        ]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "ledgers_vaccinationdose", columns, rows())

    def nucleic_tests(self) -> int:
        rng = self.random
        sites = ("校内核酸检测点", "社区核酸检测点", "东区便民采样点", "北区便民采样点", "上门采样")
        recorded_at = self.now.isoformat()
        last: dict[int, datetime.date] = {}

        def rows():
            for retiree_id, k in self._prefixes(8, self.size.tests):
                if k == 1:
                    tested = datetime.date(2022, 4, 25) + datetime.timedelta(days=rng.randrange(60))
                else:  # strictly later than the previous test: one per day at most
                    tested = last[retiree_id] + datetime.timedelta(days=rng.randint(2, 21))
                last[retiree_id] = tested
                yield [
                    retiree_id,
                    "",
                    recorded_at,
                    None,
                    tested.isoformat(),
                    "positive" if rng.random() < 0.003 else "negative",
                    rng.choice(sites),
                ]

        columns = ["retiree_id", "notes", "recorded_at", "recorded_by_id", "tested_on", "result", "site"]
        with self.connection.cursor() as cursor:
            return _copy(cursor, "ledgers_nucleictest", columns, rows())

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
