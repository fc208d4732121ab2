"""Session and two-factor policy, enforced for every request (see docs/deploy.md: Security)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.api_auth import TokenAuthentication
from accounts.mfa import has_totp, requires_two_factor
from lib.api_errors import error_body

LOGIN_AT_KEY = "indberet_login_at"


class SessionLifetimeMiddleware:
    """Ends a session older than SESSION_ABSOLUTE_SECONDS, however active it has been.

    The idle timeout is Django's own (SESSION_COOKIE_AGE renewed on every request); this adds
    the absolute limit, counted from the login time stored by accounts.signals."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT_KEY)
            if not isinstance(login_at, int | float):
                # A session from before this policy (or tampered data): its clock starts now.
                request.session[LOGIN_AT_KEY] = now
            elif now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
                request.session_expired = True  # read by the logout audit receiver
                logout(request)
                messages.info(
                    request,
                    _("Du er blevet logget ud, fordi sessionen var for gammel. Log ind igen."),
                )
        return self.get_response(request)


def is_page_navigation(request):
    """Whether the request is a person opening a page (a top-level HTML navigation), as opposed
    to what the browser fetches by itself (icons, images, scripts) or a script's fetch/XHR.

    Browsers say so in Sec-Fetch-Mode/Sec-Fetch-Dest; without those headers (older browsers,
    curl, the test client) an Accept header that names other types but not HTML is taken as a
    sub-resource, and a missing Accept as a page."""
    headers = request.headers
    if headers.get("X-Requested-With") == "XMLHttpRequest" or "HX-Request" in headers:
        return False
    mode = headers.get("Sec-Fetch-Mode")
    if mode is not None and mode != "navigate":
        return False
    if headers.get("Sec-Fetch-Dest", "document") != "document":
        return False
    accept = headers.get("Accept")
    return accept is None or "text/html" in accept or accept.strip() == "*/*"


class RequireTwoFactorMiddleware:
    """A coordinator, analyst or superuser without TOTP is sent to set it up and can use
    nothing else until they have; the API answers 403 in the project's error shape."""

    ALLOWED_URL_NAMES = (
        "account_logout",
        "account_reauthenticate",
        "set_language",
        "session_extend",
        "accessibility",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed = None

    def allowed_prefixes(self):
        if self._allowed is None:
            exact = {reverse(name) for name in self.ALLOWED_URL_NAMES}
            prefixes = (reverse("mfa_index"), settings.STATIC_URL)
            self._allowed = (exact, prefixes)
        return self._allowed

    def is_allowed(self, path):
        exact, prefixes = self.allowed_prefixes()
        return path in exact or path.startswith(prefixes)

    def __call__(self, request):
        path = request.path_info
        if not self.is_allowed(path):
            user = self.request_user(request, path)
            if user is not None and requires_two_factor(user) and not has_totp(user):
                if path.startswith("/api/"):
                    return JsonResponse(
                        error_body(
                            "mfa_required",
                            _("Tofaktorgodkendelse skal være sat op, før API'et kan bruges."),
                        ),
                        status=403,
                    )
                if not is_page_navigation(request):
                    # A favicon, an image, a fetch or an XHR is refused, not redirected: a
                    # redirect would load the setup page again behind the person's back.
                    return HttpResponseForbidden(
                        _("Din rolle kræver tofaktorgodkendelse."), content_type="text/plain"
                    )
                if request.method == "GET":
                    messages.warning(
                        request,
                        _("Din rolle kræver tofaktorgodkendelse. Sæt den op for at fortsætte."),
                    )
                return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def request_user(request, path):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        if path.startswith("/api/"):
            # Token authentication happens inside DRF; look the token's owner up here so a
            # script cannot go around the policy. DRF then reuses this lookup (it is kept on
            # the request), so the token is read once per request.
            try:
                result = TokenAuthentication().authenticate(request)
            except Exception:  # a bad header is DRF's to refuse, with its own message
                return None
            return result[0] if result else None
        return None
