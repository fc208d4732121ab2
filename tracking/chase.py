"""The chase log: dated notes per municipality per round, and contact persons for
municipalities with no officer. Each write is one transaction with its audit entry."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

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
            {"da": "Skriv noten.", "en": "Write the note."},
            "note_required",
        )
    if len(text) > MAX_NOTE:
        raise ServiceError(
            {
                "da": f"Noten er for lang ({len(text)} tegn, højst {MAX_NOTE}).",
                "en": f"The note is too long ({len(text)} characters, at most {MAX_NOTE}).",
            },
            "note_too_long",
        )
    today = timezone.localdate()
    noted_on = noted_on or today
    if noted_on > today:
        raise ServiceError(
            {
                "da": "Datoen ligger i fremtiden. Noter det, der er sket, med dagens dato "
                "eller tidligere.",
                "en": "The date is in the future. Record what happened, dated today or earlier.",
            },
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
            {"da": "Skriv kontaktpersonens navn.", "en": "Enter the contact person's name."},
            "name_required",
        )
    if not email and not phone:
        raise ServiceError(
            {
                "da": "Skriv en e-mailadresse eller et telefonnummer, så personen kan kontaktes.",
                "en": "Enter an e-mail address or a phone number so the person can be reached.",
            },
            "contact_required",
        )
    if len(email) > MAX_EMAIL:
        raise ServiceError(
            {
                "da": f"E-mailadressen må højst være {MAX_EMAIL} tegn.",
                "en": f"The e-mail address can be at most {MAX_EMAIL} characters.",
            },
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
