"""Tell the requester of an exemption what the office decided, in the app's notification centre.

`checkins` sends `exemption_decided` inside the transaction that decided the request and cannot
import this app (the layer above it); the notification is written in that same transaction, so a
decision that rolls back tells nobody.
"""

from django.conf import settings
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from checkins.signals import exemption_decided

from .digests import recipient_language
from .models import Notification


@receiver(exemption_decided, dispatch_uid="reminders_exemption_decided")
def notify_requester(sender, *, retiree, exemption, **kwargs) -> Notification:
    requester = exemption.requested_by
    with translation.override(recipient_language(requester)):
        if exemption.is_approved:
            title = _("Exemption approved: %(name)s") % {"name": retiree.name}
        else:
            title = _("Exemption request refused: %(name)s") % {"name": retiree.name}
        lines = [
            _("%(reason)s, %(starts)s to %(ends)s")
            % {
                "reason": exemption.get_reason_display(),
                "starts": exemption.starts_on.isoformat(),
                "ends": exemption.ends_on.isoformat(),
            },
            _("Decided by %(who)s on %(when)s.")
            % {
                "who": exemption.decided_by,
                "when": timezone.localtime(exemption.decided_at).strftime("%Y-%m-%d %H:%M"),
            },
        ]
        if exemption.decision_note:
            lines.append(_("Remarks on the decision: %(note)s") % {"note": exemption.decision_note})
        lines.append(f"{settings.OUTREACH_SITE_URL}{retiree.get_absolute_url()}")
    return Notification.objects.create(recipient=requester, title=title, body="\n".join(lines))
