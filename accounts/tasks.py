from celery import shared_task

from . import services


@shared_task(name="accounts.purge_user_imports", ignore_result=True)
def purge_user_imports():
    """Delete users sheets previewed but never confirmed within a day (they hold names and phones)."""
    return services.user_imports_purge()
