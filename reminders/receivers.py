"""Immediate alerts: checkins' findings (checkins.signals) and a retiree's own call for help
(assistance.signals) raise them. Thin on purpose: who is told,
what they read and the exactly-once claim are `services.alert_raise`'s business.

The receivers run inside the transaction that wrote the finding, and let an error propagate: a
finding is written with its alert or not at all (the broker is not touched until commit, so a
Redis outage cannot fail the write).
"""

from assistance import signals as assistance_signals
from checkins import signals

from . import services
from .digests import AlertCause


def on_attention_entered(sender, *, retiree, episode, reason=None, **kwargs):
    services.alert_raise(retiree=retiree, episode=episode, cause=AlertCause.ATTENTION, reason=reason)


def on_escalation_topped(sender, *, retiree, episode, contact, **kwargs):
    services.alert_raise(retiree=retiree, episode=episode, cause=AlertCause.ESCALATION, contact=contact)


def on_urgent_outcome(sender, *, retiree, episode, contact, **kwargs):
    services.alert_raise(retiree=retiree, episode=episode, cause=AlertCause.URGENT, contact=contact)


def on_help_requested(sender, *, retiree, episode, request, **kwargs):
    services.alert_raise(retiree=retiree, episode=episode, cause=AlertCause.HELP, reason=request.get_kind_display())


def connect() -> None:
    """Called once from RemindersConfig.ready(); the dispatch_uid keeps a second call harmless."""
    signals.attention_entered.connect(on_attention_entered, dispatch_uid="reminders.alert.attention_entered")
    signals.escalation_topped.connect(on_escalation_topped, dispatch_uid="reminders.alert.escalation_topped")
    signals.urgent_outcome.connect(on_urgent_outcome, dispatch_uid="reminders.alert.urgent_outcome")
    assistance_signals.help_requested.connect(on_help_requested, dispatch_uid="reminders.alert.help_requested")
