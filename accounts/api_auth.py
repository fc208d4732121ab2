"""API token authentication (`Authorization: Token <token>`) and per-token rate limits."""

import hashlib

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    get_authorization_header,
)
from rest_framework.throttling import UserRateThrottle

from accounts.tokens import authenticate_token
from lib.api_errors import CSRF_FAILED, ApiError


class TokenCredentials(str):
    """`request.auth` for a token request: the token's SHA-256 digest (never the raw token)."""


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>`; tokens are looked up by their SHA-256 digest, so a
    revoked token stops working on the next request."""

    keyword = b"token"
    # Where a successful lookup is kept on the request: RequireTwoFactorMiddleware
    # authenticates the token before the view, and DRF then reuses the result instead of
    # looking the token up (and checking last-used) a second time in the same request.
    cache_attr = "_indberet_token_auth"

    def authenticate(self, request):
        header = get_authorization_header(request)
        # DRF passes its Request, the middleware Django's HttpRequest: keep it on the latter.
        django_request = getattr(request, "_request", request)
        cached = getattr(django_request, self.cache_attr, None)
        if cached is not None and cached[0] == header:
            return cached[1]
        result = self._authenticate(header)
        if result is not None:
            setattr(django_request, self.cache_attr, (header, result))
        return result

    def _authenticate(self, header):
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                str(_("Ugyldig Authorization-header: skriv 'Token <token>'."))
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(str(_("Ugyldigt token.")))
        user = authenticate_token(raw)
        if user is None:
            raise exceptions.AuthenticationFailed(str(_("Ugyldigt eller tilbagekaldt token.")))
        return (user, TokenCredentials(hashlib.sha256(raw.encode()).hexdigest()))

    def authenticate_header(self, request):
        return "Token"


class CsrfSessionAuthentication(SessionAuthentication):
    """The login session (the browsable API), with a CSRF failure answered in the error shape
    and the request's language (DRF's own message is English only)."""

    def enforce_csrf(self, request):
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied:
            raise ApiError("csrf_failed", CSRF_FAILED, status_code=403)


class TokenRateThrottle(UserRateThrottle):
    """Rate limit per token (each of a person's tokens has its own budget), per user for
    session requests. Counters live in the default cache, shared between processes."""

    scope = "user"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, TokenCredentials):
            ident = f"token-{request.auth[:32]}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"ip-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
