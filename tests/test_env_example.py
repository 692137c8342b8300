"""`.env.example` lists every variable outreach/settings.py reads, and the defaults it states are the real ones.

The variables are found by reading settings.py: every call of an `env_*` helper whose first
argument is a literal name. A setting added with its `.env.example` line needs no change here.
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINE = re.compile(r"^([A-Z][A-Z0-9_]*)=(.*)$")
DEFAULT = re.compile(r"^# default:(.*)$")


def _settings_reads() -> dict[str, object]:
    """Each variable read with a literal name, and its default when it is a plain value (else ...)."""
    tree = ast.parse((ROOT / "outreach" / "settings.py").read_text())
    reads = {}
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id.startswith("env_")):
            continue
        if not (node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            continue
        default = ...
        if len(node.args) > 1:
            try:  # literals and arithmetic such as 2 * 3600; a default computed from other settings is not checked
                default = eval(compile(ast.Expression(node.args[1]), "settings.py", "eval"), {"__builtins__": {}})
            except NameError:
                pass
        reads.setdefault(node.args[0].value, default)
    return reads


def _example() -> dict[str, tuple[str, str | None]]:
    """Each variable in .env.example: its value, and the default stated just above it (`# default: X`,
    `# default: (empty)`)."""
    lines = (ROOT / ".env.example").read_text().splitlines()
    variables = {}
    for number, line in enumerate(lines):
        if match := LINE.match(line):
            stated = DEFAULT.match(lines[number - 1]) if number else None
            if stated:
                stated = "" if stated[1].strip() == "(empty)" else stated[1].strip()
            variables[match[1]] = (match[2], stated)
    return variables


def _as_env(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    return str(value)


def test_every_variable_read_is_listed_and_nothing_else():
    read, listed = set(_settings_reads()), set(_example())
    assert read - listed == set(), "read by settings.py but missing from .env.example"
    assert listed - read == set(), "in .env.example but never read by settings.py"


def test_stated_defaults_are_the_real_ones():
    example = _example()
    wrong = {}
    for name, default in _settings_reads().items():
        if default is ... or default is None or name not in example:
            continue
        value, stated = example[name]
        # The value shown is the default unless a `# default: X` line above says otherwise.
        shown = stated if stated is not None else value
        if shown != _as_env(default):
            wrong[name] = (shown, _as_env(default))
    assert wrong == {}, "name: (what .env.example says, the real default)"


def test_no_other_default_is_stated_in_prose():
    # Defaults belong on `# default: X` lines, which the test above checks; prose ones go stale.
    prose = [line for line in (ROOT / ".env.example").read_text().splitlines() if re.search(r"\(default\b", line)]
    assert prose == []
