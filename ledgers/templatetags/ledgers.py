from django import template

from ledgers import selectors

register = template.Library()


@register.inclusion_tag("ledgers/_summary.html")
def ledger_summary(retiree):
    """The retiree's current ledger state, for their page (runs five small queries).

    The retiree was fetched through the user's scope by the page's view, so their ledger
    entries are inside it too.
    """
    return {"retiree": retiree, **selectors.retiree_ledger_summary(retiree=retiree)}
