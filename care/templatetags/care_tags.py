from django import template

from care import selectors
from core.dates import local_today
from retirees.choices import Category

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
    return selectors.pending_notices_for(user=context["user"], retiree_ids=[row.pk for row in rows])


@register.simple_tag
def lixiu_without_plan_ids(rows) -> set:
    """Ids of the retired cadres (离休) in `rows` who have no care plan. No query when the rows hold
    no retired cadre; otherwise one, however many rows."""
    from care.models import CarePlan

    lixiu = [row.pk for row in rows if row.category == Category.LIXIU]
    if not lixiu:
        return set()
    with_plan = set(CarePlan.objects.filter(retiree_id__in=lixiu).values_list("retiree_id", flat=True))
    return set(lixiu) - with_plan


@register.inclusion_tag("care/_dashboard.html", takes_context=True)
def care_dashboard(context):
    """The care counts on the coverage dashboard (one query)."""
    return {"summary": selectors.care_summary(user=context["user"], today=local_today()), "user": context["user"]}


@register.inclusion_tag("care/_panel.html", takes_context=True)
def care_panel(context, retiree):
    """Care plan, volunteer status, assistance requests and visits on the retiree page (four queries)."""
    user = context["user"]
    plan = selectors.care_plan_of(user=user, retiree=retiree)
    return {
        "user": user,
        "retiree": retiree,
        "plan": plan,
        "needs_plan": plan is None and retiree.category == Category.LIXIU,
        "volunteer": selectors.volunteer_list(user=user).filter(retiree=retiree).first(),
        "requests": selectors.retiree_assistance_requests(user=user, retiree=retiree)[:20],
        "visits": selectors.visit_list(user=user).filter(retiree=retiree)[:10],
        "today": local_today(),
    }
