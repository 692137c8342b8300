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


# What a fresh clone's shell has: none of the variables the test run sets (pytest.ini) or a server would.
_SET_BY_THE_RUN = ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT")


def _run(env, command=("manage.py", "check")):
    clean = {k: v for k, v in os.environ.items() if k not in _SET_BY_THE_RUN}
    return subprocess.run(
        [sys.executable, *command], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=120
    )


def _check(env):
    return _run(env)


def test_production_refuses_to_start_without_a_secret():
    result = _check({"DEBUG": "false"})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


def test_a_fresh_clone_gets_development_defaults(tmp_path):
    # Nothing set at all: what `manage.py createsuperuser` meets right after `git clone`.
    result = _run(
        {"OUTREACH_VAR_DIR": str(tmp_path)},
        ("manage.py", "shell", "-c", "from django.conf import settings; print(settings.DEBUG)"),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def test_a_production_variable_without_debug_means_production(tmp_path):
    result = _check({"ALLOWED_HOSTS": "outreach.example.edu.cn", "OUTREACH_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    "env, message",
    [
        ({"DEBUG": "false"}, "SECRET_KEY must be set"),
        ({"DEBUG": "false", "SECRET_KEY": "short"}, "SECRET_KEY is too weak"),
        ({"DEBUG": "ture"}, "DEBUG must be true or false, not 'ture'"),
        ({"DEBUG": "true", "OUTREACH_PAGE_SIZE": "many"}, "OUTREACH_PAGE_SIZE must be a whole number"),
    ],
)
@pytest.mark.parametrize(
    "entry", [("manage.py", "check"), ("-c", "import outreach.wsgi"), ("-c", "import outreach.asgi")]
)
def test_a_configuration_error_is_one_line_not_a_traceback(tmp_path, env, message, entry):
    result = _run({**env, "OUTREACH_VAR_DIR": str(tmp_path)}, entry)
    assert result.returncode == 2
    assert result.stderr.startswith(f"Configuration error: {message}")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_production_refuses_a_weak_secret():
    result = _check({"DEBUG": "false", "SECRET_KEY": "short"})
    assert result.returncode != 0 and "too weak" in result.stderr


def test_development_starts_with_defaults(tmp_path):
    result = _check({"DEBUG": "true", "OUTREACH_VAR_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
