import http.server
import json
import threading

import pytest

from accounts.models import User
from tests.factories import at, make_retiree, make_user

MONDAY_0900 = at(2026, 11, 30, 9, 0)


@pytest.fixture
def reminded_branch(branch_a, secretary_a, committee_a):
    """Branch A (Monday and Thursday 08:30) with two workers who have email and an overdue retiree."""
    secretary_a.email = "sec_a@example.org"
    secretary_a.save()
    committee_a.email = "com_a@example.org"
    committee_a.save()
    make_retiree(branch_a, "王从未", phone="13500001111")  # never reached: overdue
    return branch_a


@pytest.fixture
def office_with_email(db):
    user = make_user("office_mail", role=User.Role.OFFICE)
    return user


class _Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        server = self.server
        body = self.rfile.read(int(self.headers["Content-Length"]))
        server.received.append(json.loads(body))
        status = server.statuses.pop(0) if server.statuses else 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode": 0, "errmsg": "ok"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def webhook_server(monkeypatch):
    """A group-chat robot on 127.0.0.1: records every JSON POST; `statuses` scripts its answers.

    The worker refuses plain http and loopback addresses (branches.webhooks): tests that post here
    lift that one check; tests/test_webhooks.py keeps it."""
    from branches import webhooks

    monkeypatch.setattr(webhooks, "check_destination", lambda url: None)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    server.received = []
    server.statuses = []
    server.url = f"http://127.0.0.1:{server.server_address[1]}/cgi-bin/webhook/send?key=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
