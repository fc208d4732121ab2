"""What every API v1 endpoint shares: JSON in and out, per-token throttling, and role checks
that answer 403 after the scoped lookup has answered 404."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import JSONParser
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.views import APIView

from accounts.api_auth import TokenRateThrottle
from lib.api_errors import ApiError


class ApiView(APIView):
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer]
    parser_classes = [JSONParser]
    throttle_classes = [TokenRateThrottle]
    permission_classes = [permissions.IsAuthenticated]


def forbid(message=None):
    raise ApiError(
        "permission_denied",
        message or _("Din rolle giver ikke adgang til denne handling."),
        status_code=403,
    )


class RolePermission(permissions.BasePermission):
    """The API's role checks, one family of DRF permission classes. An endpoint that works on a
    round or a submission looks it up first (404 for what the person may not see) and then
    calls `require(request, IsCoordinator)`, so the 403 never reveals what exists."""

    message = None  # forbid()'s general message

    def allows(self, user) -> bool:
        raise NotImplementedError

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and self.allows(request.user))


class IsCoordinator(RolePermission):
    message = _("Kun koordinatorer kan udføre denne handling.")

    def allows(self, user) -> bool:
        return user.is_coordinator


class CanReadAll(RolePermission):
    message = _("Kun koordinatorer og analytikere har adgang.")

    def allows(self, user) -> bool:
        return user.can_read_all


def require(request, permission: type[RolePermission]) -> None:
    """403 in the error shape unless the role check passes (after the scoped lookup)."""
    check = permission()
    if not check.has_permission(request, None):
        forbid(check.message)


class IgnoreFormatNegotiation(DefaultContentNegotiation):
    """For endpoints whose `?format=` means a file format, not a DRF renderer."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.TokenAuthentication"
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
    target_class = "accounts.api_auth.CsrfSessionAuthentication"
