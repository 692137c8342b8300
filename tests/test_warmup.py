"""The web process's warm-up (outreach.warmup): run once in gunicorn's master before it forks."""

import runpy
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines

from outreach.warmup import warm_up


def test_the_warm_up_reads_every_project_template_and_opens_no_connection():
    # No django_db mark: pytest-django refuses any use of the database here.
    loaded = warm_up()
    templates = [path for path in Path(settings.BASE_DIR, "templates").rglob("*") if path.suffix in (".html", ".txt")]
    assert loaded >= len(templates) > 100
    # The cached loader holds them now: a page's first render reads no file.
    cached = engines["django"].engine.template_loaders[0].get_template_cache
    assert "base.html" in cached and "retirees/detail.html" in cached
    assert all(connection.connection is None for connection in connections.all())


def test_gunicorn_loads_the_application_once_before_forking():
    config = runpy.run_path(str(Path(settings.BASE_DIR, "gunicorn.conf.py")))
    assert config["preload_app"] is True
