"""Input no view can store, refused at the door with a 400 before any view runs.

- A NUL character anywhere in the path, the query string, a form field or a header: PostgreSQL text
  cannot hold it, so a filter carrying one fails in the database (a 500) unless every parameter of
  every view is validated first. One check here covers every page, filter and parameter, new ones too.
- allauth's headless endpoints read their JSON body with a bare `json.loads`, so their bodies are read
  once here by `timebank.jsontext`, the reader the API and the socket use (depth and Unicode).
- A control character or a direction override (`timebank.controls`) in a form posted to a page or in
  allauth's body: no text a person writes may hold one, and a page's forms have no schema to say which
  fields are read. The API refuses them field by field (`timebank.fields.Text`), so that a field it ignores
  is never the reason for a 400.
"""

from urllib.parse import urlsplit

from django.shortcuts import render
from django.utils.translation import gettext as _

from timebank import jsontext
from timebank.api import ALLAUTH_PREFIX, API_PREFIX, shaped_error
from timebank.controls import refusal_message, refused_in
from timebank.pages import back_path

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_nul(request) -> bool:
    if "\x00" in request.path:
        return True
    # `%00` is the only way a URL encodes NUL, so the raw query string answers without parsing it.
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or "\x00" in query:
        return True
    if any("\x00" in str(value) for name, value in request.META.items() if name.startswith("HTTP_")):
        return True
    if request.method == "POST" and request.content_type in FORM_TYPES:
        # Parsed once here; Django and DRF reuse request.POST afterwards.
        return any("\x00" in key or any("\x00" in v for v in values) for key, values in request.POST.lists())
    return False


def refused_in_form(request) -> str | None:
    """The first control character in a form posted to a page, or None.
    Django parses form bodies of POST only; the pages post nothing else."""
    if request.method != "POST" or request.content_type not in FORM_TYPES or request.path.startswith(API_PREFIX):
        return None
    return refused_in(dict(request.POST.lists()))


def form_page(request) -> str:
    """The page the refused form was on, to go back to: the form's `next`, else the Referer when it is a page
    of this site, else home. Never the refused address itself, which may answer POST only."""
    referer = urlsplit(request.META.get("HTTP_REFERER", ""))
    same_site = referer.netloc == request.get_host() and referer.path.startswith("/")
    page = referer.path + (f"?{referer.query}" if referer.query else "")
    return back_path(request, page if same_site else "/")


def refused_response(request, character: str):
    message = refusal_message(character)
    return shaped_error(request, status=400, code="validation_error", message=message) or render(
        request, "bad_form.html", {"message": message, "back": form_page(request)}, status=400
    )


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # allauth's body first: once a multipart body has been parsed its raw bytes cannot be read.
        if request.path.startswith(ALLAUTH_PREFIX) and request.method != "GET" and request.body:
            try:
                body = jsontext.loads(request.body)
            except jsontext.BadJSON as exc:
                return shaped_error(request, status=400, code=exc.code, message=exc.message)
            refused = refused_in(body)
            if refused is not None:
                return refused_response(request, refused)
        if has_nul(request):
            message = _("The request holds a NUL character, which no field accepts.")
            return shaped_error(request, status=400, code="validation_error", message=message) or render(
                request, "bad_request.html", {"message": message}, status=400
            )
        refused = refused_in_form(request)
        if refused is not None:
            return refused_response(request, refused)
        return self.get_response(request)
