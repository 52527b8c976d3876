"""The ledger depends on findings, never the reverse: no module of ``xuncha.findings``
imports ``xuncha.rectifications`` (at module level or inside a function), so each
imports on its own and the dependency runs one way (issue 16: the cycle is broken)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import xuncha

SRC = Path(xuncha.__file__).parent


def imported_modules(path: Path, package: str) -> set[str]:
    """Every module a file imports, relative imports resolved against ``package``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
    return found


def app_imports(app: str) -> dict[str, set[str]]:
    out = {}
    for path in (SRC / app).rglob("*.py"):
        if "migrations" in path.parts:
            continue  # Django's migration graph, not an import
        out[str(path.relative_to(SRC))] = imported_modules(path, f"xuncha.{app}")
    return out


# Known exceptions (module → ledger modules it imports), kept exact: none today.
PENDING: dict[str, list[str]] = {}


def test_findings_never_imports_the_ledger() -> None:
    offenders = {
        path: sorted(m for m in mods if m.startswith("xuncha.rectifications"))
        for path, mods in app_imports("findings").items()
    }
    assert {p: m for p, m in offenders.items() if m} == PENDING


def test_the_ledger_does_import_findings() -> None:
    """The check above reads real imports: the other direction is found (so an empty
    result is not a parser that finds nothing)."""
    found = {m for mods in app_imports("rectifications").values() for m in mods}
    assert "xuncha.findings.models" in found and "xuncha.findings.selectors" in found


@pytest.mark.parametrize("first", ["findings", "rectifications"])
def test_each_app_imports_without_the_other_first(first) -> None:
    """In a fresh interpreter, after Django has set up (models load), each app's
    non-model modules import first without the other's having been imported."""
    other = "rectifications" if first == "findings" else "findings"
    code = (
        "import os, sys, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'xuncha.config.settings.test')\n"
        "django.setup()\n"
        f"before = {{m for m in sys.modules if m.startswith('xuncha.{other}.') and not m.endswith('models')}}\n"
        f"import xuncha.{first}.views, xuncha.{first}.forms, xuncha.{first}.services, xuncha.{first}.selectors\n"
        f"after = {{m for m in sys.modules if m.startswith('xuncha.{other}.') and not m.endswith(('models', 'choices'))}}\n"
        "print(sorted(after - before))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    pulled = out.stdout.strip()
    if first == "findings":
        assert pulled == "[]", f"importing findings pulled in {pulled}"
    else:
        assert "xuncha.findings.selectors" in pulled  # the ledger reads findings, as it may


# Modules of ``xuncha.common`` that may import the cross-check app (module → its modules),
# kept exact: the role home pages count each app's to-do items. List machinery (filters,
# pagination, widgets) is not among them: the suspects' previous/next lives in
# ``xuncha.checks.selectors``.
COMMON_USES_CHECKS = {"common/home.py": ["xuncha.checks.models"]}


def test_common_does_not_import_checks() -> None:
    found = {
        path: sorted(m for m in mods if m == "xuncha.checks" or m.startswith("xuncha.checks."))
        for path, mods in app_imports("common").items()
    }
    assert {p: m for p, m in found.items() if m} == COMMON_USES_CHECKS
