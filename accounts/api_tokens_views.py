"""The account page for personal API tokens: create a named token (shown once), see the tokens
with their last use, revoke one. Only a token's SHA-256 digest is stored."""

from datetime import timedelta

from allauth.account.decorators import reauthentication_required
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.models import ApiToken
from accounts.tokens import DEFAULT_LIFETIME_DAYS, create_token, revoke_token
from lib.query import whole_number

NEW_TOKEN_SESSION_KEY = "indberet_new_api_token"  # noqa: S105 (a session key name)
MAX_ACTIVE_TOKENS = 20
TOO_MANY = gettext_lazy(
    "Du har allerede %(n)d aktive tokens. Tilbagekald et, før du opretter et nyt."
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Navn"),
        max_length=100,
        help_text=gettext_lazy(
            "Hvad tokenet bruges til, fx »Indlæsning fra ESDH« eller »R-script«."
        ),
    )
    lifetime = forms.TypedChoiceField(
        label=gettext_lazy("Gyldighed"),
        choices=[
            (30, gettext_lazy("30 dage")),
            (90, gettext_lazy("90 dage")),
            (DEFAULT_LIFETIME_DAYS, gettext_lazy("1 år")),
            (0, gettext_lazy("Udløber ikke")),
        ],
        coerce=int,
        initial=DEFAULT_LIFETIME_DAYS,
        required=False,
        empty_value=DEFAULT_LIFETIME_DAYS,
    )

    def expires_at(self):
        days = self.cleaned_data.get("lifetime") or 0
        return timezone.now() + timedelta(days=days) if days else None


def _creating(request):
    return request.method == "POST" and request.POST.get("action") == "create"


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
# A token outlives the session: creating one asks for the password (or TOTP) again if the
# last authentication is older than ACCOUNT_REAUTHENTICATION_TIMEOUT (5 minutes).
@reauthentication_required(enabled=_creating)
def api_tokens(request):
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            token_id = whole_number(request.POST.get("token", ""), max_digits=17)
            token = (
                ApiToken.objects.filter(user=request.user, pk=token_id).first()
                if token_id is not None
                else None
            )
            if token is None:  # not yours, or no such token: the same answer
                raise Http404
            if revoke_token(token, actor=request.user, ip=client_ip(request)):
                messages.success(
                    request, _("Tokenet »%(name)s« er tilbagekaldt.") % {"name": token.name}
                )
            return redirect("accounts:api_tokens")
        if action == "create" and form.is_valid():
            active = ApiToken.objects.active().filter(user=request.user).count()
            if active >= MAX_ACTIVE_TOKENS:
                form.add_error(
                    "name",
                    TOO_MANY % {"n": active},
                )
            else:
                _token, raw = create_token(
                    request.user,
                    form.cleaned_data["name"].strip(),
                    ip=client_ip(request),
                    expires_at=form.expires_at(),
                )
                # Shown once, on the next page: kept in the session only until it is displayed.
                request.session[NEW_TOKEN_SESSION_KEY] = raw
                return redirect("accounts:api_tokens")
    new_token = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_token": new_token},
    )
