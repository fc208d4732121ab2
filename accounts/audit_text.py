"""The audit log in words: "Karin Koordinator inviterede ny@lolland.dk …" instead of
`user.invited accounts.user 17`. The stored rows are not changed; this only reads them.

`describe_page(events)` looks up, in a few queries for the whole page, the people, rounds and
municipalities the rows refer to, and returns one sentence per event (in the active language).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User

# action → sentence. %(actor)s is who did it, %(object)s what it was done to.
SENTENCES = {
    "auth.login": gettext_lazy("%(actor)s loggede ind"),
    "auth.logout": gettext_lazy("%(actor)s loggede ud"),
    "auth.login_failed": gettext_lazy("Mislykket login med %(object)s"),
    "auth.login_code_rejected": gettext_lazy("Forkert login-kode til %(object)s"),
    "mfa.added": gettext_lazy("%(actor)s slog totrinsbekræftelse til"),
    "mfa.removed": gettext_lazy("%(actor)s slog totrinsbekræftelse fra"),
    "mfa.reset": gettext_lazy("%(actor)s lavede nye gendannelseskoder"),
    "token.created": gettext_lazy("%(actor)s oprettede et API-token"),
    "token.revoked": gettext_lazy("%(actor)s tilbagekaldte et API-token"),
    "audit.exported": gettext_lazy("%(actor)s hentede revisionsloggen som CSV"),
    "user.created": gettext_lazy("%(actor)s oprettede brugeren %(object)s"),
    "user.role_changed": gettext_lazy("%(actor)s ændrede rollen for %(object)s"),
    "user.invited": gettext_lazy("%(actor)s inviterede %(object)s"),
    "user.deactivated": gettext_lazy("%(actor)s deaktiverede %(object)s"),
    "invitation.accepted": gettext_lazy("%(actor)s tog imod sin invitation"),
    "invitation.resent": gettext_lazy("%(actor)s sendte invitationen til %(object)s igen"),
    "invitation.withdrawn": gettext_lazy("%(actor)s trak invitationen til %(object)s tilbage"),
    "membership.added": gettext_lazy("%(actor)s gav %(object)s adgang til en kommune"),
    "definition.imported": gettext_lazy("%(actor)s indlæste skemadefinitionen %(object)s"),
    "round.created": gettext_lazy("%(actor)s oprettede runden %(object)s"),
    "round.updated": gettext_lazy("%(actor)s rettede runden %(object)s"),
    "round.deleted": gettext_lazy("%(actor)s slettede kladden %(object)s"),
    "round.opened": gettext_lazy("%(actor)s åbnede runden %(object)s"),
    "round.open_scheduled": gettext_lazy("%(actor)s planlagde åbningen af runden %(object)s"),
    "round.closed": gettext_lazy("%(actor)s lukkede runden %(object)s"),
    "round.reopened": gettext_lazy("%(actor)s genåbnede runden %(object)s"),
    "round.reminder_settings": gettext_lazy(
        "%(actor)s ændrede påmindelsesplanen for runden %(object)s"
    ),
    "reminders.sent": gettext_lazy("%(actor)s sendte påmindelser i runden %(object)s"),
    "reminders.scheduled": gettext_lazy("Planen sendte påmindelser i runden %(object)s"),
    "submission.saved": gettext_lazy("%(actor)s gemte besvarelsen fra %(object)s"),
    "submission.submitted": gettext_lazy("%(actor)s indsendte besvarelsen fra %(object)s"),
    "submission.reopened": gettext_lazy("%(actor)s genåbnede besvarelsen fra %(object)s"),
    "submission.accepted": gettext_lazy("%(actor)s godkendte besvarelsen fra %(object)s"),
    "submission.returned": gettext_lazy("%(actor)s sendte besvarelsen fra %(object)s retur"),
    "submission.bulk_accepted": gettext_lazy(
        "%(actor)s godkendte flere besvarelser i runden %(object)s"
    ),
    "chase.note_added": gettext_lazy("%(actor)s skrev en opfølgningsnote om %(object)s"),
    "chase.contact_added": gettext_lazy("%(actor)s registrerede en kontaktperson for %(object)s"),
    "demo.loaded": gettext_lazy("%(actor)s indlæste demodata"),
    "scale_data.generated": gettext_lazy("%(actor)s lavede testdata i stor skala"),
}


def _lookups(events):
    """{("user", pk): "name (e-mail)", ("actor", pk): name, ("round", pk or slug): title,
    ("municipality", code): name}."""
    from surveys.models import Municipality, Round

    user_ids, round_ids, slugs, codes = set(), set(), set(), set()
    for e in events:
        if e.actor_id:
            user_ids.add(e.actor_id)
        ref = e.object_ref
        if e.object_type == "accounts.user" and ref.isdigit():
            user_ids.add(int(ref))
        elif e.object_type == "surveys.round" and ref.isdigit():
            round_ids.add(int(ref))
        elif "/" in ref:
            slug, _sep, code = ref.partition("/")
            slugs.add(slug)
            codes.add(code)
        elif e.action == "chase.contact_added":
            codes.add(ref)
    names = {}
    for pk, name, email in User.objects.filter(pk__in=user_ids).values_list("pk", "name", "email"):
        names["user", pk] = f"{name} ({email})" if name else email
        names["actor", pk] = name or email
    for pk, title in Round.objects.filter(pk__in=round_ids).values_list("pk", "title"):
        names["round", pk] = title
    for slug, title in Round.objects.filter(slug__in=slugs).values_list("slug", "title"):
        names["round", slug] = title
    for code, name in Municipality.objects.filter(code__in=codes).values_list("code", "name"):
        names["municipality", code] = name
    return names


def _object(event, names):
    ref, kind = event.object_ref, event.object_type
    if kind == "accounts.user" and ref.isdigit():
        return names.get(("user", int(ref)), ref)
    if kind == "surveys.round" and ref.isdigit():
        return names.get(("round", int(ref)), ref)
    if "/" in ref:
        slug, _sep, code = ref.partition("/")
        municipality = names.get(("municipality", code), code)
        round_ = names.get(("round", slug), slug)
        return _("%(municipality)s i %(round)s") % {"municipality": municipality, "round": round_}
    if event.action == "chase.contact_added":
        return names.get(("municipality", ref), ref)
    return ref or "—"


def describe(event, names):
    if event.actor_id:
        actor = names.get(("actor", event.actor_id), event.actor_email)
    else:
        actor = event.actor_email or _("Systemet")
    values = {"actor": actor, "object": _object(event, names)}
    sentence = SENTENCES.get(event.action)
    if sentence is None:
        return _("%(actor)s: %(action)s") % {**values, "action": event.action}
    text = str(sentence) % values
    return text[0].upper() + text[1:]


def describe_page(events):
    """[(event, sentence)] for the given events (a page of the log)."""
    events = list(events)
    names = _lookups(events)
    return [(e, describe(e, names)) for e in events]
