"""Fuzz every form and every query parameter of every URL, as each persona: no server error.

Nothing here names a form or a field. The walk GETs every URL of the URL configuration (objects
filled as tests/test_url_scoping.py fills them), reads the <form>s and links of each page with
the standard library's HTML parser, and then sends nasty values:
- to every query parameter any page's links or GET forms use (plus `next` and `page`), on every URL;
- to every field of every POST form: an empty body, all fields at once, every field its type's
  nasty values at once, and field by field (the others keeping the page's own values, so that the
  form's clean() and the service run too; a big form's fields take turns in groups), and with the
  hidden fields (the ids) missing.
A new form, field or filter is fuzzed without editing this test. Deterministic: fixed values, no
randomness.
"""

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import resolve, reverse

from tests.test_url_scoping import (
    ALL_URLS,
    PUBLIC,
    _personal,
    a_objects,  # noqa: F401 (the fixture, used by name)
    url_for,
)

# Values a careless or hostile user may send in place of any text, number, id or date. The first
# packs a 10,000-character string, a NUL byte and an emoji into one value. Datetimes at the edges,
# "²" and missing values come in the typed rounds below.
NASTY = [
    "👵🏻\x00" + "x" * 10_000,
    "abc",
    "-1",
    str(10**30),
    "0001-01-01",
    "9999-12-31",
]
# The query string gets fewer: a view that reads a parameter parses it as text, a number or a date.
GET_NASTY = [NASTY[0], "abc", str(10**30), "0001-01-01", "9999-12-31"]
# Return paths that leave the site, for every `next` (tests/test_request_input.py checks where they go).
NEXT_NASTY = ["abc", "//evil.example", "https://evil.example/"]
# A field alone gets values that matter for its type: the n-th field of a type the n-th value,
# and in the typed rounds every field its type's k-th value at once.
BY_TYPE = {
    "date": ["0001-01-01", "9999-12-31", "abc", "2026-02-30"],
    "datetime-local": ["0001-01-01T00:00", "9999-12-31T23:59", "0001-01-01", "abc"],
    "time": ["24:00", "abc", "-1", "23:59:60"],
    "number": ["abc", "-1", str(10**30), "1.5"],
    "hidden": ["abc", "-1", str(10**30), "a\x00b"],
    "select": ["abc", "-1", str(10**30), "²"],
    "text": ["x" * 10_000, "a\x00b", "👵🏻🚑", " "],
}
# Query parameters read by views that no page links to with a value.
QUERY_NAMES = {"next", "page", "week", "export", "q", "branch", "campaign", "days", "reached", "outcome"}
# Not fuzzed: signing out ends the walk's session, switching language changes every later page.
SKIP = {"logout", "set_language"}
# Every persona walks every URL and posts to every form it is shown. How hard each is fuzzed is
# bounded by time (a big form renders in a third of a second here): office staff, who see every
# form, and the anonymous visitor (sent to the login page) get every round; a branch secretary
# (the other scope) two query values, the empty body and the typed rounds; the committee member
# and the admin (the same scopes again) one query value, the empty body and one typed round.
FIELD_ROUNDS = 12
PERSONAS = {
    "office": {"get": len(GET_NASTY), "typed": 4, "all_at_once": True, "field_by_field": True},
    "secretary_a": {"get": 2, "typed": 4, "all_at_once": False, "field_by_field": False},
    "committee_a": {"get": 1, "typed": 1, "all_at_once": False, "field_by_field": False},
    "admin_user": {"get": 1, "typed": 1, "all_at_once": False, "field_by_field": False},
    "anonymous": {"get": len(GET_NASTY), "typed": 4, "all_at_once": True, "field_by_field": True},
}


