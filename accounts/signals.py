"""Authentication events into the audit log, and the login time for the absolute session limit.

Receivers listen to Django's own signals, so every way in (password, login code, invitation,
admin) is covered the same way.
"""

import time

from allauth.account.signals import (
    login_code_rejected,
    password_changed,
    password_reset,
    password_set,
)
from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts.audit import client_ip, record
from accounts.middleware import LOGIN_AT_KEY
from accounts.services import on_new_password

ATTEMPTED_MAX = 254
# When this session's person last logged in; read by AccountAdapter.is_reauthentication_required.
# Kept apart from LOGIN_AT_KEY, which the session middleware also fills in for old sessions.
LOGGED_IN_AT_KEY = "indberet_logged_in_at"


def _clean(value):
    """What someone typed, made safe to store: text, no NUL bytes, bounded length."""
    return str(value or "").replace("\x00", "")[:ATTEMPTED_MAX]


def _real_request(request):
    # Client.force_login and some backends pass a bare HttpRequest without META/user.
    return request if request is not None and hasattr(request, "user") else None


@receiver(user_logged_in, dispatch_uid="indberet_login")
def on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = request.session[LOGGED_IN_AT_KEY] = time.time()
    record(
        "auth.login",
        actor=user,
        request=_real_request(request),
        obj=user,
        detail={"backend": getattr(user, "backend", "") or ""},
    )


@receiver(user_logged_out, dispatch_uid="indberet_logout")
def on_logout(sender, request, user, **kwargs):
    if user is None:
        return
    detail = {}
    if getattr(request, "session_expired", False):
        detail["reason"] = "absolute_lifetime"
    record("auth.logout", actor=user, request=_real_request(request), obj=user, detail=detail)


@receiver(user_login_failed, dispatch_uid="indberet_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs):
    attempted = _clean(credentials.get("email") or credentials.get("username"))
    record(
        "auth.login_failed",
        request=_real_request(request),
        object_type="accounts.user",
        object_ref=attempted,
        detail={"email": attempted},
    )


@receiver(login_code_rejected, dispatch_uid="indberet_login_code_rejected")
def on_login_code_rejected(sender, request, user, last_attempt=False, **kwargs):
    record(
        "auth.login_code_rejected",
        request=_real_request(request),
        obj=user,
        detail={"email": user.email, "last_attempt": bool(last_attempt)},
    )


@receiver(authenticator_added, dispatch_uid="indberet_mfa_added")
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    record("mfa.added", actor=user, request=request, obj=user, detail={"type": authenticator.type})


@receiver(authenticator_removed, dispatch_uid="indberet_mfa_removed")
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    record(
        "mfa.removed", actor=user, request=request, obj=user, detail={"type": authenticator.type}
    )


@receiver(authenticator_reset, dispatch_uid="indberet_mfa_reset")
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    record("mfa.reset", actor=user, request=request, obj=user, detail={"type": authenticator.type})


@receiver(password_changed, dispatch_uid="indberet_password_changed_tokens")
@receiver(password_set, dispatch_uid="indberet_password_set_tokens")
@receiver(password_reset, dispatch_uid="indberet_password_reset_tokens")
def revoke_tokens_on_new_password(sender, request, user, **kwargs):
    """A new password means the old one may be known to someone: every API token made with
    it stops working too (the token page says so)."""
    on_new_password(user, ip=client_ip(_real_request(request)))
