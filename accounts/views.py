from allauth.account.utils import perform_login
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.audit import client_ip
from accounts.forms import InviteForm, SetPasswordForm
from accounts.models import Role, User
from accounts.permissions import coordinator_required, municipalities_for
from lib.query import query_text
from reference.models import KOMMUNER, Register


@login_required
def my_municipalities(request):
    """Officers: the organisations they answer for (of any register); coordinators and
    analysts: all municipalities (they read every register's data; the registers have their
    own pages)."""
    organisations = municipalities_for(request.user)
    if request.user.can_read_all:
        organisations = organisations.filter(register__key=KOMMUNER)
    return render(
        request,
        "accounts/my_municipalities.html",
        {"municipalities": organisations.order_by("name")},
    )


@login_required
@require_http_methods(["GET", "POST"])
@coordinator_required
def invite(request):
    key = query_text(request.POST or request.GET, "register")  # None: a NUL, unknown as any
    register = Register.objects.filter(key=key or KOMMUNER).first() if key is not None else None
    if register is None:
        raise Http404
    form = InviteForm(request.POST or None, register=register)
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
        if register.key != KOMMUNER:
            return redirect(f"{reverse('accounts:invite')}?register={register.key}")
        return redirect("accounts:invite")
    others = Register.objects.exclude(pk=register.pk).order_by("name")
    return render(
        request,
        "accounts/invite.html",
        {"form": form, "register": register, "other_registers": others},
    )


@coordinator_required
def officers(request):
    """Coordinators see every officer with their municipalities and may deactivate one who
    has left (their sessions end and their API tokens stop working at once)."""
    people = (
        User.objects.filter(role=Role.OFFICER)
        .prefetch_related("memberships__municipality")
        .order_by("-is_active", "email")
    )
    return render(
        request,
        "accounts/officers.html",
        {
            "people": people,
            "invitations": [
                (i, selectors.invitation_expires_at(i)) for i in selectors.pending_invitations()
            ],
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
@coordinator_required
def resend_invitation(request, invitation_id):
    invitation = selectors.get_pending_invitation(invitation_id)
    if services.resend_invitation(invitation, actor=request.user, ip=client_ip(request)):
        messages.success(
            request,
            _(
                "Invitationen er sendt igen til %(email)s med et nyt link. "
                "Det gamle link virker ikke mere."
            )
            % {"email": invitation.email},
        )
    return redirect("accounts:officers")


@login_required
@require_POST
@coordinator_required
def withdraw_invitation(request, invitation_id):
    invitation = selectors.get_pending_invitation(invitation_id)
    if services.withdraw_invitation(invitation, actor=request.user, ip=client_ip(request)):
        messages.success(
            request,
            _("Invitationen til %(email)s er trukket tilbage. Linket i e-mailen virker ikke mere.")
            % {"email": invitation.email},
        )
    return redirect("accounts:officers")


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
        messages.success(request, _("Velkommen. Din adgangskode er gemt."))
        # Through allauth's login stages, as any other login: someone with TOTP is asked for
        # a code before the session is theirs (a mailbox alone is not enough).
        return perform_login(request, user, redirect_url=reverse("home"))
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )
