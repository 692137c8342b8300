"""What a web process would otherwise do on its first requests, done once when it starts.

Under gunicorn with `preload_app` (gunicorn.conf.py) the master process does it before forking its
workers, which then start warm and share that memory: after a restart, the first requests of
every worker no longer wait for the URL map, the translation catalogues and the templates to be
read (on two cores, five cold workers made the first requests of a busy minute wait ~5 s).

Nothing here touches the database: a connection opened before the fork would be shared by every
worker.
"""

from pathlib import Path

from django.conf import settings
from django.db import connections
from django.template import engines
from django.urls import reverse
from django.utils import translation


def warm_up() -> int:
    """Load the URL map, every language's catalogue and the project's templates; how many templates."""
    reverse("home")  # builds the URL map
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Outreach")  # reads the catalogues of every app for `code`
    loaded = 0
    project = Path(settings.BASE_DIR).resolve()
    for engine in engines.all():
        for directory in engine.template_dirs:
            directory = Path(directory).resolve()
            if not directory.is_relative_to(project):
                continue  # Django's own (the admin's): loaded when first used
            for path in sorted(directory.rglob("*")):
                if path.is_file() and path.suffix in (".html", ".txt"):
                    engine.get_template(path.relative_to(directory).as_posix())
                    loaded += 1
    connections.close_all()  # none should be open; if one were, it must not be forked
    return loaded
