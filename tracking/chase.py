"""The chase log: dated notes per municipality per round, and contact persons for
municipalities with no officer. Each write is one transaction with its audit entry."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.audit import record
from accounts.models import User
from reference.models import Municipality
from submissions.models import ChaseNote, Contact
from submissions.services import ServiceError
from surveys.models import Round

MAX_NOTE = 4000


def add_note(
    round_: Round,
    municipality: Municipality,
    *,
    actor: User,
    text: str,
    noted_on: dt.date | None = None,
    ip: str | None = None,
) -> ChaseNote:
    text = (text or "").strip()
    if not text:
        raise ServiceError(
            _("Skriv noten."),
            "note_required",
        )
    if len(text) > MAX_NOTE:
        raise ServiceError(
            _("Noten er for lang (%(length)s tegn, højst %(max)s).")
            % {"length": len(text), "max": MAX_NOTE},
            "note_too_long",
        )
    today = timezone.localdate()
    noted_on = noted_on or today
    if noted_on > today:
        raise ServiceError(
            _(
                "Datoen ligger i fremtiden. Noter det, der er sket, med dagens dato "
                "eller tidligere."
            ),
            "note_in_future",
        )
    with transaction.atomic():
        note = ChaseNote.objects.create(
            round=round_, municipality=municipality, noted_on=noted_on, text=text, author=actor
        )
        record(
            "chase.note_added",
            actor=actor,
            ip=ip,
            object_type="chase_note",
            object_ref=f"{round_.slug}/{municipality.code}",
            detail={"note_id": note.pk, "noted_on": noted_on.isoformat()},
        )
    return note


MAX_EMAIL = 254  # Contact.email (Django's EmailField)


def add_contact(
    municipality: Municipality,
    *,
    actor: User,
    name: str,
    email: str = "",
    phone: str = "",
    title: str = "",
    ip: str | None = None,
) -> Contact:
    name, email = (name or "").strip(), (email or "").strip().lower()
    phone, title = (phone or "").strip(), (title or "").strip()
    if not name:
        raise ServiceError(
            _("Skriv kontaktpersonens navn."),
            "name_required",
        )
    if not email and not phone:
        raise ServiceError(
            _("Skriv en e-mailadresse eller et telefonnummer, så personen kan kontaktes."),
            "contact_required",
        )
    if len(email) > MAX_EMAIL:
        raise ServiceError(
            _("E-mailadressen må højst være %(max)s tegn.") % {"max": MAX_EMAIL},
            "email_too_long",
        )
    with transaction.atomic():
        contact = Contact.objects.create(
            municipality=municipality,
            name=name[:200],
            email=email,
            phone=phone[:40],
            title=title[:200],
            created_by=actor,
        )
        record(
            "chase.contact_added",
            actor=actor,
            ip=ip,
            object_type="contact",
            object_ref=municipality.code,
            detail={"contact_id": contact.pk},
        )
    return contact
