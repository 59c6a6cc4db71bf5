"""API conventions shared by every endpoint: pagination and the error shape.

Errors under /api/v1/ are `{"error": {"code", "message", "fields"}}` (PRODUCT §4).
"""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from timebank.errors import DomainError
from timebank.ids import MAX_ID, is_id


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
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "rate_limited",
}


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


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
        return Response(error_body(exc.code, exc.message, exc.fields), status=exc.status_code)
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


def json_not_found(request, exception=None):
    """404 for paths nobody routes: JSON under /api/, a page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("not_found", "Not found."), status=404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def json_server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", "Something went wrong."), status=500)
    from django.views.defaults import server_error

    return server_error(request)
