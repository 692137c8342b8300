"""The personal links' CSV: its columns, defined once."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import RetireeLink
from .services import LinkNotPrintable, link_url

LINK_COLUMNS = [
    ("branch", _("Branch")),
    ("name", _("Name")),
    ("link", _("Personal link")),
    ("issued_at", _("Issued at")),
    ("last_used_at", _("Last used")),
]


def _cell(value: str) -> str:
    """A spreadsheet reads a cell starting with = + - @ as a formula: such text is quoted."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def _when(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else ""


def link_row(link: RetireeLink) -> list[str]:
    """One CSV row; a link that cannot be rebuilt says so instead of its address."""
    try:
        url = link_url(link)
    except LinkNotPrintable:
        url = str(_("(re-issue this link: it cannot be printed again)"))
    return [
        _cell(str(link.retiree.branch)),
        _cell(link.retiree.name),
        url,
        _when(link.issued_at),
        _when(link.last_used_at),
    ]
