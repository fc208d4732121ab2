"""What every API v1 endpoint shares: JSON in and out, per-token throttling, role checks that
answer 403 after the scoped lookup has answered 404, and the documentation page."""

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.views import APIView

from backend.api_auth import TokenRateThrottle
from backend.api_errors import ApiError


class ApiView(APIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [JSONParser]
    throttle_classes = [TokenRateThrottle]
    permission_classes = [permissions.IsAuthenticated]


def forbid(message=None):
    raise ApiError(
        "permission_denied",
        message
        or {
            "da": "Din rolle giver ikke adgang til denne handling.",
            "en": "Your role does not allow this action.",
        },
        status_code=403,
    )


def require_coordinator(user):
    if not user.is_coordinator:
        forbid(
            {
                "da": "Kun koordinatorer kan udføre denne handling.",
                "en": "Only coordinators can do this.",
            }
        )


def require_read_all(user):
    if not user.can_read_all:
        forbid(
            {
                "da": "Kun koordinatorer og analytikere har adgang.",
                "en": "Only coordinators and analysts have access.",
            }
        )


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """For endpoints whose `?format=` means a file format, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class NotFoundView(ApiView):
    """Every unknown URL under /api/v1/ answers 404 in the error shape (not Django's HTML)."""

    permission_classes = [permissions.AllowAny]
    throttle_classes = []

    def _not_found(self, request, *args, **kwargs):
        raise ApiError("not_found", {"da": "Ikke fundet.", "en": "Not found."}, status_code=404)

    get = post = put = patch = delete = head = options = _not_found


NotFoundView = extend_schema(exclude=True)(NotFoundView)


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (sidecar), with its init script served as a file
    and without the inline <style> block, so the strict CSP (no inline code) holds."""

    template_name = "api/swagger_ui.html"


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "backend.api_auth.TokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <token>` — create a token on your account page "
            "(/konto/api-noegler/).",
        }


class CsrfSessionScheme(SessionScheme):
    target_class = "backend.api_auth.CsrfSessionAuthentication"
