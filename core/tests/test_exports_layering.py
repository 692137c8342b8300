"""The export engine is shared: it imports no app, and the registry exports without ledgers."""

import ast
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.add(node.module)
    return modules


def test_the_export_engine_imports_no_app():
    project_apps = {config.name for config in apps.get_app_configs() if (ROOT / config.name).is_dir()} - {"core"}
    for path in (ROOT / "core" / "exports").glob("*.py"):
        tops = {module.split(".")[0] for module in imported_modules(path)}
        assert not tops & project_apps, path.name


def test_retirees_imports_nothing_from_ledgers_or_demo():
    for path in (ROOT / "retirees").rglob("*.py"):
        tops = {module.split(".")[0] for module in imported_modules(path)}
        assert not tops & {"ledgers", "demo"}, path.relative_to(ROOT)
