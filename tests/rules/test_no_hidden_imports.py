"""Imports only point down the layers, at the top of a module: no import tucked inside a function to
dodge a cycle (a rule that needs one lives a layer too high; move the rule down)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OURS = ("members", "exchanges", "messaging", "timebank")


def test_no_function_imports_one_of_our_modules():
    hidden = []
    for app in OURS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    continue
                for inner in ast.walk(node):
                    names = []
                    if isinstance(inner, ast.ImportFrom) and inner.module and inner.level == 0:
                        names = [inner.module]
                    elif isinstance(inner, ast.Import):
                        names = [alias.name for alias in inner.names]
                    if any(name.split(".")[0] in OURS for name in names):
                        hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert sorted(set(hidden)) == []
