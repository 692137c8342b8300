"""What an assistance request means for the people who must act: sent inside the writing transaction.

`assistance` sends it; `reminders` (the layer above) listens and claims one alert per recipient
per episode (see checkins.signals for the shape), so this app never imports the one that tells
people.
"""

from django.dispatch import Signal

# A retiree asked for help on their own page. Sent with `retiree`, `episode` ("help:<request id>")
# and `request` (the AssistanceRequest).
help_requested = Signal()
