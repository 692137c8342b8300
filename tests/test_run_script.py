"""scripts/run.sh (what `make run` starts), with stand-ins for Celery and Django that report what they were given."""

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

REPORT_LINE = 'echo "$(basename "$0") $* site=$OUTREACH_SITE_URL" >> "$REPORT"\n'
STAND_INS = {
    "celery": "#!/bin/sh\n" + REPORT_LINE,
    # The server waits (up to 30 s) for the background worker to report: when it returns, the
    # script's exit trap stops the worker, which on a loaded machine may not have started yet.
    "python": '#!/bin/sh\nfor _ in $(seq 300); do grep -q ^celery "$REPORT" 2>/dev/null && break; sleep 0.1; done\n'
    + REPORT_LINE,
}


def _run_script(tmp_path, **env):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, script in STAND_INS.items():
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    report = tmp_path / "report"
    clean = {k: v for k, v in os.environ.items() if k not in ("OUTREACH_SITE_URL", "HOST", "PORT")}
    clean.update({"BIN": str(bin_dir), "REPORT": str(report), "OUTREACH_VAR_DIR": str(tmp_path / "var"), **env})
    result = subprocess.run(["bash", "scripts/run.sh"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout, sorted(report.read_text().splitlines())


def test_site_url_follows_the_port(tmp_path):
    stdout, lines = _run_script(tmp_path, PORT="8123")
    assert "http://127.0.0.1:8123/" in stdout
    assert lines[0].startswith("celery -A outreach worker") and lines[0].endswith("site=http://127.0.0.1:8123")
    assert lines[1] == "python manage.py runserver 127.0.0.1:8123 site=http://127.0.0.1:8123"


def test_runtime_files_go_to_the_var_dir(tmp_path):
    _run_script(tmp_path)
    assert (tmp_path / "var" / "celery.log").exists()
