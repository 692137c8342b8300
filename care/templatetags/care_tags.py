from django import template

from care import selectors
from core.dates import local_today
from notices.selectors import pending_notices_for

register = template.Library()


@register.filter
def get_item(mapping, key):
    """mapping[key], or None (for a dict built by a tag below)."""
    if not mapping:
        return None
    return mapping.get(key)


@register.simple_tag(takes_context=True)
def pending_notices(context, rows):
    """Unacknowledged notice deliveries for the retirees in `rows`, by retiree id: one query for the
    whole page, however many rows (the call list's "delivered / acknowledged" action)."""
    return pending_notices_for(user=context["user"], retiree_ids=[row.pk for row in rows])


@register.simple_tag(takes_context=True)
def lixiu_without_plan_ids(context, rows) -> set:
    """Ids of the retired cadres (离休) in `rows` who have no care plan (in the user's scope). No
    query when the rows hold no retired cadre; otherwise one, however many rows."""
    return selectors.lixiu_without_plan_ids(user=context["user"], retirees=rows)


@register.inclusion_tag("care/_dashboard.html", takes_context=True)
def care_dashboard(context):
    """The care counts on the coverage dashboard (one query)."""
    return {"summary": selectors.care_summary(user=context["user"], today=local_today()), "user": context["user"]}
