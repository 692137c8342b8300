from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice


def totp_device_pending(*, user) -> TOTPDevice:
    """The user's unconfirmed TOTP device, created on first use (its secret shown once as a QR code)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="default", confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    """Confirm the device with a code from the app; it then replaces any earlier device."""
    if not device.verify_token(token.strip()):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return True
