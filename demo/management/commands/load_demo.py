from django.core.management.base import BaseCommand

from checkins.services import attention_refresh_all
from demo.ledgers import load_ledger_demo
from demo.retirees import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load deterministic demo data (7 branches, 487 retirees, a user per role). Safe to run twice."

    def handle(self, *args, **options):
        summary = load_demo()
        if load_ledger_demo():
            self.stdout.write("Demo ledgers: doses, tests, exposures, health; two rounds with ledger sign-offs.")
        # The demo's facts are written in bulk, past the services: bring attention in step once.
        attention_refresh_all()
        self.stdout.write(
            f"Demo data: {summary.branches} branches; created {summary.users} users, "
            f"{summary.retirees} retirees, {summary.contacts} household contacts "
            f"(demo password: {DEMO_PASSWORD})."
        )
