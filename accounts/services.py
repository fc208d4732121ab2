"""Account writes: each one function, one transaction, one audit row; e-mail after commit."""

import re
import secrets
from collections.abc import Iterable
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import tasks
from accounts.audit import record
from accounts.models import Invitation, Membership, Role, User
from accounts.selectors import open_invitations
from accounts.tokens import revoke_all_tokens
from reference.models import KOMMUNER, Municipality


def _verified_email(user):
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


def on_new_password(user: User, *, ip: str | None = None) -> int:
    """What a new password means: the old one may be known to someone, so every API token of
    the user stops working too (audited; the token page says so). The one home of the rule:
    `set_password` calls it, and so do allauth's password signals (accounts.signals), which
    fire after allauth has saved the password itself. Returns how many were revoked."""
    return revoke_all_tokens(user, reason="password_changed", ip=ip)


def set_password(user: User, password: str | None, *, ip: str | None = None) -> None:
    """Give the user a new password (None: an unusable one), saved with its consequences
    (`on_new_password`) in one transaction. Every path that sets a password calls this: the
    invitation, `add_user --password`, the admin's password form."""
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        on_new_password(user, ip=ip)


def ensure_user(
    email: str,
    role: str,
    *,
    municipality_codes: Iterable[str] = (),
    name: str = "",
    password: str | None = None,
    actor: User | None = None,
    register: str = KOMMUNER,
) -> tuple[User, bool]:
    """Create or update a user idempotently. Returns (user, changed: bool).

    Unknown municipality codes are refused before anything is written. The codes are of the
    members of `register` (a register key; the municipalities unless said otherwise).
    """
    email = email.strip().lower()
    if role not in Role.values:
        raise ValidationError(_("Ukendt rolle: %(role)s") % {"role": role})
    codes = list(dict.fromkeys(municipality_codes))
    found = {m.code: m for m in Municipality.objects.of_register(register).filter(code__in=codes)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError(_("Ukendt kommunekode: %(codes)s") % {"codes": ", ".join(unknown)})
    changed = False
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, role=role, name=name)
            changed = True
            record("user.created", actor=actor, obj=user, detail={"role": role})
        else:
            if user.role != role:
                user.role = role
                user.save(update_fields=["role"])
                changed = True
                record("user.role_changed", actor=actor, obj=user, detail={"role": role})
            if name and user.name != name:
                user.name = name
                user.save(update_fields=["name"])
                changed = True
            if password and not user.check_password(password):
                set_password(user, password)
                changed = True
        if not EmailAddress.objects.filter(user=user, email=user.email, verified=True).exists():
            _verified_email(user)
        for code in codes:
            _membership, created = Membership.objects.get_or_create(
                user=user, municipality=found[code]
            )
            if created:
                changed = True
                record("membership.added", actor=actor, obj=user, detail={"municipality": code})
    return user, changed


def invite_officer(
    email: str,
    municipality: Municipality,
    *,
    invited_by: User,
    name: str = "",
    ip: str | None = None,
) -> Invitation:
    """Invite a person as officer for a municipality. An existing user gets the membership
    added (and an e-mail telling them), never an error."""
    email = email.strip().lower()
    with transaction.atomic():
        user = User.objects.filter(email__iexact=email).first()
        existed = user is not None
        if user is None:
            user = User.objects.create_user(email=email, role=Role.OFFICER, name=name)
            # Unverified until they follow the link or confirm a login code sent to it.
            EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
        Membership.objects.get_or_create(user=user, municipality=municipality)
        invitation = Invitation.objects.create(
            email=email,
            municipality=municipality,
            invited_by=invited_by,
            user=user,
            token=secrets.token_urlsafe(32),
        )
        record(
            "user.invited",
            actor=invited_by,
            ip=ip,
            obj=user,
            detail={"municipality": municipality.code, "existing_user": existed},
        )
        invitation_id = invitation.pk
        transaction.on_commit(lambda: tasks.send_invitation.enqueue(invitation_id))
    return invitation


# What secrets.token_urlsafe makes, within Invitation.token's max_length. Anything else (a NUL
# byte, which PostgreSQL refuses in a query) cannot be an invitation and is not looked up.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")


def find_open_invitation(token: str) -> Invitation | None:
    """The invitation for this token if it is unused and not expired, else None."""
    if not TOKEN_RE.fullmatch(token):
        return None
    cutoff = timezone.now() - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    return (
        open_invitations()
        .select_related("user", "municipality")
        .filter(token=token, created_at__gte=cutoff)
        .first()
    )


def accept_invitation(
    invitation: Invitation, *, password: str | None, ip: str | None = None
) -> User | None:
    with transaction.atomic():
        claimed = open_invitations().filter(pk=invitation.pk).update(accepted_at=timezone.now())
        if not claimed:
            return None
        user = invitation.user
        # The other links sent to this person are spent too: one mailbox, one way in.
        spent = open_invitations().filter(user=user).update(accepted_at=timezone.now())
        if password:
            set_password(user, password, ip=ip)
        _verified_email(user)
        record(
            "invitation.accepted",
            actor=user,
            ip=ip,
            obj=user,
            detail={"other_invitations_spent": spent} if spent else None,
        )
    return user


def deactivate_user(user: User, *, actor: User | None, ip: str | None = None) -> bool:
    """Deactivating ends every session of the user and revokes their API tokens.
    Deactivating twice is harmless (and audited once). Returns whether anything changed."""
    with transaction.atomic():
        changed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        revoke_all_tokens(user)
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
            if session.get_decoded().get("_auth_user_id") == str(user.pk):
                session.delete()
        if changed:
            record("user.deactivated", actor=actor, ip=ip, obj=user)
    return bool(changed)


def resend_invitation(invitation: Invitation, *, actor: User, ip: str | None = None) -> bool:
    """Send a pending invitation again with a new link (the old link stops working) and a new
    expiry. False if it was accepted or withdrawn meanwhile (nothing happens)."""
    with transaction.atomic():
        changed = (
            open_invitations()
            .filter(pk=invitation.pk)
            .update(token=secrets.token_urlsafe(32), created_at=timezone.now())
        )
        if not changed:
            return False
        record(
            "invitation.resent",
            actor=actor,
            ip=ip,
            obj=invitation.user,
            detail={"email": invitation.email, "municipality": invitation.municipality.code},
        )
        invitation_id = invitation.pk
        transaction.on_commit(lambda: tasks.send_invitation.enqueue(invitation_id))
    return True


def withdraw_invitation(invitation: Invitation, *, actor: User, ip: str | None = None) -> bool:
    """Withdraw a pending invitation: its link stops working, and a person who has never
    logged in loses the municipality the invitation gave them (and, left with none, is
    deactivated). False if it was accepted or withdrawn meanwhile (nothing happens)."""
    with transaction.atomic():
        deleted, _rows = open_invitations().filter(pk=invitation.pk).delete()
        if not deleted:
            return False
        user = invitation.user
        if user.last_login is None:
            Membership.objects.filter(user=user, municipality=invitation.municipality).delete()
            if not Membership.objects.filter(user=user).exists():
                User.objects.filter(pk=user.pk).update(is_active=False)
        record(
            "invitation.withdrawn",
            actor=actor,
            ip=ip,
            obj=user,
            detail={"email": invitation.email, "municipality": invitation.municipality.code},
        )
    return True
