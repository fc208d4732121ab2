"""The builder's preview: a draft version shown as the officer will see it — the same field
view models (`submissions.forms.build_fields`) and templates (`submissions/_question.html`,
`_summary.html`) as the real form — in Danish or English, with "try it": typed values are
validated by the one validation (`submissions.validation.validate`) and shown with their
errors, warnings and derived values. Nothing is stored."""

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import coordinator_required
from submissions import forms
from submissions.validation import hidden_reply, validate
from surveys import builder
from surveys.definitions import load_spec, text
from surveys.models import Survey

LANGUAGES = ("da", "en")


def _language(request):
    wanted = request.POST.get("sprog") or request.GET.get("sprog")
    return wanted if wanted in LANGUAGES else (get_language() or "da")[:2]


def _survey(key):
    survey = Survey.objects.filter(key=key).first()
    if survey is None:
        raise Http404
    return survey


@coordinator_required
@require_POST
def draft_relevance(request, key):
    """Show-when, live, in the preview (static/js/relevance.js): what the typed answers hide,
    decided as for the officer's form. Nothing is stored."""
    draft = builder.draft_for(_survey(key))
    if draft is None or builder.draft_problems(
        draft.content, survey=draft.survey, blocking_only=True
    ):
        raise Http404
    spec = load_spec(draft.content)
    return JsonResponse(hidden_reply(spec, forms.parse_answers(spec, request.POST)))


@require_http_methods(["GET", "POST"])
@coordinator_required
def draft_preview(request, key):
    survey = _survey(key)
    draft = builder.draft_for(survey)
    if draft is None:
        return redirect("builder:survey_detail", key=survey.key)
    lang = _language(request)
    ctx = {"survey": survey, "draft": draft, "language": lang, "languages": LANGUAGES}
    problems = builder.draft_problems(draft.content, survey=survey, blocking_only=True)
    if problems:
        return render(request, "submissions/preview.html", {**ctx, "problems": problems})
    spec = load_spec(draft.content)
    trying = request.method == "POST"
    typed = forms.parse_answers(spec, request.POST) if trying else {}
    explanations = forms.parse_explanations(spec, request.POST) if trying else {}
    entry = 0 if spec.has_entries else None
    with translation.override(lang):
        if spec.has_entries:
            result = validate(spec, {"entries": [typed]}, language=lang)
            answers = result.answers["entries"][0] if trying else {}
        else:
            result = validate(spec, typed, language=lang)
            answers = result.answers if trying else {}
        findings = result.findings if trying else []
        hidden = result.hidden_in(entry)  # as the officer's empty form hides them, too
        fields = forms.build_fields(
            spec, answers, findings, explanations, entry=entry, language=lang, hidden=hidden
        )
        general = forms.general_findings(findings, entry=entry, language=lang)
        derived = (
            forms.summary_rows(spec, answers, result.derived, lang)[len(spec.questions) :]
            if trying and spec.derived
            else []
        )
        rendered = render_to_string(
            "submissions/_preview_fields.html",
            {
                "fields": fields,
                "groups": forms.field_groups(spec, fields, lang),
                "hidden_labels": [
                    text(q.label, lang) for q in spec.questions if trying and q.key in hidden
                ],
                "general": general,
                "summary": forms.error_summary(fields, general, explanation_needed=False),
                "derived": derived,
                "trying": trying,
                "survey_title": text(spec.title, lang),
                "description": text(spec.description, lang),
                "entry_label": text((spec.entries or {}).get("label"), lang),
            },
            request=request,
        )
    return render(
        request,
        "submissions/preview.html",
        {
            **ctx,
            "rendered": rendered,
            "trying": trying,
            "relevance": spec.has_relevance,
            "errors": len(result.errors) if trying else 0,
            "warnings": len(result.warnings) if trying else 0,
        },
    )
