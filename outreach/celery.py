"""The Celery application. Broker and options come from Django settings (CELERY_*)."""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")

app = Celery("outreach")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_broker_folders(sender, **kwargs):
    """The embedded file-system broker needs its folders to exist before the worker starts."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)


# The beat schedule, defined once, here. Production runs exactly one beat process; even so,
# every entry is safe to run twice (the database decides what is claimed).
app.conf.beat_schedule = {
    # Every five minutes: claim the reminders that are due, enqueue their deliveries, and
    # re-enqueue deliveries whose retry time has come or whose worker died mid-send.
    "reminders-tick": {"task": "reminders.tick", "schedule": 300.0},
    # Every minute: count again the branches whose kept coverage counts went stale (every branch
    # once after midnight), so that the office's dashboard seldom has to.
    "coverage-keep": {"task": "checkins.keep_coverage", "schedule": 60.0},
    # Hourly at :05: last week's report to the office, from Monday's office digest time on (a later
    # hour or day catches up after downtime; each person and week is claimed once). Its deliveries
    # are retried by the tick above.
    "weekly-report": {"task": "reminders.weekly_report", "schedule": crontab(minute=5)},
    # Daily at 03:00 Asia/Shanghai: anonymise retirees past the retention period (PIPL).
    "retention": {"task": "retirees.anonymise_due", "schedule": crontab(hour=3, minute=0)},
    # Hourly at :20: delete roster uploads previewed but not confirmed within 24 hours, so the
    # import page's "deleted after 24 hours" holds to within the hour, not up to a day late.
    "roster-uploads-purge": {"task": "ledgers.purge_roster_uploads", "schedule": crontab(minute=20)},
    # Hourly at :25: the same for users sheets (names and phones of the people who sign in).
    "user-imports-purge": {"task": "accounts.purge_user_imports", "schedule": crontab(minute=25)},
    # Daily at 04:10: copy the current and next year's statutory holidays from the library
    # (idempotent), so the new year is filled on 1 January and a new notice after an upgrade.
    "holidays-refresh": {"task": "reminders.refresh_holidays", "schedule": crontab(hour=4, minute=10)},
}
