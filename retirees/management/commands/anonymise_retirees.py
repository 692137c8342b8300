from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from retirees.services import retirees_anonymise_due, retirees_due_for_anonymising


class Command(BaseCommand):
    help = "Anonymise retirees deceased or moved away more than N years ago (ledger counts are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=settings.OUTREACH_RETENTION_YEARS)
        parser.add_argument("--dry-run", action="store_true", help="Only count who would be anonymised.")

    def handle(self, *args, years, dry_run, **options):
        today = timezone.localdate()
        if dry_run:
            count = retirees_due_for_anonymising(years=years, today=today).count()
            self.stdout.write(f"{count} retirees would be anonymised (more than {years} years).")
            return
        count = retirees_anonymise_due(years=years, today=today)
        self.stdout.write(f"Anonymised {count} retirees (more than {years} years).")
