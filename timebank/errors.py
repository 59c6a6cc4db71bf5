"""Domain errors raised by services; timebank.api maps them to the JSON error shape."""

from django.core.exceptions import PermissionDenied, ValidationError  # noqa: F401  (re-exported)


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    """The one JSON error shape: {"error": {"code", "message", "fields"}}."""
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class DomainError(Exception):
    """An expected refusal with a stable code and an HTTP status."""

    status_code = 400
    code = "validation_error"

    def __init__(self, message: str = "", *, fields: dict | None = None):
        super().__init__(message or self.code)
        self.message = message or self.code.replace("_", " ")
        self.fields = fields or {}


class InvalidTransition(DomainError):
    status_code = 409
    code = "invalid_transition"


class InsufficientBalance(DomainError):
    status_code = 409
    code = "insufficient_balance"


class IdempotencyMismatch(DomainError):
    status_code = 422
    code = "idempotency_mismatch"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Forbidden(DomainError):
    status_code = 403
    code = "permission_denied"


class LastCoordinator(InvalidTransition):
    """A network always keeps one active coordinator (PRODUCT §3)."""

    code = "last_coordinator"


class RateLimited(DomainError):
    """Too many in a short time; `retry_after` is the whole seconds to wait (a Retry-After header)."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str = "", *, retry_after: int = 1):
        super().__init__(message)
        self.retry_after = retry_after
