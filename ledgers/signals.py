"""What the ledgers tell the apps above them, sent inside the writing transaction.

`ledgers` sits below `checkins` and may not import it; `checkins` connects to these in its
AppConfig.ready() (attention: an exposure, a positive test or an unwell record puts a retiree under
closer contact however the fact was recorded). Receivers run in the transaction that wrote the
entry, so whatever they write commits or rolls back with it.
"""

from django.dispatch import Signal

# A ledger entry about a retiree was written or removed (a service, the contact form, the admin).
# Arguments: `retiree` (the Retiree) and `ledger` (a `ledgers.choices.Ledger` value: vaccination,
# testing, exposure or health).
ledger_entry_changed = Signal()
