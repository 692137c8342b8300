"""The retiree page's panels: each domain app registers the selector that builds its part.

The registry (`retirees`) sits below the domain apps, so its page cannot import them; instead each
app registers `<app>.selectors.retiree_panel` (or its panels module) in its AppConfig.ready(), and
the retiree view calls every registered selector itself. All of the page's queries are thus run
by the view, where a test pins their count, and no template tag hides a query.
"""

from collections.abc import Callable

# group -> [(order, selector)]; the selectors of one group fill one dict (one panel of the page).
_PANELS: dict[str, list[tuple[int, Callable]]] = {}


def register_retiree_panel(group: str, selector: Callable, *, order: int = 0) -> None:
    """Add `selector(*, user, retiree) -> dict` to the page's `group` panel (idempotent)."""
    entries = _PANELS.setdefault(group, [])
    if all(existing is not selector for _, existing in entries):
        entries.append((order, selector))
        entries.sort(key=lambda entry: entry[0])


def retiree_panels(*, user, retiree) -> dict[str, dict]:
    """Every panel's context for the retiree page, each group's selectors merged in their order."""
    panels = {}
    for group, entries in _PANELS.items():
        merged = {}
        for _, selector in entries:
            merged.update(selector(user=user, retiree=retiree))
        panels[group] = merged
    return panels
