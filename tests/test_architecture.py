"""The dependency rules of docs/architecture.md, checked over every module's imports.

Each app sits in a layer; an app may import from its own layer's lower members and from the
layers below, never from above. On top of that: no cycle between apps, no app imports another
app's views, and an app reads another domain app's models only through that app's selectors
(the registry's entities, users, branches and retirees, may be imported by any higher layer),
and never another app's URLs, admin or template tags.
Imports inside functions count too: a late import hides a dependency, it does not remove it.
"""

import ast
import itertools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Lowest first. Within a layer, an app may import only the apps listed before it.
LAYERS = [
    ["core"],
    ["audit", "accounts"],
    ["retirees", "branches"],
    ["ledgers", "checkins", "notices", "volunteers", "visits", "meetings", "assistance", "care", "selfservice"],
    ["reports", "reminders"],
    ["demo", "perf"],
    ["outreach"],
]
RANK = {app: (layer, position) for layer, apps in enumerate(LAYERS) for position, app in enumerate(apps)}
# Apps whose models every higher layer may import (the registry's entities).
SHARED_MODELS = {"accounts", "audit", "branches", "retirees"}
# Modules of another app that no app may import: its pages and their wiring, and (for a domain app)
# its models, which others read through its selectors.
PRIVATE_MODULES = {"views", "urls", "admin", "templatetags", "tests", "migrations", "models"}


def _apps(root: Path) -> list[str]:
    return [app for app in RANK if (root / app / "__init__.py").exists()]


def _imports(root: Path, app: str):
    """(file, imported module) for every import in the app's own code (tests and migrations aside)."""
    for path in sorted((root / app).rglob("*.py")):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            for module in modules:
                yield str(path.relative_to(root)), module


def _edges(root: Path = ROOT):
    apps = set(_apps(root))
    for app in sorted(apps):
        for where, module in _imports(root, app):
            parts = module.split(".")
            if parts[0] in apps and parts[0] != app:
                yield app, parts[0], parts[1] if len(parts) > 1 else "", where, module


def test_every_app_has_a_layer():
    on_disk = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"outreach"}
    assert on_disk <= set(RANK), f"add to LAYERS in this test and to docs/architecture.md: {on_disk - set(RANK)}"


def test_core_imports_no_app():
    wrong = sorted({(where, module) for app, target, _, where, module in _edges() if app == "core"})
    assert not wrong


def test_no_app_imports_from_a_layer_above_or_a_later_peer():
    wrong = sorted({(where, module) for app, target, _, where, module in _edges() if RANK[target] > RANK[app]})
    assert not wrong


def test_no_cycle_between_apps():
    graph = {}
    for app, target, *_ in _edges():
        graph.setdefault(app, set()).add(target)
    for a, b in itertools.combinations(sorted(graph), 2):
        assert not (b in graph.get(a, ()) and a in graph.get(b, ())), f"{a} <-> {b}"


def test_no_app_imports_another_apps_views():
    wrong = sorted(
        {(where, module) for app, target, sub, where, module in _edges() if sub == "views" and app != "outreach"}
    )
    assert not wrong


def test_domain_models_are_read_through_their_selectors():
    wrong = sorted(
        {
            (where, module)
            for app, target, sub, where, module in _edges()
            if app not in ("demo", "perf", "outreach")
            and target not in SHARED_MODELS
            and target != "core"
            and sub in PRIVATE_MODULES
        }
    )
    assert not wrong


@pytest.mark.parametrize("statement", ["from retirees import views", "import retirees.models", "from x import y"])
def test_the_checker_sees_an_import_inside_a_function(statement, tmp_path):
    """The checker itself, on a small tree: a late import in core is still an edge to the app."""
    for app in ("core", "retirees"):
        (tmp_path / app).mkdir()
        (tmp_path / app / "__init__.py").write_text("")
    (tmp_path / "core" / "probe.py").write_text(f"def late():\n    {statement}\n")
    edges = [(app, target) for app, target, *_ in _edges(tmp_path)]
    assert edges == ([] if statement.startswith("from x") else [("core", "retirees")])
