import os

from django.core.asgi import get_asgi_application

from outreach.env import exit_on_configuration_error

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outreach.settings")
exit_on_configuration_error()
application = get_asgi_application()
