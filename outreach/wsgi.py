import os

from django.core.wsgi import get_wsgi_application

from outreach.env import exit_on_configuration_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
exit_on_configuration_error()
application = get_wsgi_application()

from outreach.warmup import warm_up  # noqa: E402  (after Django is set up)

warm_up()
