"""Rounds for coordinators: list, create, detail, open (sends invitations), reopen.
Closing a round is on the tracking board (issue 4)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import formatting
from accounts.permissions import is_coordinator
from submissions import services
from submissions.models import Submission
from surveys.forms import RoundForm
from surveys.models import Round, RoundState
from surveys.rounds import (
    NotADraft,
    create_round,
    delete_round,
    schedule_opening,
    update_round,
    without_officer,
)


def _coordinator_only(request):
    if not is_coordinator(request.user):
        raise Http404


def _round(request, slug):
    _coordinator_only(request)
    round_ = (
        Round.objects.select_related("survey", "definition", "previous").filter(slug=slug).first()
    )
    if round_ is None:
        raise Http404
    return round_


@login_required
def round_list(request):
    _coordinator_only(request)
    rounds = Round.objects.select_related("survey").order_by("-deadline")
    return render(request, "surveys/round_list.html", {"rounds": rounds})


@login_required
def round_create(request):
    _coordinator_only(request)
    form = RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        round_ = create_round(request.user, request=request, **form.round_kwargs())
        messages.success(
            request,
            _("Runden er oprettet som kladde. Kontrollér den, og åbn den, når den er klar."),
        )
        return redirect("surveys:round_detail", slug=round_.slug)
    return render(request, "surveys/round_form.html", {"form": form})


@login_required
def round_detail(request, slug):
    round_ = _round(request, slug)
    recipients = list(round_.recipients.order_by("region_code", "name"))
    submissions = {
        s.municipality_id: s
        for s in Submission.objects.filter(round=round_).only(
            "id", "municipality_id", "state", "late", "submitted_at"
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
            "survey_title": round_.survey.name,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request, slug):
    round_ = _round(request, slug)
    if round_.state != RoundState.DRAFT:
        messages.info(request, _("Runden er åbnet og kan ikke længere rettes."))
        return redirect("surveys:round_detail", slug=round_.slug)
    form = RoundForm(request.POST or None, round_=round_)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = update_round(round_, request.user, request=request, **form.round_kwargs())
        except NotADraft:
            messages.info(request, _("Runden er åbnet og kan ikke længere rettes."))
        else:
            messages.success(request, _("Kladden er gemt."))
        return redirect("surveys:round_detail", slug=round_.slug)
    return render(request, "surveys/round_form.html", {"form": form, "round": round_})


@login_required
@require_http_methods(["GET", "POST"])
def round_delete(request, slug):
    round_ = _round(request, slug)
    if round_.state != RoundState.DRAFT:
        messages.info(request, _("Kun en kladde kan slettes. Runden er åbnet."))
        return redirect("surveys:round_detail", slug=round_.slug)
    if request.method == "POST":
        try:
            delete_round(round_, request.user, request=request)
        except NotADraft:
            messages.info(request, _("Kun en kladde kan slettes. Runden er åbnet."))
            return redirect("surveys:round_detail", slug=round_.slug)
        messages.success(request, _("Kladden »%(title)s« er slettet.") % {"title": round_.title})
        return redirect("surveys:round_list")
    return render(request, "surveys/round_delete.html", {"round": round_})


@login_required
@require_http_methods(["GET", "POST"])
def round_open(request, slug):
    """GET: what opening means (who gets no invitation, now or on the opening date).
    POST `when=schedule` opens on the opening date; anything else opens now."""
    round_ = _round(request, slug)
    if round_.state != RoundState.DRAFT:
        if request.method == "POST":
            messages.info(request, _("Runden var allerede åbnet."))
        return redirect("surveys:round_detail", slug=round_.slug)
    future_opening = round_.opens_at is not None and round_.opens_at > timezone.now()
    if request.method == "POST":
        if request.POST.get("when") == "schedule" and future_opening:
            try:
                schedule_opening(round_, request.user, request=request)
            except NotADraft:
                messages.info(request, _("Runden var allerede åbnet."))
            else:
                messages.success(
                    request,
                    _(
                        "Runden åbner automatisk %(when)s. Kommunernes sagsbehandlere får "
                        "invitationen pr. e-mail til den tid."
                    )
                    % {"when": formatting.when(round_.opens_at)},
                )
        elif services.open_round(round_, request.user, request=request):
            messages.success(
                request,
                _("Runden er åbnet. Kommunernes kontaktpersoner får en invitation pr. e-mail."),
            )
        else:
            messages.info(request, _("Runden var allerede åbnet."))
        return redirect("surveys:round_detail", slug=round_.slug)
    return render(
        request,
        "surveys/round_open.html",
        {
            "round": round_,
            "recipient_count": round_.recipients.count(),
            "without_officer": list(without_officer(round_)),
            "future_opening": future_opening,
        },
    )


@login_required
@require_POST
def round_reopen(request, slug):
    round_ = _round(request, slug)
    if services.reopen_round(round_, request.user, request=request):
        messages.success(request, _("Runden er genåbnet. Kommunerne kan igen ændre besvarelser."))
    else:
        messages.info(request, _("Runden var ikke lukket."))
    return redirect("surveys:round_detail", slug=round_.slug)
