"""The house's shape that import-linter cannot see: module sizes, imports hidden in functions.

import-linter (`make lint`, contracts in pyproject.toml) keeps the layers and forbids
circles; these keep every source module under 500 lines and every project import at
the top of its module unless a comment right above it says why it cannot be.
"""

import ast
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
PROJECT = {"wbapp", "documents", "reviews", "bench"}
MAX_LINES = 500


def source_modules() -> list[Path]:
    files = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name
        for name in files
        if not name.startswith("tests/") and "/migrations/" not in name and (ROOT / name).exists()
    ]


def test_no_source_module_is_over_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in source_modules()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }

    assert long == {}


def _is_project(node) -> bool:
    if isinstance(node, ast.ImportFrom):
        return bool(node.level) or (node.module or "").split(".")[0] in PROJECT
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] in PROJECT for alias in node.names)
    return False


def _imports_in_functions(tree: ast.Module):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from (node for node in ast.walk(function) if _is_project(node))


def test_a_project_import_inside_a_function_says_why_it_is_not_at_the_top():
    unexplained = []
    for path in source_modules():
        lines = path.read_text().splitlines()
        for node in _imports_in_functions(ast.parse("\n".join(lines), str(path))):
            above = lines[node.lineno - 2].strip() if node.lineno > 1 else ""
            if not above.startswith("#"):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.lineno}")

    assert unexplained == []
