"""E-mails about submissions (receipt; returned for correction), from templates/email/.

Each function takes an ID (they run as background tasks, after the transaction committed),
loads what it needs and sends one message per recipient (no one sees another's address).
E-mails are written in Danish, the officers' language.
"""

import logging

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation

from accounts.selectors import officers_of
from lib.mail import EMAIL_LANGUAGE, absolute_url, render_subject, send_messages
from submissions.forms import (
    entry_rows,
    entry_title,
    readable_value,
    summary_groups,
    summary_rows,
)
from submissions.models import Submission
from submissions.validation import hidden_keys
from surveys.definitions import text

log = logging.getLogger(__name__)


def receipt_data(submission, round_, municipality, language=None):
    """What a receipt shows (page, e-mail, PDF): the submitted answers in readable form."""
    spec = round_.definition.spec
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    hidden = hidden_keys(spec, answers)  # questions a show-when hides: no answer, not listed
    entries, groups = [], []
    if spec.has_entries:
        for i, entry in enumerate(answers.get("entries") or []):
            if not isinstance(entry, dict):
                entry = {}
            entry_hidden = hidden[i] if i < len(hidden) else set()
            entries.append(
                {
                    "title": entry_title(spec, entry, i, language),
                    "rows": [
                        (text(q.label, language), readable_value(q, entry.get(q.key), language))
                        for q in spec.questions
                        if q.key not in entry_hidden
                    ],
                    "groups": entry_rows(spec, entry, language, hidden=entry_hidden),
                }
            )
        rows = []
    else:
        rows = summary_rows(spec, answers, submission.derived, language, hidden=hidden)
        groups = summary_groups(spec, answers, submission.derived, language, hidden=hidden)
    # The explanations of the warnings the answers raise, each under its warning (one typed
    # for a warning that has since gone away is kept in the draft but is not part of this).
    given = submission.explanations or {}
    explanations = [
        (text(f["message"], language), given[f["explain"]])
        for f in submission.findings or []
        if f.get("severity") == "warning" and given.get(f.get("explain"))
    ]
    return {
        "receipt_number": receipt_number(submission),
        "survey_title": text(spec.title, language),
        "summary_rows": rows,
        "summary_groups": groups,
        "summary_entries": entries,
        "nothing_to_report": spec.has_entries and bool(answers.get("nothing_to_report")),
        "summary_explanations": explanations,
        "submitted_at": submission.submitted_at,
        "submitted_by": submission.submitted_by,
        "late": submission.late,
        "round": round_,
        "municipality": municipality,
        "submission": submission,
    }


def receipt_number(submission):
    """The number a municipality can quote: round, municipality and the submitted version."""
    return f"IND-{submission.round_id}-{submission.municipality.code}-{submission.version}"


RECEIPT_CACHE_SECONDS = 30 * 24 * 3600


def receipt_pdf(submission, language=EMAIL_LANGUAGE, audience="all"):
    """The receipt PDF, rendered once per submitted version, language and audience ("all",
    or "analyst" for a submission restricted by submissions.visibility) and then reused: a
    receipt is of a version, which never changes."""
    from django.core.cache import cache

    stamp = submission.submitted_at.timestamp() if submission.submitted_at else 0
    key = f"receipt-pdf:{submission.pk}:{submission.version}:{stamp}:{language}:{audience}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_receipt_pdf(submission, language)
        cache.set(key, pdf, RECEIPT_CACHE_SECONDS)
    return pdf


def render_receipt_pdf(submission, language=EMAIL_LANGUAGE):
    """A PDF copy of what was submitted (WeasyPrint; no network fetches). Set in DKFDS's IBM
    Plex Sans from the dkfds package; characters that font cannot show (emoji, say) are
    replaced by their Unicode name in brackets, so nothing typed silently turns into a box."""
    # Loaded on first use, not at start-up: WeasyPrint is slow to import.
    from weasyprint import HTML

    from submissions import pdf_fonts

    with translation.override(language):
        context = receipt_data(submission, submission.round, submission.municipality, language)
        context["font_faces"] = pdf_fonts.font_faces()
        context["pdf_language"] = language
        html = render_to_string("submissions/receipt_pdf.html", context)
    return HTML(
        string=pdf_fonts.printable(html), base_url=None, url_fetcher=pdf_fonts.fetch_font
    ).write_pdf()


def send_receipt(submission_id):
    """Receipt to the submitting person and every officer of the municipality: a summary in
    the body and the PDF copy attached."""
    submission = Submission.objects.select_related(
        "round__survey", "round__definition", "municipality", "submitted_by"
    ).get(pk=submission_id)
    recipients = {u.email for u in officers_of([submission.municipality_id])}
    if submission.submitted_by and submission.submitted_by.email:
        recipients.add(submission.submitted_by.email)
    with translation.override(EMAIL_LANGUAGE):
        context = receipt_data(
            submission, submission.round, submission.municipality, EMAIL_LANGUAGE
        )
        context["receipt_url"] = absolute_url(
            "submissions:receipt", submission.round.slug, submission.municipality.code
        )
        subject = render_subject("email/receipt_subject.txt", context)
        body = render_to_string("email/receipt.txt", context)
    pdf = receipt_pdf(submission)
    filename = f"kvittering-{submission.round.slug}-{submission.municipality.code}.pdf"
    out = []
    for email in sorted(recipients):
        message = EmailMessage(subject, body, to=[email])
        message.attach(filename, pdf, "application/pdf")
        out.append(message)
    return send_messages(out)


def send_returned(submission_id):
    """The coordinator returned a submission: tell the officers why, with a link."""
    submission = Submission.objects.select_related(
        "round__survey", "round__definition", "municipality"
    ).get(pk=submission_id)
    with translation.override(EMAIL_LANGUAGE):
        context = {
            "round": submission.round,
            "municipality": submission.municipality,
            "survey_title": text(submission.round.definition.spec.title, EMAIL_LANGUAGE),
            "reason": submission.returned_reason,
            "form_url": absolute_url(
                "submissions:form", submission.round.slug, submission.municipality.code
            ),
        }
        subject = render_subject("email/returned_subject.txt", context)
        body = render_to_string("email/returned.txt", context)
    return send_messages(
        [
            EmailMessage(subject, body, to=[u.email])
            for u in officers_of([submission.municipality_id])
        ]
    )
