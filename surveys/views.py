"""Rounds for coordinators: list, create, detail, open (sends invitations), reopen.
Closing a round is on the tracking board (issue 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import formatting
from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from lib.query import query_text
from surveys import lifecycle
from surveys.forms import HistoricalRoundForm, RoundForm
from surveys.models import RoundState, Survey
from surveys.selectors import get_round, rounds_for, without_officer


@coordinator_required
def round_list(request):
    rounds = rounds_for(request.user).order_by("-deadline")
    return render(request, "surveys/round_list.html", {"rounds": rounds})


@coordinator_required
def round_create(request):
    # ?undersoegelse=<key> (the survey page's "Opret runde") chooses the survey beforehand.
    chosen = Survey.objects.filter(key=query_text(request.GET, "undersoegelse") or "").first()
    form = RoundForm(request.POST or None, initial={"survey": chosen} if chosen else None)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = lifecycle.create_round(
                actor=request.user, ip=client_ip(request), **form.round_kwargs()
            )
        except lifecycle.RoundError as exc:  # e.g. the slug was taken in the meantime
            form.add_problems(exc.problems)
            return render(request, "surveys/round_form.html", {"form": form})
        messages.success(
            request,
            _("Runden er oprettet som kladde. Kontrollér den, og åbn den, når den er klar."),
        )
        return redirect("surveys:round_detail", slug=round_.slug)
    return render(request, "surveys/round_form.html", {"form": form})


@coordinator_required
@require_http_methods(["GET", "POST"])
def round_create_historical(request):
    """An earlier round from a table: created closed, never sent; filled by import."""
    form = HistoricalRoundForm(request.POST if request.method == "POST" else None)
    context = {"form": form, "historical": True}
    if request.method == "POST" and form.is_valid():
        try:
            round_ = lifecycle.create_historical_round(
                actor=request.user, ip=client_ip(request), **form.round_kwargs()
            )
        except lifecycle.RoundError as exc:
            form.add_problems(exc.problems)
            return render(request, "surveys/round_form.html", context)
        messages.success(
            request,
            _("Den tidligere runde er oprettet. Indlæs dens tal fra en fil (skabelonen er her)."),
        )
        return redirect("imports:index", slug=round_.slug)
    return render(request, "surveys/round_form.html", context)


@coordinator_required
def round_detail(request, slug):
    round_ = get_round(request.user, slug, related=("previous",))
    recipients = list(round_.recipients.order_by("region_code", "name"))
    # The round's submissions through the reverse relation (submissions sits above surveys and
    # is not imported here): only their state, for the recipients table.
    submissions = {
        s.municipality_id: s
        for s in round_.submissions.only(
            # round_id too: the related manager reads it to attach the round to each row.
            "id",
            "round_id",
            "municipality_id",
            "state",
            "late",
            "submitted_at",
        )
    }
    rows = [(m, submissions.get(m.pk)) for m in recipients]
    responded = sum(1 for s in submissions.values() if s.has_responded)
    return render(
        request,
        "surveys/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "responded": responded,
            "recipient_count": len(recipients),
            "survey_title": round_.survey.display_name,
            "opening_due": round_.opens_at is not None and round_.opens_at <= timezone.now(),
        },
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_edit(request, slug):
    round_ = get_round(request.user, slug, related=("previous",))
    if round_.state != RoundState.DRAFT:
        messages.info(request, str(lifecycle.MSG_NOT_DRAFT))
        return redirect("surveys:round_detail", slug=round_.slug)
    form = RoundForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = lifecycle.update_round(
                round_, actor=request.user, ip=client_ip(request), **form.round_kwargs()
            )
        except lifecycle.RoundError as exc:
            if exc.code == "state":
                messages.info(request, exc.problems[0].message)
                return redirect("surveys:round_detail", slug=round_.slug)
            form.add_problems(exc.problems)
        else:
            messages.success(request, _("Kladden er gemt."))
            return redirect("surveys:round_detail", slug=round_.slug)
    return render(request, "surveys/round_form.html", {"form": form, "round": round_})


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_delete(request, slug):
    round_ = get_round(request.user, slug, related=("previous",))
    if round_.state != RoundState.DRAFT:
        messages.info(request, str(lifecycle.MSG_NOT_DRAFT))
        return redirect("surveys:round_detail", slug=round_.slug)
    if request.method == "POST":
        try:
            lifecycle.delete_round(round_, actor=request.user, ip=client_ip(request))
        except lifecycle.RoundError as exc:
            messages.info(request, exc.problems[0].message)
            return redirect("surveys:round_detail", slug=round_.slug)
        messages.success(request, _("Kladden »%(title)s« er slettet.") % {"title": round_.title})
        return redirect("surveys:round_list")
    return render(request, "surveys/round_delete.html", {"round": round_})


@require_http_methods(["GET", "POST"])
@coordinator_required
def round_open(request, slug):
    """GET: what opening means (who gets no invitation; now or on the opening date).
    POST `when=schedule` opens on the (future) opening date; anything else opens now."""
    round_ = get_round(request.user, slug, related=("previous",))
    future_opening = round_.opens_at is not None and round_.opens_at > timezone.now()
    if request.method == "GET":
        if round_.state != RoundState.DRAFT:
            return redirect("surveys:round_detail", slug=round_.slug)
        return render(
            request,
            "surveys/round_open.html",
            {
                "round": round_,
                "recipient_count": round_.recipients.count(),
                "without_officer": list(without_officer(round_)),
                "future_opening": future_opening,
                "scheduled": round_.open_on_schedule and future_opening,
            },
        )
    try:
        if request.POST.get("when") == "schedule" and future_opening:
            lifecycle.schedule_opening(round_, actor=request.user, ip=client_ip(request))
            messages.success(
                request,
                _(
                    "Runden åbner automatisk %(when)s. Kommunernes sagsbehandlere får "
                    "invitationen pr. e-mail til den tid."
                )
                % {"when": formatting.when(round_.opens_at)},
            )
        elif lifecycle.open_round(round_, actor=request.user, ip=client_ip(request)):
            messages.success(
                request,
                _("Runden er åbnet. Kommunernes kontaktpersoner får en invitation pr. e-mail."),
            )
        else:
            messages.info(request, _("Runden var allerede åbnet."))
    except lifecycle.RoundError as exc:
        messages.error(request, exc.problems[0].message)
    return redirect("surveys:round_detail", slug=round_.slug)


@login_required
@require_POST
@coordinator_required
def round_reopen(request, slug):
    round_ = get_round(request.user, slug, related=("previous",))
    try:
        reopened = lifecycle.reopen_round(round_, actor=request.user, ip=client_ip(request))
    except lifecycle.RoundError as exc:
        messages.error(request, exc.problems[0].message)
        return redirect("surveys:round_detail", slug=round_.slug)
    if reopened:
        messages.success(request, _("Runden er genåbnet. Kommunerne kan igen ændre besvarelser."))
    else:
        messages.info(request, _("Runden var ikke lukket."))
    return redirect("surveys:round_detail", slug=round_.slug)
