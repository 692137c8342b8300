#!/usr/bin/env bash
# Make sure what the test suite needs is here and running: PostgreSQL, Redis, Chromium, and
# LibreOffice with poppler-utils and a CJK font (the print test converts an export to PDF).
# Starts a stopped service with the machine's own commands; installs a missing one from the
# system's packages where we are root (a fresh CI machine must pass with nothing done by hand).
set -euo pipefail

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }
apt_updated=
apt_install() {
    command -v apt-get >/dev/null || { echo "cannot install $*: no apt-get" >&2; return 1; }
    [ -n "$apt_updated" ] || { as_root apt-get update -qq; apt_updated=1; }
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}
wait_for() { # command, description
    for _ in $(seq 1 30); do if eval "$1" >/dev/null 2>&1; then return 0; fi; sleep 1; done
    echo "$2 did not come up" >&2; return 1
}

# PostgreSQL on 127.0.0.1:5432
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    command -v pg_ctlcluster >/dev/null || apt_install postgresql
    if [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then apt_install postgresql; fi
    version=$(ls /etc/postgresql | sort -V | tail -n 1)
    # A fresh Debian install asks for passwords on 127.0.0.1; the test machine trusts loopback.
    hba=/etc/postgresql/$version/main/pg_hba.conf
    if [ -f "$hba" ] && ! grep -q "^host all all 127.0.0.1/32 trust" "$hba"; then
        as_root sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
    fi
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    wait_for "pg_isready -q -h 127.0.0.1 -p 5432" "PostgreSQL"
fi
echo "PostgreSQL is up."

# Redis on 127.0.0.1:6379
if ! (command -v redis-cli >/dev/null && redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG); then
    command -v redis-server >/dev/null || apt_install redis-server
    mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
        --dir /var/lib/redis --logfile /var/log/redis/ci.log
    wait_for "redis-cli -h 127.0.0.1 -p 6379 ping | grep -q PONG" "Redis"
fi
echo "Redis is up."

# Chromium for the browser tests (Playwright drives Debian's build; its own download fails here).
if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium || echo "Chromium could not be installed: browser tests will fail." >&2
fi
echo "Chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"

# LibreOffice (headless Calc, no GUI) for the print test: it converts a ledger export to PDF,
# which poppler-utils' pdfinfo / pdftotext read; Chinese needs a CJK font to be laid out as the
# office's suite would. The test skips, saying why, where these cannot be installed.
if ! command -v soffice >/dev/null; then
    apt_install --no-install-recommends libreoffice-calc-nogui || echo "LibreOffice could not be installed: the print test will skip." >&2
fi
if ! command -v pdftotext >/dev/null; then
    apt_install poppler-utils || echo "poppler-utils could not be installed: the print test will skip." >&2
fi
if ! ls /usr/share/fonts/opentype/noto/NotoSansCJK-* >/dev/null 2>&1; then
    apt_install fonts-noto-cjk || echo "fonts-noto-cjk could not be installed: Chinese prints as boxes." >&2
fi
echo "LibreOffice: $(soffice --version 2>/dev/null | head -n 1 || echo missing)"
