"""The embedded broker (no REDIS_URL) keeps every file it writes under var/, none in the working directory."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PING = """
import django
django.setup()
from outreach.celery import app
app.control.inspect(timeout=0.2).ping()  # a remote-control broadcast: kombu's fan-out exchange
"""


def test_remote_control_files_stay_under_var(tmp_path):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update(
        {
            "DEBUG": "true",
            "OUTREACH_VAR_DIR": str(tmp_path / "var"),
            "PYTHONPATH": str(ROOT),
            "DJANGO_SETTINGS_MODULE": "outreach.settings",
        }
    )
    result = subprocess.run([sys.executable, "-c", PING], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert list(cwd.iterdir()) == []
    assert any((tmp_path / "var" / "celery" / "control").iterdir())
