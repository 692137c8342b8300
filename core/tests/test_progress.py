"""The progress of background work: shared through a cache, never a reason for the work to fail."""

from django.core.cache import caches

from core import progress


def test_a_report_is_read_back_and_cleared(monkeypatch):
    monkeypatch.setattr(progress, "INTERVAL", 0)
    report = progress.ProgressReporter("test-key")
    report("check", 10, 40)
    assert progress.progress_read("test-key") == {"stage": "check", "done": 10, "total": 40}
    progress.progress_clear("test-key")
    assert progress.progress_read("test-key") is None


def test_reports_are_throttled_unless_forced(monkeypatch):
    report = progress.ProgressReporter("throttled")
    report("check", 1, 9)
    report("check", 2, 9)  # within INTERVAL of the first: not written
    assert progress.progress_read("throttled")["done"] == 1
    report("check", 9, 9, force=True)
    assert progress.progress_read("throttled")["done"] == 9
    progress.progress_clear("throttled")


def test_a_cache_that_is_down_costs_one_attempt_and_breaks_nothing(monkeypatch):
    cache = caches[progress.CACHE]
    calls = []

    def down(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Redis down")

    monkeypatch.setattr(cache, "set", down)
    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(progress, "INTERVAL", 0)
    report = progress.ProgressReporter("down")
    for done in range(100):
        report("write", done, 100)
    assert len(calls) == 1  # gave up after the first failure
    assert progress.progress_read("down") is None
