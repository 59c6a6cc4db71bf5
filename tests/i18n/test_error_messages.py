"""Every refusal a person can read is translatable: a service, selector or door never raises its message as
a bare string literal, which no catalogue can translate."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("timebank", "members", "exchanges", "messaging")
# Errors for programmers and operators, never shown to a member.
INTERNAL = {
    "ValueError",
    "TypeError",
    "RuntimeError",
    "KeyError",
    "AssertionError",
    "NotImplementedError",
    "CommandError",
    "ImproperlyConfigured",
    "LookupError",
    "AttributeError",
    # A push or SMS provider's failure, kept in the outbox row for operators; never shown to a person.
    "_Later",
    "_Refused",
    "SmsError",
}


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _bare_text(node: ast.expr) -> bool:
    """A literal someone reads as it is: "…", f"…", "…" % x, "…".format(x)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return True
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _bare_text(node.left)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _bare_text(node.func.value)
    return False


def _texts(node: ast.expr) -> list[ast.expr]:
    """The texts in a refusal's first argument: itself, or a field's messages ({"field": ["…"]})."""
    if isinstance(node, ast.Dict):
        found = []
        for value in node.values:
            found.extend(value.elts if isinstance(value, (ast.List, ast.Tuple)) else [value])
        return found
    if isinstance(node, (ast.List, ast.Tuple)):
        return list(node.elts)
    return [node]


def _is_code(node: ast.expr, call: ast.Call) -> bool:
    """A machine-readable code first and the message second (FrameError("bad_json", _("…")))."""
    return (
        len(call.args) > 1
        and isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.replace("_", "").isalpha()
        and node.value.islower()
    )


def untranslated_refusals() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                    continue
                if _name(node.exc.func) in INTERNAL or not node.exc.args:
                    continue
                first = node.exc.args[0]
                if _is_code(first, node.exc):
                    continue
                if any(_bare_text(text) for text in _texts(first)):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_refusal_is_raised_with_an_untranslatable_message():
    assert untranslated_refusals() == []
