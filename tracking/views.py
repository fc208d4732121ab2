"""The coordinator's follow-up pages (/opfoelgning/): tracking board, reminders, chase log,
non-responder lists, review and closing. Thin views: they scope, parse and call plain functions
(tracking.board / reminders / chase / review / services). Everyone but a coordinator gets
404 — a forbidden page and a missing one look the same."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from accounts.selectors import active_memberships
from reference.models import Municipality
from submissions import services
from submissions.models import ChaseNote, Reminder, Submission, SubmissionState
from submissions.services import ServiceError
from surveys import lifecycle
from surveys.models import Round
from surveys.selectors import get_round
from tracking import board as tracking_board
from tracking import board_html, chase, nonresponders, reminders, review
from tracking.board import BoardState
from tracking.forms import (
    BoardFilterForm,
    BulkAcceptForm,
    ContactForm,
    NoteForm,
    ReminderForm,
    ReminderSettingsForm,
    ReturnForm,
)


def _recipient(round_, code):
    municipality = Municipality.objects.filter(rounds=round_, code=code).first()
    if municipality is None:
        raise Http404
    return municipality


def board_url(round_):
    return reverse("tracking:board", args=[round_.slug])


# --- Index and board


@coordinator_required
def index(request):
    rounds = Round.objects.select_related("survey").exclude(state="draft").order_by("-deadline")
    drafts = Round.objects.select_related("survey").filter(state="draft").order_by("-deadline")
    return render(request, "tracking/index.html", {"rounds": rounds, "drafts": drafts})


COLUMNS = [
    ("name", gettext_lazy("Kommune")),
    ("state", gettext_lazy("Status")),
    ("activity", gettext_lazy("Seneste aktivitet")),
    ("submitted", gettext_lazy("Indsendt")),
    ("officers", gettext_lazy("Sagsbehandlere og kontakter")),
    ("reminders", gettext_lazy("Påmindelser")),
    ("note", gettext_lazy("Seneste note")),
]


def sort_headers(request, current):
    """Header links that sort by each column, toggling the direction of the current one."""
    headers = []
    for key, label in COLUMNS:
        params = request.GET.copy()
        descending = current == key
        params["sort"] = f"-{key}" if descending else key
        aria = "ascending" if current == key else "descending" if current == f"-{key}" else None
        headers.append(
            {"key": key, "label": label, "url": "?" + params.urlencode(), "aria_sort": aria}
        )
    return headers


@coordinator_required
def board(request, slug):
    round_ = get_round(request.user, slug)
    everyone = tracking_board.board_rows(round_)
    form = BoardFilterForm(request.GET or None, round_=round_)
    wanted = form.values()
    rows = tracking_board.sort_rows(
        tracking_board.filter_rows(
            everyone,
            state=wanted["state"],
            region=wanted["region"],
            group=wanted["group"],
            attributes=wanted["attributes"],
        ),
        wanted["sort"],
    )
    counts = tracking_board.board_counters(everyone)  # the whole round, whatever the filters
    series = tracking_board.response_series(round_, total=counts.total)
    current_sort = request.GET.get("sort", "")
    if current_sort.removeprefix("-") not in tracking_board.SORT_KEYS:
        current_sort = ""
    return render(
        request,
        "tracking/board.html",
        {
            "round": round_,
            "rows": rows,
            "rows_html": board_html.rows_html(rows, board_url(round_), form.labels),
            "filter_form": form,
            "counts": counts,
            "deadline": tracking_board.deadline_info(round_),
            "series": series,
            "series_table": tracking_board.series_changes(series),
            "chart": tracking_board.response_chart(series, deadline=round_.deadline),
            "headers": sort_headers(request, current_sort),
            "filtered": form.is_filtered(request.GET),
        },
    )


# --- Reminders


@coordinator_required
@require_http_methods(["GET", "POST"])
def send_reminder(request, slug):
    round_ = get_round(request.user, slug)
    source = request.POST if request.method == "POST" else request.GET
    target = "all" if source.get("target") == "all" else "selected"
    try:
        codes = reminders.parse_codes(source.getlist("m"))
    except ServiceError as e:  # the API refuses the same codes (one parser)
        codes = []
        messages.error(request, str(e.message))
    chosen = list(
        Municipality.objects.filter(rounds=round_, code__in=codes).order_by("code")
        if target == "selected"
        else tracking_board.not_responded(round_)
    )
    emails = reminders.recipients_by_municipality([m.pk for m in chosen])
    if request.method == "POST":
        form = ReminderForm(request.POST, codes=codes)
        if form.is_valid():
            try:
                result = reminders.send_manual(
                    round_,
                    actor=request.user,
                    codes=form.cleaned_data["m"],
                    all_not_submitted=form.cleaned_data["target"] == "all",
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    nonce=form.cleaned_data["nonce"],
                    ip=client_ip(request),
                )
            except ServiceError as e:
                form.add_error(None, str(e.message))
            else:
                _report_sent(request, result)
                return redirect(board_url(round_))
    else:
        subject, body = reminders.round_template(round_)
        form = ReminderForm(
            initial={
                "subject": subject,
                "body": body,
                "nonce": reminders.new_nonce(),
                "target": target,
                "m": codes,
            },
            codes=codes,
        )
    # The preview is the e-mail as one municipality that will receive it gets it.
    preview, preview_for = None, next((m for m in chosen if emails.get(m.pk)), None)
    if preview_for is not None:
        try:
            subject, body = reminders.check_template(form["subject"].value(), form["body"].value())
            preview = reminders.render(round_, preview_for, subject=subject, body=body)
        except ServiceError:
            preview = None
    return render(
        request,
        "tracking/reminder_send.html",
        {
            "round": round_,
            "form": form,
            "target": target,
            "chosen": [(m, emails.get(m.pk, [])) for m in chosen],
            "preview": preview,
            "preview_for": preview_for,
            "closed": round_.state != "open",
        },
    )


def _report_sent(request, result):
    if result.sent:
        messages.success(
            request,
            ngettext(
                "Påmindelsen er sendt til %(n)d kommune.",
                "Påmindelsen er sendt til %(n)d kommuner.",
                len(result.sent),
            )
            % {"n": len(result.sent)},
        )
    if result.no_recipients:
        messages.warning(
            request,
            _(
                "Ingen e-mailadresse — intet sendt til: %(names)s. Registrér en kontaktperson "
                "eller inviter en sagsbehandler."
            )
            % {"names": ", ".join(m.name for m in result.no_recipients)},
        )
    if result.already and not result.claimed:
        messages.info(
            request,
            _(
                "Påmindelsen var allerede sendt (formularen blev sendt to gange). "
                "Intet er sendt igen."
            ),
        )
    if result.skipped_responded:
        messages.info(
            request,
            _("Sprunget over, fordi de allerede har indsendt: %(names)s.")
            % {"names": ", ".join(m.name for m in result.skipped_responded)},
        )


@coordinator_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request, slug):
    round_ = get_round(request.user, slug)
    subject, body = reminders.round_template(round_)
    if request.method == "POST":
        form = ReminderSettingsForm(request.POST)
        if form.is_valid():
            try:
                reminders.update_settings(
                    round_,
                    actor=request.user,
                    offsets=reminders.parse_offsets(form.cleaned_data["offsets"]),
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    ip=client_ip(request),
                )
            except ServiceError as e:
                form.add_error(None, str(e.message))
            else:
                messages.success(request, _("Påmindelsesplan og tekst er gemt."))
                return redirect(reverse("tracking:reminder_settings", args=[slug]))
    else:
        offsets = ", ".join(str(o) for o in (round_.reminder_offsets or []))
        form = ReminderSettingsForm(initial={"offsets": offsets, "subject": subject, "body": body})
    steps = []
    for offset in round_.reminder_offsets or []:
        if isinstance(offset, int) and not isinstance(offset, bool):
            steps.append(
                {"offset": offset, "days": abs(offset), "at": reminders.step_at(round_, offset)}
            )
    log = (
        Reminder.objects.filter(round=round_)
        .select_related("municipality", "created_by")
        .order_by("-created_at", "municipality__code")[:300]
    )
    return render(
        request,
        "tracking/reminder_settings.html",
        {"round": round_, "form": form, "steps": steps, "log": log, "now": timezone.now()},
    )


# --- One municipality: chase log, contacts, reminders


def _municipality_context(round_, municipality, note_form=None, contact_form=None):
    return {
        "round": round_,
        "municipality": municipality,
        "submission": Submission.objects.filter(round=round_, municipality=municipality).first(),
        "officers": list(
            active_memberships()
            .filter(municipality=municipality)
            .select_related("user")
            .order_by("user__name", "user__email")
        ),
        "contacts": list(municipality.contacts.order_by("name")),
        "notes": list(
            ChaseNote.objects.filter(round=round_, municipality=municipality).select_related(
                "author"
            )
        ),
        "reminders": list(
            Reminder.objects.filter(round=round_, municipality=municipality).select_related(
                "created_by"
            )
        ),
        "note_form": note_form or NoteForm(),
        "contact_form": contact_form or ContactForm(),
        "form_path": tracking_board.form_path(round_, municipality),
        "labels": BoardState.labels,
    }


@coordinator_required
def municipality_detail(request, slug, code):
    round_ = get_round(request.user, slug)
    municipality = _recipient(round_, code)
    return render(
        request, "tracking/municipality.html", _municipality_context(round_, municipality)
    )


def _detail_url(round_, municipality):
    return reverse("tracking:municipality", args=[round_.slug, municipality.code])


@coordinator_required
@require_POST
def add_note(request, slug, code):
    round_ = get_round(request.user, slug)
    municipality = _recipient(round_, code)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            chase.add_note(
                round_,
                municipality,
                actor=request.user,
                text=form.cleaned_data["text"],
                noted_on=form.cleaned_data["noted_on"],
                ip=client_ip(request),
            )
        except ServiceError as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("Noten er gemt."))
            return redirect(_detail_url(round_, municipality))
    context = _municipality_context(round_, municipality, note_form=form)
    return render(request, "tracking/municipality.html", context, status=400)


@coordinator_required
@require_POST
def add_contact(request, slug, code):
    round_ = get_round(request.user, slug)
    municipality = _recipient(round_, code)
    form = ContactForm(request.POST)
    if form.is_valid():
        try:
            chase.add_contact(
                municipality, actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except ServiceError as e:
            form.add_error(None, str(e.message))
        else:
            messages.success(request, _("Kontaktpersonen er registreret."))
            return redirect(_detail_url(round_, municipality))
    context = _municipality_context(round_, municipality, contact_form=form)
    return render(request, "tracking/municipality.html", context, status=400)


# --- Non-responder list


@coordinator_required
def nonresponders_download(request, slug, fmt):
    round_ = get_round(request.user, slug)
    stamp = timezone.localtime().strftime("%Y%m%d")
    name = f"ikke-svaret-{round_.slug}-{stamp}"
    if fmt == "csv":
        response = HttpResponse(
            nonresponders.csv_bytes(round_), content_type="text/csv; charset=utf-8"
        )
    else:
        response = HttpResponse(
            nonresponders.xlsx_bytes(round_),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- Review


@coordinator_required
@require_http_methods(["GET", "POST"])
def review_queue(request, slug):
    round_ = get_round(request.user, slug)
    queue = list(review.review_queue(round_))
    clean_ids = [s.pk for s in queue if not s.warning_count and not s.error_count]
    if request.method == "POST":
        form = BulkAcceptForm(request.POST, ids=clean_ids)
        if form.is_valid():
            chosen = form.cleaned_data["ids"]
            if request.POST.get("all_clean"):
                chosen = None
            elif not chosen:
                messages.error(request, _("Vælg mindst én besvarelse at godkende."))
                return redirect(reverse("tracking:review_queue", args=[slug]))
            accepted = review.bulk_accept(
                round_, actor=request.user, submission_ids=chosen, ip=client_ip(request)
            )
            messages.success(
                request,
                ngettext(
                    "%(n)d besvarelse er godkendt.", "%(n)d besvarelser er godkendt.", len(accepted)
                )
                % {"n": len(accepted)},
            )
            return redirect(reverse("tracking:review_queue", args=[slug]))
        messages.error(
            request,
            _("Kun indsendte besvarelser uden advarsler kan godkendes samlet. Prøv igen."),
        )
        return redirect(reverse("tracking:review_queue", args=[slug]))
    return render(
        request,
        "tracking/review_queue.html",
        {"round": round_, "queue": queue, "clean_count": len(clean_ids)},
    )


def _submission_or_404(round_, municipality):
    submission = (
        Submission.objects.filter(round=round_, municipality=municipality)
        .exclude(state=SubmissionState.DRAFT)
        .select_related("round__previous", "round__definition", "municipality", "submitted_by")
        .first()
    )
    if submission is None:
        raise Http404
    return submission


@coordinator_required
@require_http_methods(["GET", "POST"])
def review_submission(request, slug, code):
    round_ = get_round(request.user, slug)
    municipality = _recipient(round_, code)
    submission = _submission_or_404(round_, municipality)
    form = ReturnForm()
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.accept(submission, actor=request.user, ip=client_ip(request))
                messages.success(request, _("%(name)s er godkendt.") % {"name": municipality.name})
                return redirect(reverse("tracking:review_queue", args=[slug]))
            if action == "return":
                form = ReturnForm(request.POST)
                if form.is_valid():
                    services.return_submission(
                        submission,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        ip=client_ip(request),
                    )
                    messages.success(
                        request,
                        _("%(name)s er sendt retur. Kommunens sagsbehandlere får en e-mail.")
                        % {"name": municipality.name},
                    )
                    return redirect(reverse("tracking:review_queue", args=[slug]))
            else:
                return HttpResponseNotAllowed(["GET"])
        except ServiceError as e:
            if action == "return" and e.code == "reason_required":
                form.add_error("reason", str(e.message))
            else:
                messages.error(request, str(e.message))
                return redirect(reverse("tracking:review", args=[slug, code]))
        status = 400
    submission.round = round_
    data = review.review_data(submission)
    revisions = submission.revisions.select_related("author").order_by("-number")[:20]
    return render(
        request,
        "tracking/review.html",
        {
            "round": round_,
            "municipality": municipality,
            "submission": submission,
            "data": data,
            "form": form,
            "revisions": revisions,
            "form_path": tracking_board.form_path(round_, municipality),
        },
        status=status,
    )


# --- Closing and reopening


@coordinator_required
@require_http_methods(["GET", "POST"])
def close_round(request, slug):
    round_ = get_round(request.user, slug)
    if request.method == "POST":
        try:
            closed = lifecycle.close_round(round_, actor=request.user, ip=client_ip(request))
        except lifecycle.RoundError:
            closed = False
        if closed:
            messages.success(request, _("Runden er lukket."))
        else:
            messages.info(request, _("Runden var ikke åben, så den er ikke lukket nu."))
        return redirect(board_url(round_))
    rows = tracking_board.sort_rows(tracking_board.board_rows(round_))
    return render(
        request,
        "tracking/close.html",
        {
            "round": round_,
            "counts": tracking_board.board_counters(rows),
            "missing": tracking_board.filter_rows(rows, state="missing"),
            "awaiting": tracking_board.filter_rows(rows, state="review"),
            "labels": BoardState.labels,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def reopen_round(request, slug):
    round_ = get_round(request.user, slug)
    if request.method == "POST":
        try:
            reopened = lifecycle.reopen_round(round_, actor=request.user, ip=client_ip(request))
        except lifecycle.RoundError as exc:
            messages.error(request, exc.problems[0].message)
            return redirect(board_url(round_))
        if reopened:
            messages.success(request, _("Runden er genåbnet."))
        else:
            messages.info(request, _("Runden var ikke lukket."))
        return redirect(board_url(round_))
    return render(request, "tracking/reopen.html", {"round": round_})
