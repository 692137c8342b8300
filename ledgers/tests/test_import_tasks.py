"""Big files are checked and imported by a Celery task, with a progress bar the page polls."""

import datetime
import time

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from core import progress as progress_module
from ledgers import tasks
from ledgers.imports import MAX_ROWS
from ledgers.models import ImportUpload
from ledgers.tests.importing import csv_file, problems, upload, upload_of, xlsx_file
from outreach.celery import app
from retirees.models import Retiree

HEADER = ["姓名", "性别", "出生日期", "所在支部", "联系电话"]


def roster_rows(count: int, *, bad_dates: bool = False):
    day = datetime.date(1940, 1, 1)
    return [HEADER] + [
        [
            f"新人{n}",
            "男" if n % 2 else "女",
            "1940-13-01" if bad_dates else str(day + datetime.timedelta(days=n)),
            "一支部",
            f"137{n:08d}",
        ]
        for n in range(count)
    ]


@pytest.fixture
def in_the_worker(monkeypatch):
    """Every file goes through its task (none is small enough for the request), run eagerly when
    sent: the test's transaction never commits, so the send does not wait for a commit."""
    monkeypatch.setattr(tasks, "INLINE_MAX_BYTES", 0)
    monkeypatch.setattr(tasks, "enqueue_on_commit", run_now)


def run_now(task, *args):
    """What a worker does with the task, here and now (Celery's `apply`)."""
    task.apply(args=args).get()


@pytest.fixture
def reported(monkeypatch):
    """Every progress report written to the shared cache, unthrottled."""
    monkeypatch.setattr(progress_module, "INTERVAL", 0)
    seen = []
    cache = caches["progress"]
    original = cache.set

    def record(key, value, *args, **kwargs):
        seen.append(value)
        return original(key, value, *args, **kwargs)

    monkeypatch.setattr(cache, "set", record)
    return seen


@pytest.mark.django_db
def test_a_big_roster_is_checked_and_imported_by_the_task_reporting_its_progress(
    login, office, branch_a, in_the_worker, reported
):
    client = login(office)
    response = upload(client, csv_file(roster_rows(1200)))
    checked = upload_of(response)
    assert checked.status == "checked" and checked.is_ready and checked.result["summary"]["create"] == 1200
    stages = [(report["stage"], report["done"], report["total"]) for report in reported]
    assert ("read", 500, 1201) in stages and ("check", 1200, 1200) in stages
    response = client.post(reverse("ledgers:import_confirm", args=[checked.pk]), follow=True)
    assert upload_of(response).status == "imported"
    assert ("write", 1200, 1200) in [(r["stage"], r["done"], r["total"]) for r in reported]
    assert Retiree.objects.count() == 1200
    assert caches["progress"].get(f"progress:{checked.pk}") is None  # cleared when done


@pytest.mark.django_db
def test_a_big_ledger_is_rehearsed_and_written_row_by_row_with_progress(
    login, office, branch_a, in_the_worker, reported
):
    from tests.factories import make_retiree

    for n in range(30):
        make_retiree(branch_a, f"老人{n}")
    rows = [["姓名", "检测日期", "结果"]] + [
        [f"老人{n % 30}", f"2022-04-{1 + n // 30:02d}", "阴性"] for n in range(600)
    ]
    client = login(office)
    checked = upload_of(upload(client, xlsx_file(rows), "testing"))
    assert checked.is_ready and checked.result["summary"]["create"] == 600
    assert ("rehearse", 600, 600) in [(r["stage"], r["done"], r["total"]) for r in reported]
    done = upload_of(client.post(reverse("ledgers:import_confirm", args=[checked.pk]), follow=True))
    assert done.status == "imported" and done.summary["create"] == 600


@pytest.mark.django_db
def test_every_problem_of_a_big_file_is_shown_page_by_page(login, office, branch_a, in_the_worker):
    client = login(office)
    checked = upload_of(upload(client, csv_file(roster_rows(450, bad_dates=True))))
    assert len(problems(checked)) == 450 and not checked.content  # nothing to map: the file is not kept
    last = client.get(checked.get_absolute_url(), {"page": 3}).content.decode()
    assert "“1940-13-01”不是日期" in last and "<td>451</td>" not in last and ">451<" in last
    assert "第 3 页，共 3 页" in last


