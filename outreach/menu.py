"""The main menu: its groups and links, defined once, and which of them a user sees.

base.html draws it from the `menu` context variable. A link is shown only to the users its page
lets in (an office-only page would answer a branch worker with a 403), and the link of the page
being shown is marked for assistive technology (`aria-current="page"`).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import access


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    # Who sees the link: by default everybody signed in (the page's view decides the rest).
    shown_to: Callable = access.is_signed_in
    # Other pages that count as this link's page (a form reached from a list).
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    icon: str
    links: tuple[Link, ...]
    # URL namespaces whose pages belong to this group (a retiree's page under "Registry").
    namespaces: tuple[str, ...] = ()


MENU = (
    Group(
        "checkins",
        _("Check-ins"),
        "telephone",
        (
            Link(_("Call list"), "checkins:call_list", also=("checkins:contact_create", "checkins:quick_log")),
            Link(_("Coverage"), "checkins:dashboard"),
            Link(_("Weekly report"), "reports:list", access.is_office, also=("reports:detail",)),
            Link(_("Check-in rounds"), "checkins:round_list", also=("checkins:round_create",)),
            Link(_("Exemption requests"), "checkins:exemption_list", also=("checkins:exemption_decide",)),
            Link(_("Cadence rules"), "checkins:policy_list", access.is_office, also=("checkins:policy_create",)),
        ),
        ("checkins",),
    ),
    Group(
        "registry",
        _("Registry"),
        "person-vcard",
        (
            Link(_("Retirees"), "retirees:list", also=("retirees:create",)),
            Link(_("Branches"), "branches:list"),
            Link(_("Import a roster"), "ledgers:import", access.is_office, also=("ledgers:import_confirm",)),
        ),
        ("retirees", "branches"),
    ),
    Group(
        "ledgers",
        _("Ledgers"),
        "journal-check",
        (
            Link(_("Ledgers and totals"), "ledgers:index"),
            Link(_("Vaccination ledger"), "ledgers:vaccination"),
            Link(_("Nucleic-acid test ledger"), "ledgers:testing"),
            Link(_("Exposure ledger"), "ledgers:exposure"),
            Link(_("Health ledger"), "ledgers:health"),
        ),
        ("ledgers",),
    ),
    Group(
        "care",
        _("Care"),
        "heart",
        (
            Link(_("Overview"), "care:index"),
            Link(_("Care plans"), "care:plan_list"),
            Link(_("Assistance"), "assistance:request_list"),
            Link(_("Visits"), "visits:visit_list"),
            Link(_("Volunteers"), "volunteers:volunteer_list"),
            Link(_("Patrol roster"), "volunteers:roster", also=("volunteers:shift_create",)),
            Link(_("Notices"), "notices:notice_list", also=("notices:notice_create",)),
            Link(_("Meetings"), "meetings:meeting_list", also=("meetings:meeting_create",)),
            Link(_("Personal links"), "selfservice:link_list", access.is_office, also=("selfservice:link_print",)),
        ),
        ("care", "assistance", "visits", "volunteers", "notices", "meetings", "selfservice"),
    ),
    Group(
        "admin",
        _("Administration"),
        "gear",
        (
            Link(
                _("People"),
                "accounts:user_list",
                access.is_office,
                also=(
                    "accounts:user_create",
                    "accounts:user_edit",
                    "accounts:user_import",
                    "accounts:user_import_confirm",
                ),
            ),
            Link(_("Getting started"), "setup", access.is_office),
            Link(_("Holiday calendar"), "reminders:holidays", access.is_office),
            Link(_("Export log"), "ledgers:export_log", access.is_office),
            Link(_("Administration site"), "admin:index", access.is_admin),
        ),
    ),
)


def menu_for(user, view_name: str) -> list[dict]:
    """The groups and links `user` sees, the current page's link and group marked (no query)."""
    namespace = view_name.rpartition(":")[0]
    groups = []
    for group in MENU:
        links = [
            {
                "label": link.label,
                "url": reverse(link.url_name),
                "current": view_name == link.url_name or view_name in link.also,
            }
            for link in group.links
            if link.shown_to(user)
        ]
        if not links:
            continue
        has_current = any(link["current"] for link in links)
        # A page of the group's own apps that no link names (a retiree's page) still lights the group,
        # unless another group holds its link (the roster import lives under Registry, not Ledgers).
        current = has_current or (namespace in group.namespaces and not _linked_elsewhere(view_name, group))
        groups.append({"key": group.key, "label": group.label, "icon": group.icon, "links": links, "current": current})
    return groups


def _linked_elsewhere(view_name: str, group: Group) -> bool:
    return any(
        view_name == link.url_name or view_name in link.also
        for other in MENU
        if other is not group
        for link in other.links
    )


def menu(request):
    """Context processor: the main menu for a signed-in user; nothing for a visitor."""
    user = getattr(request, "user", None)
    if not access.is_signed_in(user):
        return {}
    match = request.resolver_match
    view_name = match.view_name if match else ""
    # A callable: the template calls it only on pages that draw the menu (not on htmx fragments).
    return {"menu": lambda: menu_for(user, view_name)}
