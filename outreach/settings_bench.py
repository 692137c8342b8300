"""The benchmark's settings: the production settings plus `perf`, the city-scale data generator.

`perf` is a tool, not part of the product, so only `make bench` (bench/run.py) and
`manage.py generate_city` run with it: `DJANGO_SETTINGS_MODULE=outreach.settings_bench`.
"""

from .settings import *  # noqa: F403
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "perf"]
