from django.core.management.base import BaseCommand

from retirees.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load deterministic demo data (7 branches, 487 retirees, a user per role). Safe to run twice."

    def handle(self, *args, **options):
        summary = load_demo()
        self.stdout.write(
            f"Demo data: {summary.branches} branches; created {summary.users} users, "
            f"{summary.retirees} retirees, {summary.contacts} household contacts "
            f"(demo password: {DEMO_PASSWORD})."
        )
