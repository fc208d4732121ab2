"""The builder's rule-impact page (/undersoegelser/<key>/kladde/virkning/): choose an earlier
round of the same survey and see what the draft's rules, history checks and show-when would
have said about its answers (submissions.impact). A large round runs in the background; its
page (/undersoegelser/<key>/virkning/<run>/) shows the result when it is done. No answer is
changed."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from lib.text import language, pick
from submissions import services
from submissions.models import ImpactRun
from submissions.validation import format_figure
from surveys import builder
from surveys.definitions import load_spec, validate_definition
from surveys.models import Survey
from surveys.selectors import rounds_for


class RoundChoiceForm(forms.Form):
    round = forms.ChoiceField(
        label=gettext_lazy("Runde"),
        help_text=gettext_lazy("Kladdens regler køres på de indsendte svar fra denne runde."),
    )

    def __init__(self, *args, rounds, **kwargs):
        super().__init__(*args, **kwargs)
        self.rounds = {r.slug: r for r in rounds}
        self.fields["round"].choices = [(r.slug, r.title) for r in rounds]


def _survey_and_draft(key):
    survey = Survey.objects.filter(key=key).first()
    if survey is None:
        raise Http404
    return survey, builder.draft_for(survey)


def _view(result, content):
    """The result for the template: texts picked in the interface language and figures as a
    reader expects them ("7,5 %" for a share in Danish), by the kinds of `content`'s values."""
    if result is None:
        return None
    lang = language()
    spec = load_spec(content)
    kinds = {q.key: q.type for q in spec.questions} | {d.key: d.type for d in spec.derived}

    def shown(place, values):
        figures = {k: format_figure(v, kinds.get(k), lang) for k, v in values.items()}
        return {**place, "figures": figures}

    checks = [
        {
            **c,
            "text": pick(c["message"]),
            "municipalities": [shown(m, m["values"]) for m in c["municipalities"]],
        }
        for c in result["checks"]
    ]
    unfit = [{**u, "text": pick(u["message"])} for u in result["no_longer_fit"]]
    return {**result, "checks": checks, "no_longer_fit": unfit}


@require_http_methods(["GET", "POST"])
@coordinator_required
def draft_impact(request, key):
    survey, draft = _survey_and_draft(key)
    if draft is None:
        return redirect("builder:survey_detail", key=survey.key)
    rounds = list(rounds_for(request.user).filter(survey=survey).order_by("-deadline"))
    form = RoundChoiceForm(request.POST or None, rounds=rounds)
    problems = builder.draft_problems(draft.content, survey=survey, blocking_only=True)
    result = chosen = None
    if request.method == "POST" and not problems and form.is_valid():
        chosen = form.rounds[form.cleaned_data["round"]]
        result, run = services.request_impact(
            actor=request.user,
            ip=client_ip(request),
            round_=chosen,
            content=draft.content,
            spec=validate_definition(draft.content),
        )
        if run is not None:
            return redirect("impact:run", key=survey.key, run=run.pk)
    return render(
        request,
        "submissions/impact.html",
        {
            "survey": survey,
            "draft": draft,
            "form": form,
            "problems": problems,
            "rounds": rounds,
            "chosen": chosen,
            "result": _view(result, draft.content),
        },
    )


@coordinator_required
def impact_run(request, key, run):
    survey, draft = _survey_and_draft(key)
    found = (
        ImpactRun.objects.select_related("round")
        .filter(pk=run, round__survey=survey, round__in=rounds_for(request.user))
        .first()
    )
    if found is None:
        raise Http404
    return render(
        request,
        "submissions/impact_run.html",
        {
            "survey": survey,
            "draft": draft,
            "run": found,
            "result": _view(found.result, found.content),
        },
    )
