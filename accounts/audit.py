"""The audit log: one call per state change, inside the same transaction as the change."""

from accounts.models import AuditEvent


def client_ip(request):
    if request is None:
        return None
    # Behind the reverse proxy (docs/deploy.md) the proxy sets X-Forwarded-For;
    # the last hop is the one our proxy added.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR") or None


def record(
    action,
    *,
    actor=None,
    request=None,
    ip=None,
    obj=None,
    object_type="",
    object_ref="",
    detail=None,
):
    """One audit row. Services pass the client's `ip` as a plain value (pages and the API read
    it with `client_ip(request)`); `request` is for callers that hold one."""
    if actor is None and request is not None and request.user.is_authenticated:
        actor = request.user
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_ref = object_ref or str(getattr(obj, "audit_ref", None) or obj.pk)
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        ip=ip if ip is not None else client_ip(request),
        action=action,
        object_type=object_type,
        object_ref=object_ref[:200],
        detail=detail or {},
    )