class PageForms(HTMLParser):
    """The forms of a page (method, action, fields with their values and types) and the query
    parameter names of its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.query_names = set()
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            self._select["options"].append(value)
            if "selected" in attrs or not self._select["value"]:
                self._select["value"] = value
        elif tag == "a" and "?" in (attrs.get("href") or ""):
            self.query_names |= {name for name, _value in parse_qsl(urlsplit(attrs["href"]).query)}
        elif tag == "form":
            self._form = {"method": (attrs.get("method") or "get").lower(), "action": attrs.get("action"), "fields": {}}
            self.forms.append(self._form)
        elif self._form is None or not attrs.get("name"):
            return
        elif tag in ("input", "button"):
            kind = (attrs.get("type") or ("submit" if tag == "button" else "text")).lower()
            if kind == "file":
                return  # uploads have their own checker and tests
            field = self._field(attrs["name"], "text" if kind in ("email", "tel", "search", "url") else kind)
            value = attrs.get("value") or ""
            if kind in ("checkbox", "radio", "submit"):
                field["options"].append(value or "on")
                if "checked" in attrs or kind == "submit" and len(field["options"]) == 1:
                    field["value"] = field["value"] or value or "on"
            else:
                field["value"] = value
        elif tag == "select":
            self._select = self._field(attrs["name"], "select")
        elif tag == "textarea":
            self._textarea = self._field(attrs["name"], "text")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea["value"] += data

    def _field(self, name, kind):
        return self._form["fields"].setdefault(name, {"type": kind, "value": "", "options": []})


def parse(html: str) -> PageForms:
    parser = PageForms()
    parser.feed(html)
    return parser


def baseline(fields) -> dict:
    """The values a user who only filled the required boxes would send: the page's own values,
    with a plausible value in empty typed boxes."""
    today = datetime.date.today()
    defaults = {
        "date": today.isoformat(),
        "datetime-local": f"{today.isoformat()}T09:00",
        "number": "1",
        "time": "09:00",
    }
    data = {}
    for name, field in fields.items():
        value = field["value"] or defaults.get(field["type"]) or (field["options"] or [""])[0]
        if field["type"] == "text" and not value:
            value = "测试"
        data[name] = value
    return data


def _typed(field, k: int) -> str:
    values = BY_TYPE.get(field["type"], BY_TYPE["text"])
    return values[k % len(values)]


class Walk:
    def __init__(self, client: Client):
        self.client = client
        self.failures = []
        self.requests = 0

    def send(self, method, url, data=None):
        self.requests += 1
        try:
            response = getattr(self.client, method)(url, data or {})
        except Exception as error:  # every uncaught exception is a server error
            self.failures.append((method.upper(), url, _short(data), f"{type(error).__name__}: {error}"[:300]))
            return None
        if response.status_code >= 500:
            self.failures.append((method.upper(), url, _short(data), response.status_code))
        return response


def _short(data):
    return {
        key: (value[:40] + "…" if isinstance(value, str) and len(value) > 40 else value)
        for key, value in (data or {}).items()
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_input_makes_a_server_error(request, persona, committee_a, office, admin_user):
    branch_objects = request.getfixturevalue("a_objects")  # branch A's, as test_url_scoping fills them
    client = Client(raise_request_exception=True)
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    if user is not None:
        client.force_login(user)
        objects = {**branch_objects, **_personal(user, branch_objects["retiree"])}  # their own notification
    else:
        objects = branch_objects
    walk = Walk(client)
    depth = PERSONAS[persona]

    # First pass: every page as it comes, to learn its forms and the query names of its links.
    urls, forms, query_names = [], {}, set(QUERY_NAMES)
    for name, pattern in ALL_URLS:
        if name in SKIP or (user is not None and name in PUBLIC):
            continue
        url = url_for(name, pattern, objects)
        urls.append(url)
        response = walk.send("get", url)
        if response is None or response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = parse(response.content.decode())
        query_names |= page.query_names
        for form in page.forms:
            action = urlsplit(form["action"] or url).path or url
            if form["method"] == "get":
                query_names |= set(form["fields"])
            elif action not in (reverse("logout"), reverse("set_language")):
                # One form per view and set of fields: the same form for two objects is fuzzed once.
                forms.setdefault((resolve(action).view_name, tuple(sorted(form["fields"]))), (action, form["fields"]))
    assert urls and (user is None or forms), "the walk found nothing to fuzz"

    # Every query parameter, every URL: each request gives all of them the same nasty value.
    for url in urls:
        for value in GET_NASTY[: depth["get"]]:
            walk.send("get", url, {name: value for name in query_names})

    # Every POST form, in the rounds the module docstring lists.
    for action, fields in forms.values():
        good = baseline(fields)
        walk.send("post", action, {})
        for value in NASTY if depth["all_at_once"] else ():
            walk.send("post", action, {name: value for name in fields})
        for k in range(depth["typed"]):
            walk.send("post", action, {name: _typed(field, k) for name, field in fields.items()})
        if depth["field_by_field"]:
            # At most FIELD_ROUNDS requests a form: a big form's fields take turns in groups.
            seen, groups = {}, [{} for _ in range(min(FIELD_ROUNDS, len(fields)))]
            for i, (name, field) in enumerate(fields.items()):
                nth = seen[field["type"]] = seen.get(field["type"], -1) + 1
                groups[i % len(groups)][name] = _typed(field, nth)
            for group in groups:
                walk.send("post", action, {**good, **group})
            walk.send("post", action, {key: value for key, value in good.items() if fields[key]["type"] != "hidden"})
            for target in NEXT_NASTY if "next" in fields else ():
                walk.send("post", action, {**good, "next": target})
        if user is not None and not client.session.get("_auth_user_id"):
            client.force_login(user)  # a form that signs out (a password change) must not end the walk

    assert walk.failures == [], f"{len(walk.failures)} server errors in {walk.requests} requests: {walk.failures[:20]}"
