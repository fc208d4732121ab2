"""Personal API tokens: random, shown once, stored as a SHA-256 digest, revocable."""

import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import ApiToken, User

TOKEN_PREFIX = "ind_"  # noqa: S105 — a public prefix, not a secret
DEFAULT_LIFETIME_DAYS = 365
_DEFAULT = object()


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user: User, name: str, *, ip: str | None = None, expires_at: datetime | None | object = _DEFAULT
) -> tuple[ApiToken, str]:
    """A new token; it expires after DEFAULT_LIFETIME_DAYS unless `expires_at` says otherwise
    (None: never)."""
    if expires_at is _DEFAULT:
        expires_at = timezone.now() + timedelta(days=DEFAULT_LIFETIME_DAYS)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, prefix=raw[:12], digest=_digest(raw), expires_at=expires_at
        )
        record(
            "token.created",
            actor=user,
            ip=ip,
            obj=token,
            detail={"name": name, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return token, raw


def revoke_token(token: ApiToken, *, actor: User, ip: str | None = None) -> bool:
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if changed:
            record("token.revoked", actor=actor, ip=ip, obj=token)
    return bool(changed)


def revoke_all_tokens(user: User, *, reason: str = "", ip: str | None = None) -> int:
    """Revoke every active token of the user; with a `reason`, audited (once, if any)."""
    with transaction.atomic():
        count = ApiToken.objects.filter(user=user, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if count and reason:
            record(
                "token.revoked_all",
                actor=user,
                ip=ip,
                obj=user,
                detail={"reason": reason, "count": count},
            )
    return count


def authenticate_token(raw: str) -> User | None:
    """Return the token's user, or None. Updates last-used at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    # The digest is unique: at most one row, so no ORDER BY.
    found = (
        ApiToken.objects.active()
        .select_related("user")
        .filter(digest=_digest(raw), user__is_active=True)[:1]
    )
    token = found[0] if found else None
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
