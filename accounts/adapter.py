import time

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter

from accounts.signals import LOGGED_IN_AT_KEY


class AccountAdapter(DefaultAccountAdapter):
    """No open sign-up: people are invited by a coordinator (or added by an operator)."""

    def is_open_for_signup(self, request):
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """A login counts as recent authentication for ACCOUNT_REAUTHENTICATION_TIMEOUT.

        allauth asks for the password before any two-factor change and counts only an explicit
        re-authentication as recent, so a coordinator sent to set up TOTP straight from the
        login form was asked for the password a second time. accounts.signals stores the login
        time on every way in (password, code, invitation)."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        session = getattr(self.request, "session", None)
        login_at = session.get(LOGGED_IN_AT_KEY) if session is not None else None
        if not isinstance(login_at, int | float):
            return True
        return time.time() - login_at >= app_settings.REAUTHENTICATION_TIMEOUT
