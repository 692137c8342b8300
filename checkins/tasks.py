from celery import shared_task

from . import selectors


@shared_task(name="checkins.keep_coverage", ignore_result=True)
def keep_coverage():
    """Count again the branches whose kept coverage counts went stale (checkins.coverage), so that
    the dashboard and the call lists find them counted: after midnight every branch, during the
    day those where something changed."""
    return {"counted": selectors.coverage_keep()}
