"""Print a retiree's personal link, issuing one if they have none: for support by phone.

    python manage.py retiree_link --retiree 42

The link is the last line of the output, alone, so that a script can take it with `tail -1`.
Issuing is in the audit log (no user: "manage.py retiree_link").
"""

from django.core.management.base import BaseCommand, CommandError

from retirees.choices import Status
from retirees.models import Retiree
from selfservice import services


class Command(BaseCommand):
    help = "Print a retiree's personal link (issuing one if they have none) as the last line."

    def add_arguments(self, parser):
        parser.add_argument("--retiree", type=int, required=True, help="the retiree's id")

    def handle(self, *args, retiree: int, **options):
        found = Retiree.objects.filter(pk=retiree).select_related("branch").first()
        if found is None:
            raise CommandError(f"No retiree with id {retiree}.")
        if found.status != Status.ACTIVE:
            raise CommandError(f"Retiree {retiree} is not active: links are only issued for active retirees.")
        link = services.link_current_or_issue(retiree=found, via="manage.py retiree_link")
        self.stdout.write(f"{found.name} · {found.branch} · issued {link.issued_at:%Y-%m-%d %H:%M}")
        self.stdout.write(services.link_url(link))
