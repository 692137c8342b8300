#!/usr/bin/env bash
# Development server: Django on $HOST:$PORT plus one Celery worker with an embedded beat.
# With REDIS_URL unset, Celery uses the file-system broker under var/celery (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
mkdir -p var
"$BIN/celery" -A outreach worker --beat --loglevel=INFO --concurrency=1 \
    --schedule="var/celerybeat-schedule" > var/celery.log 2>&1 &
celery_pid=$!
trap 'kill "$celery_pid" 2>/dev/null || true' EXIT INT TERM
echo "Celery worker and beat running (log: var/celery.log)."
echo "Open http://${HOST:-127.0.0.1}:${PORT:-8000}/ — demo users are listed in README.md."
"$BIN/python" manage.py runserver "${HOST:-127.0.0.1}:${PORT:-8000}"
