"""Two-factor policy: TOTP is required for coordinators, analysts and superusers."""

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal import auth as totp_auth
from django import forms


def requires_two_factor(user):
    """Coordinators, analysts and operators must use TOTP; officers are offered it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser or user.is_coordinator or user.is_analyst)


def has_totp(user):
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


class MFAAdapter(DefaultMFAAdapter):
    """Those who must use TOTP cannot switch it off themselves; an operator resets a lost
    authenticator in the admin (the user then sets up a new one at the next login)."""

    def can_delete_authenticator(self, authenticator):
        if authenticator.type == Authenticator.Type.TOTP and requires_two_factor(
            authenticator.user
        ):
            return False
        return super().can_delete_authenticator(authenticator)


class ActivateTOTPForm(totp_forms.ActivateTOTPForm):
    """allauth's setup form, with the secret kept for the session instead of made anew on each
    GET: a reload, or a second tab, must show the QR code the person may already have scanned.
    allauth clears the secret from the session once TOTP is activated."""

    def __init__(self, *args, **kwargs):
        self.user = kwargs.pop("user")
        forms.Form.__init__(self, *args, **kwargs)
        self.secret = totp_auth.get_totp_secret(regenerate=False)
