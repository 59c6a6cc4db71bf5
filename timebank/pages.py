"""The one adapter from a service refusal to a page, as `timebank.api.exception_handler` is for the API.

Outside reach is the 404 page and what the caller's role may not do the 403 page (PRODUCT §3); any other
refusal (a step not possible now, too few minutes, bad input) is said on the page, which carries on. The one
exception is a step a page offers whoever may see it (an exchange's steps): a refusal of the step is said on
the page it returns to, whatever its reason (`role_said=True`); out of reach is still the 404 page.
"""

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme

from timebank.errors import DomainError, Forbidden, NotFound


def page(view: Callable) -> Callable:
    """Login required; a refusal that escapes the view becomes the site's 404 or 403 page."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with _reach():
            return view(request, *args, **kwargs)

    return wrapped


@contextmanager
def _reach(*, forbidden: bool = True) -> Iterator[None]:
    """NotFound becomes the 404 page and (unless `forbidden` is False) Forbidden the 403 page."""
    try:
        yield
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        if not forbidden:
            raise
        raise PermissionDenied(exc.message) from exc


@dataclass
class Outcome:
    """What became of the service in a `refusal_shown` block: refused or not, and why, by field
    (None for the refusal as a whole)."""

    refused: bool = False
    errors: dict[str | None, list[str]] = field(default_factory=dict)

    @property
    def messages(self) -> list[str]:
        return [problem for problems in self.errors.values() for problem in problems]


@contextmanager
def refusal_shown(
    request: HttpRequest, *, form: forms.Form | None = None, say: bool = True, role_said: bool = False
) -> Iterator[Outcome]:
    """Run a service; a refusal it gives becomes errors on `form` by field, else a message on the page
    (`say=False`: only on the outcome, for a page that lays its errors out itself).

    Out of reach and not allowed still leave as the 404 and 403 pages: those are not the caller's mistake
    to correct; `role_said=True` says not allowed on the page too, for a step the page offers whoever sees
    it. Code after the service call inside the block runs only when it succeeded.
    """
    outcome = Outcome()
    try:
        with _reach(forbidden=not role_said):
            yield outcome
    except DomainError as exc:
        outcome.errors = {key: [str(p) for p in _listed(v)] for key, v in exc.fields.items()} or {None: [exc.message]}
    except ValidationError as exc:
        found = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
        outcome.errors = {None if key == NON_FIELD_ERRORS else key: list(v) for key, v in found.items()}
    else:
        return
    outcome.refused = True
    if form is not None:
        for name, problems in outcome.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
    elif say:
        messages.error(request, " ".join(outcome.messages))


def _listed(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def back_path(request: HttpRequest, fallback: str) -> str:
    """Where a form's `next` says it came from, when that is a path on this site; else `fallback`. Only a
    path: `redirect` would look a bare word up as a view's name (a 500, or a jump to that view)."""
    back = request.POST.get("next") or ""
    secure = request.is_secure()
    if back.startswith("/") and url_has_allowed_host_and_scheme(back, {request.get_host()}, require_https=secure):
        return back
    return fallback
