"""Input no view can store, refused at the door with a 400 before any view runs.

- A NUL character anywhere in the path, the query string, a form field or a header: PostgreSQL text
  cannot hold it, so a filter carrying one fails in the database (a 500) unless every parameter of
  every view is validated first. One check here covers every page, filter and parameter, new ones too.
- allauth's headless endpoints read their JSON body with a bare `json.loads`, so their bodies are read
  once here by `timebank.jsontext`, the reader the API and the socket use (depth and Unicode).
"""

from django.shortcuts import render
from django.utils.translation import gettext as _

from timebank import jsontext
from timebank.api import ALLAUTH_PREFIX, shaped_error

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


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # allauth's body first: once a multipart body has been parsed its raw bytes cannot be read.
        if request.path.startswith(ALLAUTH_PREFIX) and request.method != "GET" and request.body:
            try:
                jsontext.loads(request.body)
            except jsontext.BadJSON as exc:
                return shaped_error(request, status=400, code=exc.code, message=exc.message)
        if has_nul(request):
            message = _("The request holds a NUL character, which no field accepts.")
            return shaped_error(request, status=400, code="validation_error", message=message) or render(
                request, "bad_request.html", {"message": message}, status=400
            )
        return self.get_response(request)
