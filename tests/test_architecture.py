"""The rooms of loaders/ keep their rules (README, Layout).

lint-imports checks the contracts of pyproject's [tool.importlinter]: the
layers, the independence of the domains, what a domain may import, no import
of the CLI front and no cycle. The ast walk checks what import-linter cannot
say: no module imports an underscore name of another module.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """lint-imports with the project's contracts on the loaders package found in ``tree``."""
    if not LINT_IMPORTS.exists():
        pytest.fail(f"{LINT_IMPORTS} is missing: pip install -e '.[test]' (import-linter)")
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"),
                           "--no-cache", "--no-logo"], cwd=tree, env=env,
                          capture_output=True, text=True, timeout=120)


def test_import_contracts_are_kept():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_import_contracts_catch_an_upward_import(tmp_path):
    # The same contracts on a copy of loaders/ where core imports a room above it.
    shutil.copytree(ROOT / "loaders", tmp_path / "loaders",
                    ignore=shutil.ignore_patterns("__pycache__"))
    paths = tmp_path / "loaders" / "core" / "paths.py"
    paths.write_text(paths.read_text() + "\nimport loaders.runs.jobs  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Rooms are layered: a room imports only the rooms below it BROKEN" in result.stdout
    assert "loaders.core.paths -> loaders.runs.jobs" in result.stdout


def module_name(path: Path) -> tuple[str, bool]:
    """The dotted name of a file under ROOT, and whether it is a package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    if is_package:
        parts.pop()
    return ".".join(parts), is_package


def private_imports(source: str, importer: str, is_package: bool = False) -> list[str]:
    """Imports in ``source`` of an underscore name that belongs to another loaders module."""
    found = []
    package = importer if is_package else importer.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            targets = [(alias.name, None) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [(base, alias.name) for alias in node.names]
        else:
            continue
        for module, name in targets:
            if not (module == "loaders" or module.startswith("loaders.")):
                continue
            dotted = module.split(".") + ([name] if name else [])
            for i, part in enumerate(dotted):
                owner = ".".join(dotted[:i])
                private = part.startswith("_") and not part.startswith("__")
                # A private name is its owner's own; only the owner (or, for a
                # private module, the package holding it) may import it.
                if private and importer != owner and not importer.startswith(owner + "."):
                    found.append(f"{importer}:{node.lineno} imports {'.'.join(dotted[:i + 1])}")
    return found


def python_files() -> list[Path]:
    files = [ROOT / "cli.py", *sorted((ROOT / "loaders").rglob("*.py"))]
    files += sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "benchmarks").glob("*.py"))
    return [f for f in files if "__pycache__" not in f.parts]


def test_no_module_imports_another_modules_private_names():
    found = []
    for path in python_files():
        name, is_package = module_name(path)
        found += private_imports(path.read_text(encoding="utf-8"), name, is_package)
    assert found == []


@pytest.mark.parametrize("source, importer, expected", [
    ("from loaders.credentialing.exports import _safe, ELIGIBILITY_HEADER",
     "loaders.requests.exports", ["loaders.requests.exports:1 imports "
                                  "loaders.credentialing.exports._safe"]),
    ("import loaders.landing._readers", "loaders.custody.pipeline",
     ["loaders.custody.pipeline:1 imports loaders.landing._readers"]),
    ("from ..outbound.recorded import _upload", "loaders.requests.exports",
     ["loaders.requests.exports:1 imports loaders.outbound.recorded._upload"]),
    ("from loaders.outbound.recorded import recorded_export, Written",
     "loaders.requests.exports", []),
    ("from loaders.landing._readers import lines", "loaders.landing.landing", []),
    ("from __future__ import annotations\nfrom os import _exit", "loaders.core.db", []),
])
def test_the_private_import_check_sees_them(source, importer, expected):
    assert private_imports(source, importer) == expected
