"""Fill a dedicated PostgreSQL database with a city-scale dataset for the benchmark.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/outreach_bench python manage.py generate_city --reset

The target is `--database-url`, else the DATABASE_URL environment variable, else
postgres://postgres@127.0.0.1:5432/outreach_bench. It must be PostgreSQL; the database is
created when missing and migrated first. A database that already holds branches, users or
retirees is refused unless `--reset` is given, which empties every project table.
"""

import os
import time

import dj_database_url
import psycopg2
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from psycopg2 import sql

from perf.city import CityGenerator, CitySize

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/outreach_bench"
ALIAS = "city"


class Command(BaseCommand):
    help = "Generate a city-scale dataset (100k retirees, 5M contact logs…) into a dedicated PostgreSQL database."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help=f"Target database (default: DATABASE_URL, else {DEFAULT_URL}).")
        parser.add_argument(
            "--alias",
            help="Use this configured Django connection instead (the test suite's database); no migrate.",
        )
        parser.add_argument("--reset", action="store_true", help="Empty every project table of the target first.")
        parser.add_argument("--retirees", type=int, default=CitySize.retirees)
        parser.add_argument("--branches", type=int, default=CitySize.branches)
        parser.add_argument("--contacts", type=int, default=CitySize.contacts)
        parser.add_argument("--doses", type=int, default=CitySize.doses)
        parser.add_argument("--tests", type=int, default=CitySize.tests)
        parser.add_argument("--seed", type=int, default=CitySize.seed)

    def handle(self, *args, **options):
        size = CitySize(
            retirees=options["retirees"],
            branches=options["branches"],
            contacts=options["contacts"],
            doses=options["doses"],
            tests=options["tests"],
            seed=options["seed"],
        )
        try:
            size.check()
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["alias"]:
            alias = options["alias"]
            if connections[alias].vendor != "postgresql":
                raise CommandError(f"Connection {alias!r} is {connections[alias].vendor}: PostgreSQL only.")
        else:
            alias = self._connect(options["database_url"] or os.environ.get("DATABASE_URL") or DEFAULT_URL)
        connection = connections[alias]
        generator = CityGenerator(connection, size, log=self.stdout.write)
        busy = generator.nonempty_tables()
        if busy and not options["reset"]:
            raise CommandError(
                f"{connection.settings_dict['NAME']} already has data ({', '.join(busy)}): "
                "pass --reset to empty it (a dedicated benchmark database only)."
            )
        if busy:
            self.stdout.write(f"Emptying {connection.settings_dict['NAME']}…")
            generator.reset()
        self.stdout.write(f"Generating into {connection.settings_dict['NAME']}:")
        result = generator.generate()
        total = dict(result.timings)["total"]
        self.stdout.write(self.style.SUCCESS(f"Done in {total:.0f} s ({total / 60:.1f} min)."))

    def _connect(self, url: str) -> str:
        """Register `url` as a connection (creating and migrating the database); return its alias."""
        config = dj_database_url.parse(url)
        if "postgresql" not in config["ENGINE"]:
            raise CommandError(f"generate_city writes to PostgreSQL only, not {config['ENGINE']}.")
        self._create_database(config)
        default = connections.databases["default"]
        if all(default.get(key) == config.get(key) for key in ("NAME", "HOST", "PORT")):
            # The default connection's own database: a second connection to it would wait, while
            # migrating, for the locks the first one holds (the system checks read through default).
            call_command("migrate", interactive=False, verbosity=0)
            return "default"
        # The default connection's settings (time zone, options) with this database in place.
        connections.databases[ALIAS] = {**connections.databases["default"], **config, "CONN_MAX_AGE": 0}
        started = time.perf_counter()
        call_command("migrate", database=ALIAS, interactive=False, verbosity=0)
        self.stdout.write(f"Migrated {config['NAME']} in {time.perf_counter() - started:.1f} s.")
        return ALIAS

    def _create_database(self, config: dict) -> None:
        params = {
            "dbname": "postgres",
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
        }
        admin = psycopg2.connect(**{k: v for k, v in params.items() if v is not None})
        try:
            admin.autocommit = True  # CREATE DATABASE cannot run in a transaction
            with admin.cursor() as cursor:
                cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]])
                if cursor.fetchone() is None:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
                    self.stdout.write(f"Created database {config['NAME']}.")
        finally:
            admin.close()
