"""Celery tasks: thin wrappers that take ids only (no names, phones or health data on the broker)."""

from celery import shared_task

from . import services


@shared_task(name="reminders.tick", ignore_result=True)
def tick():
    """The one periodic entry: claim due reminders and enqueue their deliveries."""
    result = services.reminder_tick()
    return {"claimed": result.claimed, "enqueued": result.enqueued}


@shared_task(name="reminders.send_delivery", ignore_result=True)
def send_delivery(delivery_id: int):
    """Send one channel of one reminder. Failures are retried by the tick with the backoff stored
    on the row, so a retry survives a worker restart."""
    return services.delivery_send(delivery_id=delivery_id)
