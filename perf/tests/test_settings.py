"""perf is a benchmark tool: the product does not install it, the benchmark's settings do."""

from django.conf import settings


def test_perf_is_installed_by_the_benchmark_settings_only():
    from outreach import settings_bench

    assert "perf" not in settings.INSTALLED_APPS
    assert settings_bench.INSTALLED_APPS == [*settings.INSTALLED_APPS, "perf"]
