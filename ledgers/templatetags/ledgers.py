from django import template

from ledgers import signoffs

register = template.Library()


@register.inclusion_tag("ledgers/_signoff_panel.html", takes_context=True)
def signoff_panel(context, checkin_round):
    """On the round's page: how many branches signed off their ledger, and the secretary's button (two queries)."""
    user = context["request"].user
    rows = signoffs.round_signoffs(user=user, checkin_round=checkin_round)
    return {
        "round": checkin_round,
        "signed": sum(1 for row in rows if row["signoff"] is not None),
        "total": len(rows),
        "own": next((row for row in rows if row["branch"].pk == user.branch_id), None),
        "can_sign": signoffs.sign_off_refusal(user=user, checkin_round=checkin_round) is None,
    }


@register.inclusion_tag("ledgers/_signoff_table.html", takes_context=True)
def signoff_table(context, checkin_round):
    """Who signed off each branch's ledger for the round, and when (for the printed summary; two queries)."""
    return {"rows": signoffs.round_signoffs(user=context["request"].user, checkin_round=checkin_round)}
