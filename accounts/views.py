from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.audit import client_ip
from accounts.forms import InviteForm, SetPasswordForm
from accounts.models import Role, User
from accounts.permissions import coordinator_required, municipalities_for


@login_required
def my_municipalities(request):
    return render(
        request,
        "accounts/my_municipalities.html",
        {"municipalities": municipalities_for(request.user).order_by("name")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@coordinator_required
def invite(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invitation = services.invite_officer(
            form.cleaned_data["email"],
            form.cleaned_data["municipality"],
            invited_by=request.user,
            name=form.cleaned_data["name"],
            ip=client_ip(request),
        )
        messages.success(
            request,
            _("Invitation sendt til %(email)s for %(municipality)s.")
            % {"email": invitation.email, "municipality": invitation.municipality.name},
        )
        return redirect("accounts:invite")
    return render(request, "accounts/invite.html", {"form": form})


@coordinator_required
def officers(request):
    """Coordinators see every officer with their municipalities and may deactivate one who
    has left (their sessions end and their API tokens stop working at once)."""
    people = (
        User.objects.filter(role=Role.OFFICER)
        .prefetch_related("memberships__municipality")
        .order_by("-is_active", "email")
    )
    return render(request, "accounts/officers.html", {"people": people})


@login_required
@require_POST
@coordinator_required
def deactivate(request, user_id):
    person = get_object_or_404(User, pk=user_id, role=Role.OFFICER)
    if services.deactivate_user(person, actor=request.user, ip=client_ip(request)):
        messages.success(
            request,
            _("%(email)s er deaktiveret. Personen er logget ud, og API-nøgler virker ikke mere.")
            % {"email": person.email},
        )
    return redirect("accounts:officers")


@require_http_methods(["GET", "POST"])
def accept_invitation(request, token):
    invitation = services.find_open_invitation(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=410)
    form = SetPasswordForm(request.POST or None, user=invitation.user)
    if request.method == "POST" and form.is_valid():
        user = services.accept_invitation(
            invitation, password=form.cleaned_data["password1"], ip=client_ip(request)
        )
        if user is None:
            return render(request, "accounts/invitation_invalid.html", status=410)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Velkommen. Din adgangskode er gemt."))
        return redirect("home")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )
