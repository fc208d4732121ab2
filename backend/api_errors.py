"""The one error shape for every API 4xx: {"error": {"code", "message", "fields": [...]}}."""

from django.utils.translation import gettext as _
from rest_framework.views import exception_handler as drf_exception_handler


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
    body = {"error": {"code": code, "message": str(message), "fields": fields or []}}
    body["error"].update(extra)
    return body


def exception_handler(exc, context):
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
    response.data = error_body(code, message, fields)
    return response
