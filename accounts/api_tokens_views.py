"""The account page for personal API tokens: create a named token (shown once), see the tokens
with their last use, revoke one. Only a token's SHA-256 digest is stored."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.models import ApiToken
from accounts.tokens import create_token, revoke_token

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


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    form = TokenForm(request.POST if request.POST.get("action") == "create" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            token_id = request.POST.get("token", "")
            token = (
                ApiToken.objects.filter(user=request.user, pk=int(token_id)).first()
                if token_id.isdigit() and len(token_id) < 18
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
            active = ApiToken.objects.filter(user=request.user, revoked_at=None).count()
            if active >= MAX_ACTIVE_TOKENS:
                form.add_error(
                    "name",
                    TOO_MANY % {"n": active},
                )
            else:
                _token, raw = create_token(
                    request.user, form.cleaned_data["name"].strip(), ip=client_ip(request)
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
