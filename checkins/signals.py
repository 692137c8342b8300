"""What a contact or a finding means for the people who must act: sent inside the writing transaction.

`checkins` sends these; `reminders` (the layer above) listens and claims one alert per retiree
per episode, so that this app never imports the one that tells people. Receivers run inside the
transaction that wrote the finding: a claim rolls back with it, and the broker is only touched
on commit (`core.queue.enqueue_on_commit`).

Every signal is sent with `retiree` (the Retiree) and `episode` (a short string naming the cause
and its row, e.g. "exposure:42", "contact:1234", "escalation:2026-11-29T…"), which together are
the unique key of an alert: one per retiree per episode.
"""

from django.dispatch import Signal

# The retiree came under attention (an open exposure event, a recent positive test, an urgent or
# needs-help outcome, an unwell health record). Extra argument: `reason` (translatable text).
attention_entered = Signal()

# A contact that reached nobody brought the retiree to the top of the escalation ladder
# (Escalation.OFFICE: office staff to act). Extra argument: `contact` (the ContactLog).
escalation_topped = Signal()

# A contact was logged with the urgent outcome. Extra argument: `contact` (the ContactLog).
urgent_outcome = Signal()

# An office worker approved or refused an exemption request (checkins.services.exemption_approve /
# exemption_refuse), for its requester to be told. Sent with `retiree` and `exemption` (decided),
# without `episode`: it tells one person of a decision, once, rather than alerting about a finding.
exemption_decided = Signal()
