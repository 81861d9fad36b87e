"""The house plan (docs/architecture.md), checked on the source: which app may import which, and
no import hidden in a function body to dodge a cycle."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each app may import the apps below it, never one above: accounts at the bottom, then ops (job
# queue, shared cache, e-mail backend) and the public apps registry and knowledge, then
# casestudies (the tenant app) on top. config wires them all.
FLOORS = {"accounts": 0, "ops": 1, "registry": 1, "knowledge": 2, "casestudies": 3}
APPS = list(FLOORS)
# Imports inside a function body are allowed for these reasons only (module: why).
LAZY_ALLOWED = {
    # The settings start the embedded PostgreSQL only when DATABASE_URL is unset.
    "config/settings.py": "config",
    # pgserver is imported only when the embedded server is started.
    "config/embedded_db.py": "pgserver",
}


def _sources(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def _imported_apps(node: ast.AST) -> set[str]:
    names = set()
    if isinstance(node, ast.Import):
        names = {alias.name.split(".")[0] for alias in node.names}
    elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = {node.module.split(".")[0]}
    return names & set(APPS)


def _all_imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


@pytest.mark.parametrize("app", APPS)
def test_an_app_imports_only_the_apps_below_it(app):
    wrong = []
    for path in _sources(app):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in _all_imports(tree):
            for other in _imported_apps(node):
                if FLOORS[other] > FLOORS[app]:
                    wrong.append(f"{path.relative_to(ROOT)}:{node.lineno} imports {other}")
    assert wrong == []


def test_public_apps_never_import_the_tenant_app():
    for app in ("accounts", "registry", "knowledge"):
        for path in _sources(app):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            assert not any("casestudies" in _imported_apps(node) for node in _all_imports(tree)), (
                path
            )


def _lazy_imports(path: Path) -> list[int]:
    """Line numbers of the imports inside a function body."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.lineno
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


def test_no_import_inside_a_function_body():
    found = []
    for folder in [*APPS, "config"]:
        for path in _sources(folder):
            relative = str(path.relative_to(ROOT))
            if relative in LAZY_ALLOWED:
                continue
            found += [f"{relative}:{line}" for line in _lazy_imports(path)]
    assert found == []


def test_the_checks_see_a_violation(tmp_path):
    """The checks above would fail on an upward or a hidden import (they are not vacuous)."""
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    from casestudies import services\n", encoding="utf-8")
    tree = ast.parse(sample.read_text(encoding="utf-8"))
    assert [_imported_apps(node) for node in _all_imports(tree)] == [{"casestudies"}]
    assert _lazy_imports(sample) == [2]


def test_drf_settings_can_be_read_first_in_a_fresh_process():
    """The system checks run in no fixed order: reading DRF's pagination setting before anything
    imported DRF's views once made config.api wait for itself (an import cycle)."""
    code = (
        "import django; django.setup()\n"
        "from rest_framework.settings import api_settings\n"
        "api_settings.DEFAULT_PAGINATION_CLASS; api_settings.DEFAULT_PARSER_CLASSES\n"
        "api_settings.EXCEPTION_HANDLER\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.test_settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-2000:]