@pytest.mark.django_db
def test_the_page_shows_the_progress_bar_and_reloads_when_the_work_is_done(login, office, branch_a):
    client = login(office)
    running = ImportUpload.objects.create(user=office, kind="roster", filename="名册.xlsx", content=b"x")
    caches["progress"].set(f"progress:{running.pk}", {"stage": "check", "done": 1500, "total": 6000}, 60)
    page = client.get(running.get_absolute_url()).content.decode()
    assert f'hx-get="{reverse("ledgers:import_progress", args=[running.pk])}"' in page
    assert 'data-width="25"' in page and "正在检查每一行" in page and "1500 / 6000" in page
    poll = client.get(reverse("ledgers:import_progress", args=[running.pk]))
    assert poll.status_code == 200 and 'aria-valuenow="25"' in poll.content.decode()
    ImportUpload.objects.filter(pk=running.pk).update(status="checked", result={"rows": 1, "problems": []})
    done = client.get(reverse("ledgers:import_progress", args=[running.pk]))
    assert done.status_code == 200 and done["HX-Refresh"] == "true" and done.content == b""


@pytest.mark.django_db
def test_work_no_worker_started_is_sent_again_and_the_page_says_so(
    login, office, branch_a, monkeypatch, django_capture_on_commit_callbacks
):
    sent = []
    monkeypatch.setattr(tasks, "enqueue_on_commit", lambda task, *args: sent.append((task, args)))
    client = login(office)
    content = csv_file(roster_rows(3)).read()
    stuck = ImportUpload.objects.create(
        user=office,
        kind="roster",
        filename="名册.csv",
        content=content,
        status_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    poll = client.get(reverse("ledgers:import_progress", args=[stuck.pk]))
    assert "后台任务还没有开始处理这个文件" in poll.content.decode()
    assert sent == [(tasks.import_check, (str(stuck.pk),))]
    client.get(reverse("ledgers:import_progress", args=[stuck.pk]))
    assert len(sent) == 1  # sent again once, not on every poll
    run_now(*sent[0][:1], *sent[0][1])
    stuck.refresh_from_db()
    assert stuck.status == "checked" and stuck.is_ready  # the resent task ran


@pytest.mark.django_db
def test_a_broker_that_is_down_loses_no_upload(
    login, office, branch_a, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.messaging import Producer

    def refuse(self, *args, **kwargs):
        raise ConnectionRefusedError("Redis down")

    monkeypatch.setattr(Producer, "publish", refuse)
    monkeypatch.setattr(tasks, "INLINE_MAX_BYTES", 0)
    client = login(office)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, csv_file(roster_rows(3)))
    waiting = upload_of(response)
    assert response.status_code == 200 and waiting.status == "checking" and bytes(waiting.content)
    assert "data-import-running" in response.content.decode()


@pytest.mark.django_db
def test_a_step_that_crashes_says_so_instead_of_waiting_forever(login, office, branch_a, monkeypatch):
    from ledgers.imports import runs

    def crash(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(runs, "check_file", crash)
    response = upload(login(office), csv_file(roster_rows(3)))
    assert upload_of(response).status == "failed"
    assert "读取此文件时出错，没有导入任何内容" in response.content.decode()


@pytest.mark.django_db
def test_more_rows_than_the_limit_are_refused_with_a_clear_message(login, office, branch_a, in_the_worker):
    rows = [HEADER] + [["王明", "男", "1940-01-01", "一支部", ""]] * (MAX_ROWS + 1)
    response = upload(login(office), csv_file(rows))
    assert problems(response) == [(None, "", "文件超过 50,000 行。")]
    assert not Retiree.objects.exists()


# --- through a real worker on real Redis --------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_through_a_real_worker_the_upload_is_checked_then_imported(client, office, branch_a, monkeypatch):
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    assert settings.CELERY_BROKER_URL.startswith("redis://"), "the suite runs against real Redis"
    monkeypatch.setattr(tasks, "INLINE_MAX_BYTES", 0)
    client.force_login(office)
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        response = client.post(reverse("ledgers:import"), {"file": csv_file(roster_rows(300)), "kind": "roster"})
        pk = response.url.rstrip("/").split("/")[-1]
        assert _wait_for(lambda: ImportUpload.objects.get(pk=pk).status == "checked")
        assert ImportUpload.objects.get(pk=pk).is_ready
        client.post(reverse("ledgers:import_confirm", args=[pk]))
        assert _wait_for(lambda: ImportUpload.objects.get(pk=pk).status == "imported")
    assert Retiree.objects.count() == 300


def _wait_for(condition, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
