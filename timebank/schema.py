"""The OpenAPI schema as the API answers: the error shape on every operation, text as DRF reads it, and a
person-or-pot party.

Wired in by REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"] and SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]; lists get
their page shape from each list view's `pagination_class` (timebank.api.paginated).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers

from timebank.controls import REFUSED_CLASS
from timebank.fields import Text
from timebank.ids import MAX_ID


def _text_patterns(refused: str) -> tuple[str, str]:
    """Any text without the refused characters, and such text with at least one that is not a space."""
    return f"^[^{refused}]*$", f"^[^{refused}]*[^{refused}\\s][^{refused}]*$"


# DRF's CharField refuses a NUL anywhere (PostgreSQL text cannot hold one) and, unless blanks are allowed,
# text that is empty once trimmed; `Text`, what a person writes, refuses control characters too.
ANY_TEXT, SOME_TEXT = _text_patterns("\\x00")
ANY_WORDS, SOME_WORDS = _text_patterns("\\x00" + REFUSED_CLASS)


class AutoSchema(openapi.AutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if (
            direction != "response"
            and type(field) in (serializers.CharField, Text)
            and schema.get("type") == "string"
            and not {"pattern", "format", "enum"} & set(schema)
        ):
            blank_refused = not field.allow_blank and field.trim_whitespace
            any_text, some_text = (ANY_WORDS, SOME_WORDS) if isinstance(field, Text) else (ANY_TEXT, SOME_TEXT)
            schema["pattern"] = some_text if blank_refused else any_text
        return schema

    def _get_request_for_media_type(self, serializer, direction="request"):
        schema, required = super()._get_request_for_media_type(serializer, direction)
        # One shape or another: each has required fields, so a body is required.
        return schema, required or isinstance(serializer, PolymorphicProxySerializer)


# One schema component for every error under /api/v1/ (PRODUCT §4); timebank.api.exception_handler writes it.
ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "description": "Stable, for programs: e.g. validation_error."},
                "message": {"type": "string", "description": "For people, in the caller's language."},
                "fields": {
                    "type": "object",
                    "description": "A field's name to its messages (nested for lists and objects).",
                    "additionalProperties": {"anyOf": [{"type": "array", "items": {}}, {"type": "object"}]},
                },
            },
            "required": ["code", "message", "fields"],
        }
    },
    "required": ["error"],
}

# Every status the exception handler answers with, for every operation: which one a request meets depends
# on who asks and on the data, not on the operation.
ERROR_STATUSES = {
    "400": _("validation_error: the request is malformed or a value is refused."),
    "401": _("not_authenticated: no session, or an expired one."),
    "403": _("permission_denied: in reach, but your role may not do this."),
    "404": _("not_found: no such object within your reach."),
    "405": _("method_not_allowed."),
    "409": _("invalid_transition, insufficient_balance or another conflict with the current state."),
    "413": _("too_large: the request body is over the size limit."),
    "415": _("unsupported_media_type: send JSON."),
    "422": _("idempotency_mismatch: the key was used with a different body."),
    "429": _("rate_limited: try again after Retry-After seconds."),
}
RETRY_AFTER = {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}}

# A party to an exchange or a transfer: a person's user id, or the network's own pot (or issuance account).
# exchanges.ledger.idempotency checks the same: up to 100 printable characters, not only spaces.
IDEMPOTENCY_KEY_SCHEMA = {"type": "string", "minLength": 1, "maxLength": 100, "pattern": "^[ -~]*[!-~][ -~]*$"}
USER_ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
PARTY_SCHEMA = {"oneOf": [USER_ID_SCHEMA, {"type": "string", "enum": ["pot"]}]}
OWNER_SCHEMA = {"oneOf": [USER_ID_SCHEMA, {"type": "string", "enum": ["pot", "issuance"]}]}


def document_errors(result, generator, request, public):
    """Add the error responses to every /api/v1/ operation that does not describe its own."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    ref = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_STATUSES.items():
                response = {"description": str(description), "content": {"application/json": {"schema": ref}}}
                if status == "429":
                    response["headers"] = RETRY_AFTER
                responses.setdefault(status, response)
    return result
