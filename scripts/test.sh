#!/usr/bin/env bash
# The test suite, in parallel: pytest-xdist with PYTEST_WORKERS processes (default 2; 0 runs
# serially), each with its own test database (outreach_gw0, …) and Celery queue (conftest.py).
# Browser tests share one worker, one after another. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.venv/bin}
WORKERS=${PYTEST_WORKERS:-2}
echo "Running the test suite on $WORKERS worker(s) against PostgreSQL 127.0.0.1:5432 and Redis 127.0.0.1:6379"
echo "(15 minutes or more on 2 cores; pytest prints how many tests it collected, then [done/total] per line)."
start=$SECONDS
status=0
# -v undoes pytest.ini's -q once: the header with the item count, dots with a running count.
"$BIN/python" -m pytest -v -n "$WORKERS" --dist loadgroup -o console_output_style=count "$@" || status=$?
echo "Test suite finished in $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s."
exit "$status"
