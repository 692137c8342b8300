#!/usr/bin/env bash
# Development server: Django on $HOST:$PORT plus one Celery worker with an embedded beat.
# With REDIS_URL unset, Celery uses the file-system broker under var/celery (no server needed).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
VAR_DIR=${OUTREACH_VAR_DIR:-var}
# Links in development emails and group-chat messages point at this server, whatever its port.
export OUTREACH_SITE_URL=${OUTREACH_SITE_URL:-http://$HOST:$PORT}
mkdir -p "$VAR_DIR"
"$BIN/celery" -A outreach worker --beat --loglevel=INFO --concurrency=1 \
    --schedule="$VAR_DIR/celerybeat-schedule" > "$VAR_DIR/celery.log" 2>&1 &
celery_pid=$!
trap 'kill "$celery_pid" 2>/dev/null || true' EXIT INT TERM
echo "Celery worker and beat running (log: $VAR_DIR/celery.log)."
echo "Open $OUTREACH_SITE_URL/ — demo users are listed in README.md."
"$BIN/python" manage.py runserver "$HOST:$PORT"
