"""The officer's form: thin views over submissions.services.

Every view starts from the scoped lookup `get_round_and_municipality` (404 for anything the
user may not see). Writes go through the services; what the officer typed is always shown
back, whatever was refused.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import client_ip
from lib.query import whole_number
from lib.throttle import export_throttled
from submissions import diff, forms, services
from submissions.models import Submission, SubmissionState
from submissions.notifications import receipt_data
from submissions.permissions import can_edit, get_round_and_municipality, is_member
from submissions.validation import MAX_EXPLANATION_LENGTH, hidden_keys, hidden_reply, validate
from submissions.validation import message as validation_message
from submissions.visibility import restrict_submission, sees_everything
from surveys.definitions import text


def _lang():
    return (get_language() or "da")[:2]


class Page:
    """Everything a form page needs to know about one round × municipality for one user."""

    def __init__(self, request, slug, code):
        self.request = request
        self.user = request.user
        self.round, self.municipality = get_round_and_municipality(request.user, slug, code)
        self.spec = self.round.definition.spec
        self.submission = restrict_submission(
            user=self.user,
            spec=self.spec,
            submission=Submission.objects.filter(
                round=self.round, municipality=self.municipality
            ).first(),
        )
        self.can_edit = can_edit(self.user, self.municipality)
        self.on_behalf = (
            self.can_edit
            and self.user.is_coordinator
            and not is_member(self.user, self.municipality)
        )

    @property
    def state(self):
        return self.submission.state if self.submission else None

    @property
    def version(self):
        return self.submission.version if self.submission else 0

    @property
    def answers(self):
        return self.submission.answers if self.submission else {}

    @property
    def explanations(self):
        return self.submission.explanations if self.submission else {}

    @property
    def findings(self):
        return self.submission.findings if self.submission else []

    @property
    def responded(self):
        return bool(self.submission and self.submission.has_responded)

    @property
    def editable(self):
        """May this user change the answers right now? (services.may_save, as the API.)"""
        return services.may_save(
            self.round, self.municipality, user=self.user, submission=self.submission
        )

    @property
    def can_reopen(self):
        return (
            self.can_edit
            and not self.round.is_closed
            and self.state == SubmissionState.SUBMITTED
            and (self.user.is_coordinator or not self.round.is_past_deadline())
        )

    def require_edit(self):
        if not self.can_edit:
            raise PermissionDenied

    def url(self, name="form", *args):
        return reverse(f"submissions:{name}", args=[self.round.slug, self.municipality.code, *args])

    def context(self, **extra):
        return {
            "round": self.round,
            "municipality": self.municipality,
            "spec": self.spec,
            "survey_title": text(self.spec.title, _lang()),
            "description": text(self.spec.description, _lang()),
            "submission": self.submission,
            "version": self.version,
            "editable": self.editable,
            "can_edit": self.can_edit,
            "can_reopen": self.can_reopen,
            "on_behalf": self.on_behalf,
            "past_deadline": self.round.is_past_deadline(),
            "form_url": self.url(),
            "relevance_url": self.url("relevance") if self.spec.has_relevance else "",
            "revision_count": self.revision_count,
            **extra,
        }

    @property
    def revision_count(self):
        """How many versions the history holds: shown to coordinators (a submission saved
        thousands of times stands out); None for everyone else."""
        if self.submission is None or not self.user.is_coordinator:
            return None
        return self.submission.revisions.count()


def _flat_context(
    page,
    answers,
    findings,
    explanations,
    *,
    attempted_submit=False,
    explanation_errors=None,
    **extra,
):
    lang = _lang()
    hidden = hidden_keys(page.spec, answers)
    fields = forms.build_fields(
        page.spec,
        answers,
        findings,
        explanations,
        language=lang,
        attempted_submit=attempted_submit,
        hidden=hidden,
        explanation_errors=explanation_errors,
    )
    general = forms.general_findings(findings, language=lang)
    derived = page.submission.derived if page.submission else {}
    return page.context(
        fields=fields,
        groups=forms.field_groups(page.spec, fields, lang),
        general=general,
        summary=forms.error_summary(fields, general, explanation_needed=attempted_submit),
        attempted_submit=attempted_submit,
        readonly_rows=forms.summary_rows(page.spec, answers, derived, lang, hidden=hidden),
        readonly_groups=forms.summary_groups(page.spec, answers, derived, lang, hidden=hidden),
        **extra,
    )


_FOCUS_SUMMARY = "submissions_focus_summary"


def _focus_summary_next(request):
    """After a save with errors the redirected page moves focus to its error summary (once)."""
    request.session[_FOCUS_SUMMARY] = True


def _focus_summary_now(request):
    return bool(request.session.pop(_FOCUS_SUMMARY, False))


def _render_form(request, page, status=200, **ctx):
    ctx.setdefault("focus_summary", _focus_summary_now(request))
    template = "submissions/entries.html" if page.spec.has_entries else "submissions/form.html"
    if page.spec.has_entries:
        ctx = _entries_context(page, **ctx)
    elif "fields" not in ctx:
        ctx = _flat_context(page, page.answers, page.findings, page.explanations, **ctx)
    return render(request, template, ctx, status=status)


def _conflict_rows(page, typed_answers):
    """What the user typed against what is saved now (for a stale-version refusal)."""
    lang = _lang()
    current = page.submission.answers if page.submission else {}
    typed = validate(page.spec, typed_answers).answers
    rows = []
    for q in page.spec.questions:
        if typed.get(q.key) != current.get(q.key):
            rows.append(
                {
                    "label": text(q.label, lang),
                    "current": forms.readable_value(q, current.get(q.key), lang),
                    "yours": forms.readable_value(q, typed.get(q.key), lang),
                }
            )
    return rows


def _explanation_errors(exc):
    """{warning key: message} for the explanations an ExplanationTooLong refused."""
    too_long = validation_message("explanation_too_long", max=MAX_EXPLANATION_LENGTH)
    return {key: text(too_long, _lang()) for key in exc.keys}


def _wants_json(request):
    return request.headers.get("X-Autosave") == "1"


def _autosave_reply(outcome=None, *, error=None, status=200, version=None):
    if error is not None:
        return JsonResponse(
            {"ok": False, "message": str(error.message), "code": error.code, "version": version},
            status=status,
        )
    sub = outcome.submission
    return JsonResponse(
        {
            "ok": True,
            "version": sub.version,
            "saved": outcome.changed,
            "errors": sub.error_count,
            "warnings": sub.warning_count,
            "message": _("Kladden blev gemt automatisk kl. %(time)s.")
            % {"time": sub.last_activity_at.astimezone().strftime("%H:%M")},
        }
    )


@login_required
@require_http_methods(["GET", "POST"])
def form(request, slug, code):
    page = Page(request, slug, code)
    if request.method == "GET":
        return _render_form(request, page)
    page.require_edit()
    if page.spec.has_entries:
        return _entries_post(request, page)

    action = request.POST.get("action", "save")
    if action == "submit" and page.responded:
        messages.info(request, _("Besvarelsen er allerede indsendt."))
        return redirect(page.url("receipt"))
    typed = forms.parse_answers(page.spec, request.POST)
    # Explanations of warnings not on the page now are kept, so one typed while a warning
    # showed comes back if the warning does (nothing typed is dropped).
    explanations = forms.parse_explanations(page.spec, request.POST, page.explanations)
    version = request.POST.get("version")
    if whole_number(version) is None:
        version = "-1"  # missing or garbled: refused like a stale version, nothing overwritten

    def show_typed(status, **extra):
        result = validate(
            page.spec, typed, services.previous_answers(page.round, page.municipality)
        )
        # Nothing was saved: a question hidden by a show-when keeps what was typed in it, so
        # showing it again brings the text back (only a saved answer of it is dropped).
        shown = {**result.answers, **{k: typed[k] for k in result.hidden_in() if k in typed}}
        ctx = _flat_context(page, shown, result.findings, explanations, focus_summary=True, **extra)
        return render(request, "submissions/form.html", ctx, status=status)

    try:
        outcome = services.save_draft(
            page.round,
            page.municipality,
            actor=request.user,
            answers=typed,
            explanations=explanations,
            version=version,
            ip=client_ip(request),
        )
    except services.StaleVersion as exc:
        page.submission = exc.submission
        if _wants_json(request):
            return _autosave_reply(error=exc, status=409, version=exc.submission.version)
        return show_typed(
            409,
            refusal=str(exc.message),
            conflict=_conflict_rows(page, typed),
        )
    except services.NotEditable as exc:
        if _wants_json(request):
            return _autosave_reply(error=exc, status=409)
        return show_typed(409, refusal=str(exc.message))
    except services.ExplanationTooLong as exc:
        # Refused, not cut: the page comes back with what was typed and the reason beside
        # each explanation that is too long (the API refuses the same with a 400).
        if _wants_json(request):
            return _autosave_reply(error=exc, status=400)
        return show_typed(
            200,
            refusal=str(exc.message),
            explanation_errors=_explanation_errors(exc),
        )

    if _wants_json(request):
        return _autosave_reply(outcome)
    page.submission = outcome.submission
    if action != "submit":
        if outcome.result.errors:
            messages.warning(
                request, _("Kladden er gemt, men der er fejl, som skal rettes før indsendelse.")
            )
            _focus_summary_next(request)
        else:
            messages.success(request, _("Kladden er gemt."))
        return redirect(page.url())
    return _submit(request, page)


def _submit(request, page):
    try:
        services.submit(
            page.round,
            page.municipality,
            actor=request.user,
            version=page.submission.version,
            ip=client_ip(request),
        )
    except services.SubmissionBlocked as exc:
        if page.spec.has_entries:
            return _render_form(
                request,
                page,
                status=200,
                blocked=str(exc.message),
                attempted_submit=True,
                focus_summary=True,
            )
        ctx = _flat_context(
            page,
            page.answers,
            page.findings,
            page.explanations,
            attempted_submit=True,
            blocked=str(exc.message),
            focus_summary=True,
        )
        return render(request, "submissions/form.html", ctx)
    except (services.StaleVersion, services.NotEditable) as exc:
        messages.error(request, str(exc.message))
        return redirect(page.url())
    messages.success(request, _("Besvarelsen er indsendt. Tak!"))
    return redirect(page.url("receipt"))


# --- Entries surveys (prøvehandlinger): a list page and one page per entry


def _entries(page):
    entries = page.answers.get("entries") if isinstance(page.answers, dict) else None
    return entries if isinstance(entries, list) else []


def _entries_context(page, attempted_submit=False, **extra):
    lang = _lang()
    findings = page.findings
    rows = []
    for i, entry in enumerate(_entries(page)):
        entry_findings = [f for f in findings if f.get("entry") == i]
        rows.append(
            {
                "number": i + 1,
                "title": forms.entry_title(page.spec, entry, i, lang),
                "cells": [
                    forms.readable_value(page.spec.question(k), entry.get(k), lang)
                    for k in ("theme", "status")
                    if page.spec.question(k)
                ],
                "errors": sum(1 for f in entry_findings if f["severity"] == "error"),
                "warnings": sum(1 for f in entry_findings if f["severity"] == "warning"),
                "edit_url": page.url("entry_edit", i + 1),
                "remove_url": page.url("entry_remove", i + 1),
            }
        )
    general = forms.general_findings(findings, language=lang)
    summary = [
        {"href": "", "label": "", "message": g["message"]}
        for g in general
        if g["severity"] == "error"
    ]
    for row in rows:
        if row["errors"] or (attempted_submit and row["warnings"]):
            summary.append(
                {
                    "href": row["edit_url"],
                    "label": row["title"],
                    "message": _("%(n)s fejl — ret posten") % {"n": row["errors"]}
                    if row["errors"]
                    else _("Forklar advarslen"),
                }
            )
    entries_cfg = page.spec.entries or {}
    return page.context(
        rows=rows,
        general=general,
        summary=summary if (attempted_submit or page.submission) else [],
        attempted_submit=attempted_submit,
        nothing_to_report=bool(page.answers.get("nothing_to_report")),
        allow_nothing=page.spec.allows_nothing_to_report,
        entry_label=text(entries_cfg.get("label"), lang) or _("Post"),
        entries_label=text(entries_cfg.get("label_plural"), lang) or _("Poster"),
        add_url=page.url("entry_add"),
        **extra,
    )


def _save_entries(request, page, answers, explanations=None, on_success=None):
    """Save the whole entries document; stale or refused → back to the list with a message."""
    version = request.POST.get("version")
    version = version if whole_number(version) is not None else "-1"
    try:
        outcome = services.save_draft(
            page.round,
            page.municipality,
            actor=request.user,
            answers=answers,
            explanations=page.explanations if explanations is None else explanations,
            version=version,
            ip=client_ip(request),
        )
    except (services.StaleVersion, services.NotEditable, services.ExplanationTooLong) as exc:
        if isinstance(exc, services.StaleVersion):
            page.submission = exc.submission
        return None, exc
    page.submission = outcome.submission
    return outcome, None


def _entries_post(request, page):
    action = request.POST.get("action", "save")
    if action == "submit":
        if page.responded:
            messages.info(request, _("Besvarelsen er allerede indsendt."))
            return redirect(page.url("receipt"))
        version = request.POST.get("version")
        if whole_number(version) != page.version:
            messages.error(
                request,
                _("Besvarelsen er ændret, siden du åbnede siden. Se den igen, før du indsender."),
            )
            return redirect(page.url())
        if page.submission is None:
            outcome, exc = _save_entries(request, page, {"entries": [], "nothing_to_report": False})
            if exc:
                return _render_form(request, page, status=409, refusal=str(exc.message))
        return _submit(request, page)
    # "nothing to report" toggle
    nothing = request.POST.get("nothing_to_report") == "1"
    answers = {"entries": _entries(page), "nothing_to_report": nothing}
    outcome, exc = _save_entries(request, page, answers)
    if exc:
        return _render_form(request, page, status=409, refusal=str(exc.message))
    messages.success(request, _("Kladden er gemt."))
    return redirect(page.url())


def _entry_page(request, page, index):
    """Add (index None) or edit one entry on its own page."""
    lang = _lang()
    entries = _entries(page)
    if index is not None and not (0 <= index < len(entries)):
        raise Http404
    is_add = index is None
    shown_index = len(entries) if is_add else index
    answers = {} if is_add else entries[index]
    findings = [] if is_add else page.findings
    explanations = page.explanations
    status, refusal, conflict, explanation_errors = 200, None, None, None

    if request.method == "POST":
        page.require_edit()
        typed = forms.parse_answers(page.spec, request.POST)
        explanations = forms.parse_explanations(page.spec, request.POST, page.explanations)
        new_entries = list(entries)
        if is_add:
            new_entries.append(typed)
        else:
            new_entries[index] = typed
        document = {"entries": new_entries, "nothing_to_report": False}
        outcome, exc = _save_entries(request, page, document, explanations)
        if exc is None:
            title = forms.entry_title(
                page.spec, outcome.result.answers["entries"][shown_index], shown_index, lang
            )
            errors = sum(
                1 for f in outcome.result.errors if f.get("entry") == shown_index and f["field"]
            )
            if errors:
                # Saved, but it stays on the entry with its error summary: no "saved" on the
                # list next to "4 errors".
                messages.warning(
                    request,
                    ngettext(
                        "%(entry)s er gemt som kladde, men har %(n)s fejl, som skal rettes før "
                        "indsendelse.",
                        "%(entry)s er gemt som kladde, men har %(n)s fejl, som skal rettes før "
                        "indsendelse.",
                        errors,
                    )
                    % {"entry": title, "n": errors},
                )
                _focus_summary_next(request)
                return redirect(page.url("entry_edit", shown_index + 1))
            messages.success(request, _("%(entry)s er gemt.") % {"entry": title})
            return redirect(page.url())
        status, refusal = 409, str(exc.message)
        if isinstance(exc, services.ExplanationTooLong):  # what was typed comes back
            status, explanation_errors = 200, _explanation_errors(exc)
        result = validate(page.spec, document)
        answers = result.answers["entries"][shown_index]
        findings = result.findings
        if isinstance(exc, services.StaleVersion):
            current = _entries(page)
            current_entry = current[index] if not is_add and index < len(current) else {}
            conflict = [
                {
                    "label": text(q.label, lang),
                    "current": forms.readable_value(q, current_entry.get(q.key), lang),
                    "yours": forms.readable_value(q, answers.get(q.key), lang),
                }
                for q in page.spec.questions
                if current_entry.get(q.key) != answers.get(q.key)
            ]
    hidden = hidden_keys(page.spec, {"entries": [answers]})
    fields = forms.build_fields(
        page.spec,
        answers,
        findings,
        explanations,
        entry=shown_index,
        language=lang,
        hidden=hidden[0] if hidden else set(),
        explanation_errors=explanation_errors,
    )
    general = forms.general_findings(findings, entry=shown_index, language=lang)
    entries_cfg = page.spec.entries or {}
    ctx = page.context(
        focus_summary=status != 200 or _focus_summary_now(request),
        fields=fields,
        groups=forms.field_groups(page.spec, fields, lang),
        general=general,
        summary=forms.error_summary(fields, general, explanation_needed=False),
        is_add=is_add,
        number=shown_index + 1,
        entry_label=text(entries_cfg.get("label"), lang) or _("Post"),
        entry_title=forms.entry_title(page.spec, answers, shown_index, lang),
        refusal=refusal,
        conflict=conflict,
        action_url=page.url("entry_add") if is_add else page.url("entry_edit", index + 1),
    )
    return render(request, "submissions/entry.html", ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_add(request, slug, code):
    page = Page(request, slug, code)
    if not page.spec.has_entries:
        raise Http404
    page.require_edit()  # readers (analysts) get no form they could never send
    return _entry_page(request, page, None)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request, slug, code, number):
    page = Page(request, slug, code)
    if not page.spec.has_entries:
        raise Http404
    return _entry_page(request, page, number - 1)


@login_required
@require_http_methods(["GET", "POST"])
def entry_remove(request, slug, code, number):
    page = Page(request, slug, code)
    entries = _entries(page)
    if not page.spec.has_entries or not (1 <= number <= len(entries)):
        raise Http404
    page.require_edit()
    title = forms.entry_title(page.spec, entries[number - 1], number - 1, _lang())
    if request.method == "POST":
        page.require_edit()
        remaining = entries[: number - 1] + entries[number:]
        answers = {
            "entries": remaining,
            "nothing_to_report": bool(page.answers.get("nothing_to_report")),
        }
        outcome, exc = _save_entries(request, page, answers)
        if exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("%(entry)s er fjernet.") % {"entry": title})
        return redirect(page.url())
    return render(
        request,
        "submissions/entry_remove.html",
        page.context(entry_title=title, number=number, action_url=page.url("entry_remove", number)),
    )


# --- Show-when, live (static/js/relevance.js)


@login_required
@require_POST
def relevance(request, slug, code):
    """Which questions the posted (unsaved) answers hide: {"hidden": [keys], "sections":
    [keys of sections every question of which is hidden]}. Nothing is stored; the same rule
    (surveys.relevance through validate) as a save. For the form's script, which shows and
    hides questions as the officer answers; without it the server decides after a save."""
    page = Page(request, slug, code)
    page.require_edit()
    typed = forms.parse_answers(page.spec, request.POST)
    return JsonResponse(hidden_reply(page.spec, typed))


# --- After submit


@login_required
def receipt(request, slug, code):
    page = Page(request, slug, code)
    if page.submission is None or page.submission.submitted_at is None:
        raise Http404
    return render(request, "submissions/receipt.html", page.context(**receipt_context(page)))


def receipt_context(page):
    return receipt_data(page.submission, page.round, page.municipality, _lang())


@login_required
def receipt_pdf(request, slug, code):
    from submissions.notifications import receipt_pdf

    page = Page(request, slug, code)
    if page.submission is None or page.submission.submitted_at is None:
        raise Http404
    if (refusal := export_throttled(request)) is not None:
        return refusal
    audience = "all" if sees_everything(request.user) else "analyst"
    pdf = receipt_pdf(page.submission, _lang(), audience)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="kvittering-{page.round.slug}-{page.municipality.code}.pdf"'
    )
    return response


@login_required
@require_POST
def reopen(request, slug, code):
    page = Page(request, slug, code)
    page.require_edit()
    try:
        services.reopen_for_correction(
            page.round, page.municipality, actor=request.user, ip=client_ip(request)
        )
    except services.ServiceError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Besvarelsen er genåbnet som kladde. Husk at indsende den igen.")
        )
    return redirect(page.url())


@login_required
def history(request, slug, code):
    page = Page(request, slug, code)
    if not (page.can_edit or request.user.is_coordinator):
        raise Http404  # analysts read data, not the editing history
    sessions, revision_count = None, 0
    if page.submission is not None:
        sessions, revision_count = diff.history_page(
            page.submission, page.spec, page=request.GET.get("side"), language=_lang()
        )
    return render(
        request,
        "submissions/history.html",
        page.context(sessions=sessions, revision_count=revision_count),
    )
