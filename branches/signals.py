"""What a branch's settings change means for the apps above it, sent inside the writing transaction.

`branches` sits below `checkins`, so it cannot recompute anybody's schedule itself: checkins
connects to these in its AppConfig.ready().
"""

from django.dispatch import Signal

# The branch's "a call at least every N self check-ins" changed. Sent with `branch`.
self_checkin_rule_changed = Signal()
