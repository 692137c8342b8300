from django.core.management.base import BaseCommand

from core.calendar_cn import library_version
from reminders.services import holidays_refresh


class Command(BaseCommand):
    help = (
        "Fill the holiday calendar (statutory holidays and make-up working days) for the current and "
        "next year from the holidays library. Safe to run again: it changes only what the library changed, "
        "and never the office's own exceptions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, action="append", help="A year to refresh (repeatable).")

    def handle(self, *args, year, **options):
        if year and any(not 1950 <= value <= 2099 for value in year):
            self.stderr.write("A year must be between 1950 and 2099.")
            raise SystemExit(2)
        result = holidays_refresh(years=tuple(year) if year else None)
        self.stdout.write(
            f"Holiday calendar for {', '.join(map(str, result.years))} from {library_version()}: "
            f"{result.added} added, {result.updated} updated, {result.removed} removed, "
            f"{result.unchanged} unchanged, {result.kept_exceptions} office exceptions kept."
        )
        for missing in result.unpublished:
            self.stdout.write(
                f"{missing}: the library does not carry the State Council's notice yet; only the statutory "
                "days are filled. Upgrade the holidays package once it is published, then run this again."
            )
