"""The audit log: one call per state change, inside the same transaction as the change."""

from allauth.account.adapter import get_adapter as get_account_adapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from accounts.models import AuditEvent


def client_ip(request):
    """The client's address as allauth's rate limits see it: X-Forwarded-For only as far as
    TRUSTED_PROXY_COUNT proxies vouch for it (docs/deploy.md), else REMOTE_ADDR."""
    if request is None:
        return None
    try:
        return get_account_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        # No usable address (or fewer X-Forwarded-For entries than trusted proxies): the
        # event is still recorded, without an address.
        return None


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
    event = _event(action, actor, ip if ip is not None else client_ip(request), object_type)
    event.object_ref, event.detail = object_ref[:200], detail or {}
    event.save()
    return event


def record_many(action, *, actor=None, ip=None, object_type="", refs=()):
    """One audit row per object reference, as `record` writes them, in one INSERT (a bulk
    action on many objects: the query count does not grow with their number)."""
    events = []
    for ref in refs:
        event = _event(action, actor, ip, object_type)
        event.object_ref, event.detail = str(ref)[:200], {}
        events.append(event)
    return AuditEvent.objects.bulk_create(events)


def _event(action, actor, ip, object_type):
    return AuditEvent(
        actor=actor if actor is not None and actor.pk else None,
        actor_email=getattr(actor, "email", "") or "",
        ip=ip,
        action=action,
        object_type=object_type,
    )
