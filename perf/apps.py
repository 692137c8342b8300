from django.apps import AppConfig


class PerfConfig(AppConfig):
    """City-scale data generation for the benchmark (no models)."""

    name = "perf"
    verbose_name = "Performance"
