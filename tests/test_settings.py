import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from outreach.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent


def test_boolean_must_be_true_or_false(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "ture")
    with pytest.raises(ImproperlyConfigured):
        env_bool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_FLAG", "Yes")
    assert env_bool("SOME_FLAG", False) is True


def test_integer_and_list(monkeypatch):
    monkeypatch.setenv("SOME_INT", "12x")
    with pytest.raises(ImproperlyConfigured):
        env_int("SOME_INT", 1)
    monkeypatch.setenv("SOME_LIST", "a.example, b.example,")
    assert env_list("SOME_LIST", []) == ["a.example", "b.example"]


def _check(env):
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_a_secret():
    result = _check({"DEBUG": "false"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_weak_secret():
    result = _check({"DEBUG": "false", "SECRET_KEY": "short"})
    assert result.returncode != 0 and "too weak" in result.stderr


def test_development_starts_with_defaults(tmp_path):
    result = _check({"DEBUG": "true", "OUTREACH_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
