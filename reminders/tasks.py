"""Celery tasks: thin wrappers that take ids only (no names, phones or health data on the broker)."""

from celery import shared_task

from . import services


@shared_task(name="reminders.tick", ignore_result=True)
def tick():
    """The one periodic entry: claim due reminders and enqueue their deliveries."""
    result = services.reminder_tick()
    return {"claimed": result.claimed, "enqueued": result.enqueued}


@shared_task(name="reminders.weekly_report", ignore_result=True)
def weekly_report():
    """Last week's report to the office, once per person and week (claimed like a digest)."""
    result = services.weekly_report_tick()
    return {"claimed": result.claimed, "enqueued": result.enqueued}


@shared_task(name="reminders.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int):
    """Send one channel of one reminder. Failures are retried by the tick with the backoff stored
    on the row, so a retry survives a worker restart."""
    return services.delivery_send(delivery_id=delivery_id)


@shared_task(name="reminders.refresh_holidays", ignore_result=True)
def refresh_holidays():
    """Keep the current and next year's statutory calendar filled (idempotent): on 1 January the
    next year comes in, and after a library upgrade its newly published notice."""
    result = services.holidays_refresh()
    return {"added": result.added, "updated": result.updated, "removed": result.removed}
