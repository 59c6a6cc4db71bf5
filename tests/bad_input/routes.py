"""Every URL the resolver knows, with its parameters filled in, so a sweep covers new routes too."""

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

CONVERTER = re.compile(r"<(?:(?P<kind>\w+):)?(?P<name>\w+)>")


def _fill(route: str, values: dict[str, str]) -> str:
    def value(match):
        kind, name = match.group("kind") or "str", match.group("name")
        if name in values:
            return values[name]
        return {"int": "1", "tb_id": "1", "slug": values.get("slug", "x")}.get(kind, "x")

    return CONVERTER.sub(value, route)


def _walk(patterns, prefix: str, values: dict[str, str]):
    for pattern in patterns:
        if isinstance(pattern.pattern, RoutePattern):
            part = _fill(str(pattern.pattern), values)
        else:
            regex = pattern.pattern.regex
            if regex.groups:
                continue  # the admin's regex routes with groups; the admin is not the product's input
            part = regex.pattern.lstrip("^").rstrip("$").replace("\\", "")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + part, values)
        elif isinstance(pattern, URLPattern):
            yield prefix + part


def all_paths(values: dict[str, str] | None = None) -> list[str]:
    """Every routed path, parameters filled from `values` (by name) or a plausible default."""
    paths = sorted(set(_walk(get_resolver().url_patterns, "/", values or {})))
    return [p for p in paths if not p.startswith("/admin/")]
