from celery import shared_task
from django.conf import settings
from django.utils import timezone

from . import services


@shared_task(name="retirees.anonymise_due", ignore_result=True)
def anonymise_due():
    """Daily retention: anonymise retirees deceased or moved away more than the retention period ago."""
    return services.retirees_anonymise_due(years=settings.OUTREACH_RETENTION_YEARS, today=timezone.localdate())
