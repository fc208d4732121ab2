"""API token authentication: `Authorization: Token <token>`."""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from accounts.tokens import authenticate_token


class TokenAuthentication(BaseAuthentication):
    """`Authorization: Token <token>`; tokens are looked up by their SHA-256 digest."""

    keyword = b"token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Ugyldig Authorization-header."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Ugyldigt token."))
        user = authenticate_token(raw)
        if user is None:
            raise exceptions.AuthenticationFailed(_("Ugyldigt eller tilbagekaldt token."))
        return (user, raw)

    def authenticate_header(self, request):
        return "Token"
