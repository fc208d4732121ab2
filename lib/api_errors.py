"""The one error shape for every API 4xx: {"error": {"code", "message", "fields": [...]}}.

Messages follow the request's language (Accept-Language: da|en, activated by LocaleMiddleware).
Our own messages come as {"da": …, "en": …} pairs (`lib.text.pick`); DRF's built-in ones are
translated by DRF's own catalogues.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status

from lib.text import pick


def _fields(detail, prefix=""):
    out = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_fields(value, name))
    elif isinstance(detail, list):
        for i, value in enumerate(detail):
            if isinstance(value, dict | list):
                out.extend(_fields(value, f"{prefix}[{i}]" if prefix else str(i)))
            else:
                out.extend(_fields(value, prefix))
    else:
        out.append(
            {
                "field": prefix or "non_field_errors",
                "code": getattr(detail, "code", "invalid"),
                "message": str(detail),
            }
        )
    return out


def error_body(code, message, fields=None, **extra):
    body = {"error": {"code": code, "message": pick(message), "fields": fields or []}}
    body["error"].update(extra)
    return body


# DRF's default codes are fine identifiers, but a few are more useful under a clearer name.
_CODES = {
    "not_authenticated": "not_authenticated",
    "authentication_failed": "authentication_failed",
    "permission_denied": "permission_denied",
    "not_found": "not_found",
    "method_not_allowed": "method_not_allowed",
    "not_acceptable": "not_acceptable",
    "unsupported_media_type": "unsupported_media_type",
    "throttled": "throttled",
    "parse_error": "malformed_json",
}


class ApiError(exceptions.APIException):
    """An API error with our own code, bilingual message, field list and extra members."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, code, message, status_code=None, fields=None, **extra):
        self.code = code
        self.message = message
        self.fields = fields or []
        self.extra = extra
        if status_code:
            self.status_code = status_code
        super().__init__(detail=pick(message), code=code)


def field_error(field, code, message):
    return {"field": field, "code": code, "message": pick(message)}


def exception_handler(exc, context):
    # Imported here, as Django/DRF loading requires: DRF's settings import this module (the
    # EXCEPTION_HANDLER, and through accounts.api_auth the authentication class) while
    # rest_framework.views is itself still being imported.
    from rest_framework.response import Response
    from rest_framework.views import exception_handler as drf_exception_handler

    if isinstance(exc, ApiError):
        return Response(
            error_body(exc.code, exc.message, exc.fields, **exc.extra), status=exc.status_code
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(response.data, dict) and "error" in response.data:
        return response
    detail = getattr(exc, "detail", response.data)
    if isinstance(detail, dict | list):
        fields = _fields(detail)
        code = "invalid"
        message = pick({"da": "Ugyldige data.", "en": "Invalid data."})
        if isinstance(detail, dict) and set(detail) == {"detail"}:
            fields = []
            code = getattr(detail["detail"], "code", "error")
            message = str(detail["detail"])
    else:
        fields = []
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        message = str(detail)
    response.data = error_body(_CODES.get(code, code), message, fields)
    return response


# --- Schema: the error shape, for @extend_schema(responses=...)


class ErrorFieldSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Where: `answers.enrolled`, `questions[1].type`, …")
    code = serializers.CharField()
    message = serializers.CharField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable identifier, e.g. `not_found`.")
    message = serializers.CharField(help_text="For people, in the request's language.")
    fields = ErrorFieldSerializer(many=True)


class ErrorSerializer(serializers.Serializer):
    error = ErrorDetailSerializer()


_DESCRIPTIONS = {
    400: "Malformed request (bad JSON, unknown keys, invalid parameters).",
    401: "No or invalid credentials. Send `Authorization: Token <token>`.",
    403: "Authenticated, but your role may not do this.",
    404: "Not found — or not yours to see (the two are indistinguishable).",
    409: "The resource's state does not allow this now.",
    429: "Too many requests; retry after `Retry-After` seconds.",
}


def error_responses(*codes, **overrides):
    """OpenAPI responses for the given error statuses (401, 404 and 429 are always possible)."""
    # Imported here for the same reason: drf_spectacular.utils imports rest_framework.views.
    from drf_spectacular.utils import OpenApiResponse

    wanted = sorted(set(codes) | {401, 429})
    out = {}
    for code in wanted:
        out[code] = overrides.get(str(code)) or OpenApiResponse(
            ErrorSerializer, description=_DESCRIPTIONS[code]
        )
    return out
