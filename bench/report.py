"""The weekly report at city scale (issue 19): run by bench/run.py (`--only report`).

    make bench BENCH_ARGS="--only report"

Three figures, each the median of `runs` after a warm-up, in the benchmark's database:
issuing the report for all branches (every figure counted through the pages' own selectors), the
report's page (read from the frozen figures) and its PDF (WeasyPrint). The issued reports are
rolled back.
"""

import statistics
import time

from django.db import transaction
from django.test import Client

from accounts.models import User
from reports import pdf, presenters, selectors, services


class _Rollback(Exception):
    pass


CPU: list[float] = []  # the process's CPU time of the last _median's runs (a loaded machine inflates the wall time)


def _median(function, runs: int) -> float:
    function()  # warm-up
    times, CPU[:] = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        CPU.append(time.process_time() - cpu)
    return statistics.median(times)


def _cpu_note() -> str:
    return f"CPU of this process {statistics.median(CPU) * 1000:,.0f} ms"


def _print(name, value, unit, target=None, ok=None, note=""):
    verdict = "" if ok is None else ("PASS" if ok else "FAIL")
    print(f"  {name:<52} {value:>10,.1f} {unit:<5} {target or '':<22} {verdict:<4} {note}", flush=True)


def bench_report(runs: int, record=_print):
    print("\nWeekly report (office staff, all branches)", flush=True)
    office = User.objects.get(username="bench_office")
    client = Client()
    client.force_login(office)
    week = services.last_week()
    scope = selectors.Scope()

    def issue():
        try:
            with transaction.atomic():
                services.report_issue(user=office, week=week, scope=scope)
                raise _Rollback
        except _Rollback:
            pass

    issued = _median(issue, runs)
    record("weekly report: issue (count every figure)", issued * 1000, "ms", "<= 2000 ms", issued <= 2.0, _cpu_note())

    try:
        with transaction.atomic():
            report = services.report_issue(user=office, week=week, scope=scope)
            url = report.get_absolute_url()

            def page():
                response = client.get(url)
                assert response.status_code == 200, response.status_code

            shown = _median(page, runs)
            record("weekly report: page", shown * 1000, "ms", "<= 2000 ms", shown <= 2.0, _cpu_note())
            record(
                "weekly report: issue + page",
                (issued + shown) * 1000,
                "ms",
                "<= 2000 ms",
                issued + shown <= 2.0,
            )
            context = {
                "report": report,
                "title": presenters.report_title(report.figures),
                "sections": presenters.sections(report.figures),
            }
            size = len(pdf.report_pdf(context))
            printed = _median(lambda: pdf.report_pdf(context), max(1, min(runs, 3)))
            record(
                "weekly report: PDF", printed, "s", "<= 5 s", printed <= 5.0, f"{size / 1024:,.0f} KB, {_cpu_note()}"
            )
            raise _Rollback
    except _Rollback:
        pass
