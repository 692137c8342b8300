"""A branch's group-chat webhook cannot be turned against the server (SSRF): https to allowed hosts
when saved; public addresses only and no redirects when the worker posts."""

import datetime
import http.server
import threading

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from branches import webhooks
from branches.forms import BranchReminderForm
from reminders import services
from reminders.models import Delivery


def _form(branch, url):
    return BranchReminderForm({"weekdays": ["1"], "reminder_time": "08:30", "webhook_url": url}, instance=branch)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/flushall",  # plain http, internal service
        "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x",  # right host, not https
        "https://127.0.0.1/cgi-bin/webhook/send",  # not an allowed host
        "https://qyapi.weixin.qq.com.evil.example/cgi-bin/webhook/send",
        "gopher://127.0.0.1:6379/_FLUSHALL",
    ],
)
def test_form_refuses_addresses_other_than_https_to_allowed_hosts_in_chinese(branch_a, url):
    with translation.override("zh-hans"):
        form = _form(branch_a, url)
        assert not form.is_valid()
        message = " ".join(form.errors["webhook_url"])
    assert "https://" in message or "qyapi.weixin.qq.com" in message
    assert any("\u4e00" <= char <= "\u9fff" for char in message)  # said in Chinese


def test_model_validator_refuses_too(branch_a):
    branch_a.webhook_url = "http://127.0.0.1:6379/"
    with pytest.raises(ValidationError):
        branch_a.full_clean()


def test_form_accepts_an_allowed_https_host(branch_a, settings):
    settings.OUTREACH_WEBHOOK_HOSTS = ["localhost"]  # resolvable here, unlike WeCom's host offline
    assert _form(branch_a, "https://localhost/cgi-bin/webhook/send?key=x").is_valid()


def test_send_refuses_an_allowed_host_that_resolves_to_loopback(branch_a, settings):
    settings.OUTREACH_WEBHOOK_HOSTS = ["qyapi.weixin.qq.com", "localhost"]
    branch_a.webhook_url = "https://localhost:6379/cgi-bin/webhook/send?key=x"
    branch_a.save()
    now = datetime.datetime(2026, 11, 30, 1, 0, tzinfo=datetime.UTC)  # Monday 09:00 Shanghai
    services.reminder_tick(now=now)
    delivery = Delivery.objects.get(channel="webhook")
    assert services.delivery_send(delivery_id=delivery.pk, now=now) == "failed"
    delivery.refresh_from_db()
    # Refused before any connection, for good: not retried.
    assert delivery.status == "failed" and "non-public address 127.0.0.1" in delivery.last_error


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "::1"])
def test_non_public_addresses_are_refused(monkeypatch, address):
    family = webhooks.socket.AF_INET6 if ":" in address else webhooks.socket.AF_INET
    monkeypatch.setattr(webhooks.socket, "getaddrinfo", lambda *a, **k: [(family, 1, 6, "", (address, 443))])
    with pytest.raises(webhooks.WebhookRefused):
        webhooks.check_public_address("qyapi.weixin.qq.com", 443)


def test_a_public_address_passes(monkeypatch):
    monkeypatch.setattr(
        webhooks.socket, "getaddrinfo", lambda *a, **k: [(webhooks.socket.AF_INET, 1, 6, "", ("101.91.40.1", 443))]
    )
    webhooks.check_public_address("qyapi.weixin.qq.com", 443)


class _Redirect(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.server.hits.append(self.path)
        if self.path.startswith("/hook"):
            self.send_response(302)
            self.send_header("Location", "/internal")
            self.end_headers()
        else:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b'{"errcode": 0}')

    do_GET = do_POST  # urllib turns a POST redirected by 302 into a GET

    def log_message(self, *args):
        pass


@pytest.fixture
def redirecting_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Redirect)
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def test_a_redirect_is_never_followed(redirecting_server):
    url = f"http://127.0.0.1:{redirecting_server.server_address[1]}/hook"
    # This test alone lifts the address check, to reach its own server on 127.0.0.1.
    with pytest.raises(webhooks.urllib.error.HTTPError, match="redirect"):
        webhooks.post_json(url, {"msgtype": "markdown"}, timeout=2, check=lambda url: None)
    assert redirecting_server.hits == ["/hook"]  # /internal was never asked for
