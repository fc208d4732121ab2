"""The one error shape for every API error: {"error": {"code", "message", "fields": [...]}}.

Messages follow the request's language (Accept-Language: da|en, activated by LocaleMiddleware).
Our own messages are gettext strings (Danish source, English in locale/en); DRF's built-in
ones are translated by DRF's own catalogues.

Two layers give every answer under /api/ that shape: DRF's exception handler
(`exception_handler`) for what the API views raise, and `ApiErrorShapeMiddleware` for anything
else that answers an error there — Django's 404 for a path no pattern matches, its 400, 500
and CSRF pages, a 413 or 429 from a middleware, a 502 from a view.
"""

import json
from http import HTTPStatus

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status


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


def _text(message) -> str:
    """A message as the client reads it: a gettext string in the request's language."""
    if isinstance(message, dict):  # {"da", "en"} values are definition data, picked before
        raise TypeError("API messages are gettext strings, not {'da', 'en'} dicts")
    return str(message)


def error_body(code, message, fields=None, **extra):
    body = {"error": {"code": code, "message": _text(message), "fields": fields or []}}
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
        super().__init__(detail=_text(message), code=code)


def field_error(field, code, message):
    return {"field": field, "code": code, "message": _text(message)}


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
    if isinstance(exc, RequestDataTooBig):  # Django's DATA_UPLOAD_MAX_MEMORY_SIZE, when read
        code, message = STATUS_ERRORS[413]
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(error_body(code, message, max_bytes=limit), status=413)
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
        message = _("Ugyldige data.")
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


# --- Every other error under /api/: by its status

STATUS_ERRORS = {
    400: ("bad_request", _("Forespørgslen er ugyldig.")),
    401: (
        "not_authenticated",
        _("Du er ikke logget ind."),
    ),
    403: ("permission_denied", _("Adgang nægtet.")),
    404: ("not_found", _("Ikke fundet.")),
    405: (
        "method_not_allowed",
        _("Metoden er ikke tilladt her."),
    ),
    406: (
        "not_acceptable",
        _("Svaret kan ikke leveres i det ønskede format."),
    ),
    409: ("conflict", _("Konflikt med den gemte tilstand.")),
    413: (
        "request_too_large",
        _("Forespørgslen er for stor."),
    ),
    414: ("uri_too_long", _("Adressen er for lang.")),
    415: (
        "unsupported_media_type",
        _("Send JSON (Content-Type: application/json)."),
    ),
    429: (
        "throttled",
        _("For mange forespørgsler. Prøv igen senere."),
    ),
    500: (
        "server_error",
        _("Der opstod en fejl på serveren. Prøv igen senere."),
    ),
    503: (
        "unavailable",
        _("Tjenesten er midlertidigt utilgængelig. Prøv igen senere."),
    ),
}
OTHER_CLIENT_ERROR = _("Forespørgslen kunne ikke gennemføres.")


def status_error(status_code):
    """(code, message) for an error status: ours where we have one, else the status' name."""
    if status_code in STATUS_ERRORS:
        return STATUS_ERRORS[status_code]
    if status_code >= 500:
        return "server_error", STATUS_ERRORS[500][1]
    try:
        code = HTTPStatus(status_code).phrase.lower().replace(" ", "_").replace("-", "_")
    except ValueError:
        code = "error"
    return code, OTHER_CLIENT_ERROR


def _has_error_shape(data):
    return (
        isinstance(data, dict)
        and isinstance(data.get("error"), dict)
        and {"code", "message", "fields"} <= set(data["error"])
    )


# Headers a rewritten error keeps (the body and its type are ours).
_DROPPED_HEADERS = {"content-type", "content-length", "content-disposition", "content-encoding"}


class ApiErrorShapeMiddleware:
    """Under API_PREFIX, every response with status >= 400 is the JSON error shape, in the
    language of Accept-Language. Errors already in the shape pass untouched (an HTML rendering
    of one, by the browsable API, becomes its JSON); anything else — an HTML page, an empty
    body, another JSON — is replaced by the shape for its status, keeping its headers
    (Retry-After, WWW-Authenticate, Allow, …). Put it first in MIDDLEWARE so it also sees
    what the other middleware answer."""

    API_PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code < 400 or not (
            request.path.startswith(self.API_PREFIX) or request.path == self.API_PREFIX[:-1]
        ):
            return response
        data = self._shaped_data(response)
        if data is None:
            language = translation.get_language_from_request(request)
            with translation.override(language):
                code, message = status_error(response.status_code)
                data = error_body(code, message)
        elif data is True:
            return response
        shaped = JsonResponse(data, status=response.status_code)
        for name, value in response.items():
            if name.lower() not in _DROPPED_HEADERS:
                shaped[name] = value
        shaped.cookies = response.cookies
        return shaped

    @staticmethod
    def _shaped_data(response):
        """True if the response is the shape as JSON already; its data if it is the shape in
        another rendering; None if it is not the shape."""
        data = getattr(response, "data", None)  # a DRF Response
        if _has_error_shape(data):
            content_type = response.get("Content-Type", "")
            return True if content_type.startswith("application/json") else data
        if response.streaming or not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return None
        try:
            body = json.loads(response.content)
        except ValueError:
            return None
        return True if _has_error_shape(body) else None


CSRF_FAILED = _(
    "CSRF-kontrollen fejlede: send et API-token (Authorization: Token …) eller "
    "CSRF-tokenet fra din login-session."
)


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
