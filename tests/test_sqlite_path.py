"""The newcomer's path: no server at all, SQLite under var/, migrate and demo data."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_migrate_and_load_demo_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update({"DEBUG": "true", "OUTREACH_VAR_DIR": str(tmp_path)})
    for command in (["migrate", "--noinput"], ["load_demo"], ["load_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM retirees_retiree").fetchone() == (487,)
        assert db.execute("SELECT COUNT(*) FROM branches_branch").fetchone() == (7,)
