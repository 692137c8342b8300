from celery import shared_task

from . import services


@shared_task(name="ledgers.purge_roster_uploads", ignore_result=True)
def purge_roster_uploads():
    """Delete roster uploads previewed but never confirmed within a day (they hold personal data)."""
    return services.roster_uploads_purge()
