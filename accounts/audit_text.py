"""The audit log in words: "Karin Koordinator inviterede ny@lolland.dk …" instead of
`user.invited accounts.user 17`. The stored rows are not changed; this only reads them.

`describe_page(events)` looks up, in a few queries for the whole page, the people and things
the rows refer to (through the namers the apps register), and returns one sentence per event
in the active language.
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
    "token.revoked_all": gettext_lazy(
        "%(actor)s fik alle sine API-tokens tilbagekaldt (ny adgangskode)"
    ),
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
    "impact.requested": gettext_lazy(
        "%(actor)s beregnede nye reglers virkning på svarene i runden %(object)s"
    ),
    "survey.created": gettext_lazy("%(actor)s oprettede undersøgelsen %(object)s"),
    "draft.opened": gettext_lazy("%(actor)s oprettede en kladde til undersøgelsen %(object)s"),
    "draft.saved": gettext_lazy("%(actor)s gemte kladden til undersøgelsen %(object)s"),
    "draft.discarded": gettext_lazy("%(actor)s kasserede kladden til undersøgelsen %(object)s"),
    "definition.published": gettext_lazy(
        "%(actor)s udgav en ny version af undersøgelsen %(object)s"
    ),
    "round.created": gettext_lazy("%(actor)s oprettede runden %(object)s"),
    "round.updated": gettext_lazy("%(actor)s rettede runden %(object)s"),
    "round.deleted": gettext_lazy("%(actor)s slettede kladden %(object)s"),
    "round.opened": gettext_lazy("%(actor)s åbnede runden %(object)s"),
    "round.open_scheduled": gettext_lazy("%(actor)s planlagde åbningen af runden %(object)s"),
    "round.closed": gettext_lazy("%(actor)s lukkede runden %(object)s"),
    "round.reopened": gettext_lazy("%(actor)s genåbnede runden %(object)s"),
    "round.created_historical": gettext_lazy(
        "%(actor)s oprettede den tidligere runde %(object)s (fra en tabel)"
    ),
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
    "submission.imported": gettext_lazy(
        "%(actor)s indlæste besvarelsen fra %(object)s fra en fil på kommunens vegne"
    ),
    "submission.import_undone": gettext_lazy(
        "%(actor)s fortrød importen af besvarelsen fra %(object)s"
    ),
    "import.uploaded": gettext_lazy("%(actor)s uploadede filen %(object)s til import"),
    "import.applied": gettext_lazy("%(actor)s indlæste filen %(object)s"),
    "import.undone": gettext_lazy("%(actor)s fortrød importen af filen %(object)s"),
    "submission.bulk_accepted": gettext_lazy(
        "%(actor)s godkendte flere besvarelser i runden %(object)s"
    ),
    "chase.note_added": gettext_lazy("%(actor)s skrev en opfølgningsnote om %(object)s"),
    "chase.contact_added": gettext_lazy("%(actor)s registrerede en kontaktperson for %(object)s"),
    "demo.loaded": gettext_lazy("%(actor)s indlæste demodata"),
    "register.created": gettext_lazy("%(actor)s oprettede registret %(object)s"),
    "register.members_loaded": gettext_lazy(
        "%(actor)s indlæste medlemmer i registret %(object)s fra en fil"
    ),
    "register.member_saved": gettext_lazy("%(actor)s rettede et medlem af registret %(object)s"),
    "selection.saved": gettext_lazy("%(actor)s gemte et udvalg i registret %(object)s"),
    "scale_data.generated": gettext_lazy("%(actor)s lavede testdata i stor skala"),
}


# object_type → namer(refs) → {ref: label}. Apps above accounts register theirs in their
# AppConfig.ready (accounts must not import them): surveys names rounds, submissions names
# "round-slug/code" references.
NAMERS = {}


def register_namer(object_type, namer):
    NAMERS[object_type] = namer


def _user_names(refs):
    pks = [int(r) for r in refs if r.isdigit()]
    return {
        str(pk): f"{name} ({email})" if name else email
        for pk, name, email in User.objects.filter(pk__in=pks).values_list("pk", "name", "email")
    }


register_namer("accounts.user", _user_names)


def _labels(events):
    """{(object_type, object_ref): label} for the events' objects, one query per type."""
    refs = {}
    for e in events:
        if e.object_type in NAMERS and e.object_ref:
            refs.setdefault(e.object_type, set()).add(e.object_ref)
    labels = {}
    for object_type, wanted in refs.items():
        for ref, label in NAMERS[object_type](wanted).items():
            labels[object_type, ref] = label
    return labels


def _actors(events):
    pks = {e.actor_id for e in events if e.actor_id}
    return {
        pk: name or email
        for pk, name, email in User.objects.filter(pk__in=pks).values_list("pk", "name", "email")
    }


def describe(event, labels, actors):
    if event.actor_id:
        actor = actors.get(event.actor_id, event.actor_email)
    else:
        actor = event.actor_email or _("Systemet")
    thing = labels.get((event.object_type, event.object_ref), event.object_ref or "—")
    values = {"actor": actor, "object": thing}
    sentence = SENTENCES.get(event.action)
    if sentence is None:
        return _("%(actor)s: %(action)s") % {**values, "action": event.action}
    text = str(sentence) % values
    return text[0].upper() + text[1:]


def describe_page(events):
    """[(event, sentence)] for the given events (a page of the log)."""
    events = list(events)
    labels, actors = _labels(events), _actors(events)
    return [(e, describe(e, labels, actors)) for e in events]
