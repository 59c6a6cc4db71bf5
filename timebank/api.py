"""API conventions shared by every endpoint: pagination and the error shape, wherever an error comes from.

Errors under /api/v1/ are `{"error": {"code", "message", "fields"}}` (PRODUCT §4).
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import csrf, defaults
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from timebank.errors import DomainError, error_body
from timebank.ids import MAX_ID, is_id
from timebank.parsers import too_large_message
from timebank.unavailable import unavailable_response_for_current_exception


class Pagination(PageNumberPagination):
    """`?page=` from 1 and `?page_size=` from 1 (above 200 reads as 200); anything else answers 400."""

    page_size_query_param = "page_size"
    max_page_size = 200
    last_page_strings = ()

    def _number(self, request, name: str) -> int | None:
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not is_id(raw):
            raise exceptions.ValidationError({name: [_("Give a whole number from 1.")]})
        return int(raw)

    def get_page_size(self, request) -> int:
        size = self._number(request, self.page_size_query_param)
        return self.page_size if size is None else min(size, self.max_page_size)

    def paginate_queryset(self, queryset, request, view=None):
        self._number(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view) -> list[dict]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"].update(minimum=1, maximum=MAX_ID)
        return parameters


def query_valid(serializer_class, request) -> dict:
    """Query filters read as the schema states them (`parameters=[serializer_class]`): a blank value is
    refused like any other bad one, not taken as absent as DRF does for HTML forms."""
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def paginated(request, view, queryset, serializer_class, **context) -> Response:
    """A list body per PRODUCT §4: {"count", "next", "previous", "results"}, `?page=` and `?page_size=`.

    The view declares `pagination_class = Pagination`: that is what shows the page shape and its
    parameters in the OpenAPI schema, so a list cannot be paginated without saying so.
    """
    paginator = view.pagination_class()
    page = paginator.paginate_queryset(queryset, request, view=view)
    data = serializer_class(page, many=True, context={"request": request, **context}).data
    return paginator.get_paginated_response(data)


CODES = {
    400: "validation_error",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
}


def _fields_from_detail(detail) -> dict:
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if isinstance(value, list):
                out[key] = [str(v) if not isinstance(v, (dict, list)) else v for v in value]
            else:
                out[key] = value if isinstance(value, dict) else [str(value)]
        return out
    return {}


def _message_from_detail(detail) -> str:
    if isinstance(detail, list):
        return "; ".join(str(d) for d in detail) or "Invalid input."
    if isinstance(detail, dict):
        return "Invalid input."
    return str(detail)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        retry_after = getattr(exc, "retry_after", None)
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        fields = exc.message_dict if hasattr(exc, "error_dict") else {}
        message = "; ".join(exc.messages) if not fields else "Invalid input."
        return Response(error_body("validation_error", message, fields), status=400)
    if isinstance(exc, (DjangoPermissionDenied, exceptions.PermissionDenied)) and not isinstance(
        exc, exceptions.NotAuthenticated
    ):
        message = str(exc) or "You do not have permission to do that."
        return Response(error_body("permission_denied", message), status=403)
    if isinstance(exc, Http404):
        return Response(error_body("not_found", "Not found."), status=404)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, (exceptions.NotAuthenticated, exceptions.AuthenticationFailed)):
        # Never 403 for a missing or expired session (PRODUCT §4).
        response.status_code = status.HTTP_401_UNAUTHORIZED
    detail = getattr(exc, "detail", None)
    if isinstance(exc, exceptions.ValidationError):
        response.data = error_body("validation_error", _message_from_detail(detail), _fields_from_detail(detail))
    else:
        code = CODES.get(response.status_code, "error")
        response.data = error_body(code, _message_from_detail(detail))
    return response


# Error bodies outside DRF -------------------------------------------------------------------
# Django answers some errors before any API view runs (an unknown path, a body too large, too many
# fields, a failed CSRF check) and allauth returns bare ones (malformed JSON, 405): under the API
# prefixes they all leave in the JSON shape, whoever produced them.

API_PREFIX = "/api/"
ALLAUTH_PREFIX = "/_allauth/"


def shaped_error(request, *, status: int, code: str, message: str, headers: dict | None = None) -> JsonResponse | None:
    """The error in the JSON shape of the request's API, or None for a page."""
    if request.path.startswith(API_PREFIX):
        body = error_body(code, message)
    elif request.path.startswith(ALLAUTH_PREFIX):
        # allauth headless's own shape (allauth.headless.internal.restkit.response.ErrorResponse).
        body = {"status": status, "errors": [{"code": code, "message": message}]}
    else:
        return None
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


MESSAGES = {
    400: gettext_lazy("The request was malformed."),
    403: gettext_lazy("You do not have permission to do that."),
    404: gettext_lazy("Not found."),
    405: gettext_lazy("That method is not allowed here."),
    413: gettext_lazy("The request is too large."),
    415: gettext_lazy("That content type is not supported here."),
}

# Headers an error response must keep when its body is reshaped.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate", "Vary", "Cache-Control")


class ErrorShapeMiddleware:
    """Outermost: any error under the API prefixes that is not JSON yet is given the JSON shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        data = getattr(response, "data", None)
        if request.path.startswith(API_PREFIX) and isinstance(data, dict) and "error" in data:
            # A DRF error rendered as HTML (a browser asking for text/html) keeps its code and fields.
            shaped = JsonResponse(data, status=status)
            for name, value in headers.items():
                shaped[name] = value
            return shaped
        message = str(MESSAGES.get(status, response.reason_phrase))
        shaped = shaped_error(request, status=status, code=CODES.get(status, "error"), message=message, headers=headers)
        return shaped or response


def bad_request(request, exception=None):
    """handler400: a body too large answers 413, too many fields and other malformed requests 400."""
    if isinstance(exception, RequestDataTooBig):
        shaped = shaped_error(request, status=413, code="too_large", message=too_large_message())
    elif isinstance(exception, TooManyFieldsSent):
        message = _("Too many fields: at most %(n)d.") % {"n": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}
        shaped = shaped_error(request, status=400, code="validation_error", message=message)
    else:
        shaped = shaped_error(request, status=400, code="validation_error", message=_("The request was malformed."))
    return shaped or defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    message = str(exception or "") or _("You do not have permission to do that.")
    return shaped_error(request, status=403, code="permission_denied", message=message) or defaults.permission_denied(
        request, exception
    )


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: allauth's browser endpoints refuse a missing token in their own shape."""
    message = _("CSRF check failed: %(reason)s") % {"reason": reason}
    return shaped_error(request, status=403, code="csrf_failed", message=message) or csrf.csrf_failure(request, reason)


def json_not_found(request, exception=None):
    """404 for paths nobody routes: JSON under the API prefixes, a page elsewhere."""
    return shaped_error(request, status=404, code="not_found", message=_("Not found.")) or defaults.page_not_found(
        request, exception
    )


def json_server_error(request):
    # A database out of reach is a 503, also when middleware (sessions, authentication) met it first.
    unavailable = unavailable_response_for_current_exception(request)
    if unavailable is not None:
        return unavailable
    message = _("Something went wrong.")
    return shaped_error(request, status=500, code="server_error", message=message) or defaults.server_error(request)
