"""Personal API tokens: random, shown once, stored as a SHA-256 digest, revocable."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import ApiToken

TOKEN_PREFIX = "ind_"  # noqa: S105 — a public prefix, not a secret


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user, name: str, *, ip: str | None = None) -> tuple[ApiToken, str]:
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], digest=_digest(raw))
        record("token.created", actor=user, ip=ip, obj=token, detail={"name": name})
    return token, raw


def revoke_token(token: ApiToken, *, actor, ip: str | None = None) -> bool:
    with transaction.atomic():
        changed = ApiToken.objects.filter(pk=token.pk, revoked_at=None).update(
            revoked_at=timezone.now()
        )
        if changed:
            record("token.revoked", actor=actor, ip=ip, obj=token)
    return bool(changed)


def revoke_all_tokens(user) -> int:
    return ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())


def authenticate_token(raw: str):
    """Return the token's user, or None. Updates last-used at most once a minute."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    # The digest is unique: at most one row, so no ORDER BY.
    found = ApiToken.objects.select_related("user").filter(
        digest=_digest(raw), revoked_at=None, user__is_active=True
    )[:1]
    token = found[0] if found else None
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
