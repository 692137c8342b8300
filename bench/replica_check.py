"""An export served by a real PostgreSQL streaming replica (docs/scaling.md, "Trying it on one machine").

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/outreach_growth_10k \\
    READ_REPLICA_URL=postgres://postgres@127.0.0.1:5433/outreach_growth_10k \\
    .venv/bin/python bench/replica_check.py

Checks that the replica is one (pg_is_in_recovery), refuses writes, how far it lags; then exports
the registry as office staff through the view (CSV) and counts which connection read the rows;
finally how long a row written on the primary takes to appear on the replica.
"""

import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings_bench")
os.environ.setdefault("SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")  # plain HTTP in process, as bench/run.py
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")
sys.path.insert(0, str(BASE_DIR))

import django  # noqa: E402

django.setup()

from django.db import connections, transaction  # noqa: E402
from django.db.utils import InternalError, OperationalError  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accounts.models import User  # noqa: E402
from core.routers import REPLICA, read_alias  # noqa: E402


def scalar(alias: str, sql: str):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def main() -> None:
    if read_alias() != REPLICA:
        sys.exit("READ_REPLICA_URL is not set: nothing to check.")
    for alias in ("default", REPLICA):
        settings = connections[alias].settings_dict
        recovery = scalar(alias, "SELECT pg_is_in_recovery()")
        print(f"{alias:<8} {settings['HOST']}:{settings['PORT']}/{settings['NAME']}  in recovery: {recovery}")
    print(
        "replica lag (now - last replayed transaction):",
        scalar(REPLICA, "SELECT now() - pg_last_xact_replay_timestamp()"),
    )
    try:
        with transaction.atomic(using=REPLICA):
            scalar(REPLICA, "CREATE TEMPORARY TABLE replica_write_probe (x int) ON COMMIT DROP")
        print("replica accepted a write: NOT a standby")
    except (InternalError, OperationalError) as error:
        print("a write on the replica is refused:", str(error).splitlines()[0])

    client = Client()
    client.force_login(User.objects.get(username="bench_office"))
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        started = time.perf_counter()
        response = client.get("/retirees/?status=all&export=csv")
        body = b"".join(response.streaming_content)
        seconds = time.perf_counter() - started
    rows = body.count(b"\n") - 2  # title and header lines
    reads = [q["sql"] for q in on_replica.captured_queries if "retirees_retiree" in q["sql"]]
    elsewhere = [q["sql"] for q in on_default.captured_queries if 'FROM "retirees_retiree"' in q["sql"]]
    print(f"CSV export: HTTP {response.status_code}, {rows:,} rows, {len(body) / 1e6:.1f} MB in {seconds:.2f} s")
    print(f"  queries on the replica: {len(on_replica.captured_queries)} ({len(reads)} reading retirees)")
    print(f"  queries on default: {len(on_default.captured_queries)} ({len(elsewhere)} reading retirees)")

    # Replication delay: a row committed on the primary, polled for on the replica.
    marker = f"replica-check-{time.time_ns()}"
    with connections["default"].cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_replica_probe (marker text)")
        cursor.execute("INSERT INTO bench_replica_probe VALUES (%s)", [marker])
    started = time.perf_counter()
    while True:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT to_regclass('bench_replica_probe') IS NOT NULL")
            if cursor.fetchone()[0]:
                cursor.execute("SELECT count(*) FROM bench_replica_probe WHERE marker = %s", [marker])
                if cursor.fetchone()[0]:
                    break
        if time.perf_counter() - started > 60:
            print("the row did not reach the replica within 60 s")
            break
        time.sleep(0.005)
    waited = (time.perf_counter() - started) * 1000
    print(f"a row committed on the primary was readable on the replica after {waited:.0f} ms")
    with connections["default"].cursor() as cursor:
        cursor.execute("DROP TABLE bench_replica_probe")


if __name__ == "__main__":
    main()
