"""The builder's XLSForm pages (/undersoegelser/<key>/…): download a version (or the draft)
as XLSForm, and upload one into the draft. The conversion is surveys.xlsform, the write
surveys.xlsform_upload; these only parse the request and show the answer."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from lib.query import whole_number
from surveys import builder
from surveys.models import Survey
from surveys.xlsform import MAX_FILE_BYTES, XLSFormError, definition_to_xlsform
from surveys.xlsform_upload import upload_xlsform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _survey(key):
    survey = Survey.objects.filter(key=key).first()
    if survey is None:
        raise Http404
    return survey


@coordinator_required
def download(request, key, version):
    """A published version, or the draft (by the number it will get), as an XLSForm file."""
    survey = _survey(key)
    definition = survey.definitions.filter(version=version).first()
    draft = builder.draft_for(survey) if definition is None else None
    if definition is None and (draft is None or draft.next_version != version):
        raise Http404
    content = definition.content if definition is not None else draft.content
    if draft is not None and builder.draft_problems(content, survey=survey, blocking_only=True):
        messages.error(request, _("Kladden har fejl. Ret dem, før du henter den som XLSForm."))
        return redirect("builder:draft", key=survey.key)
    response = HttpResponse(definition_to_xlsform(content, version=version), content_type=XLSX)
    kind = "-kladde" if draft is not None else ""
    response["Content-Disposition"] = f'attachment; filename="{survey.key}-v{version}{kind}.xlsx"'
    return response


class UploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("XLSForm-fil (.xlsx)"),
        help_text=gettext_lazy(
            "Arkene survey, choices og settings som i ODK og KoboToolbox. Højst 2 MB."
        ),
    )


def _revision(request):
    raw = request.POST.get("revision", "")
    number = whole_number(raw)
    return -1 if number is None else number


@require_http_methods(["GET", "POST"])
@coordinator_required
def upload(request, key):
    survey = _survey(key)
    draft = builder.draft_for(survey)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload_xlsform(
                survey=survey,
                data=form.cleaned_data["file"].read(MAX_FILE_BYTES + 1),
                revision=_revision(request) if draft is not None else None,
                actor=request.user,
                ip=client_ip(request),
            )
        except XLSFormError as exc:
            for problem in exc.problems:
                form.add_error("file", str(problem))
        except builder.BuilderError as exc:
            for problem in exc.problems:
                form.add_error("file", problem.message)
        else:
            messages.success(
                request,
                _("XLSForm-filen er indlæst i kladden. Den er ikke udgivet: se den igennem først."),
            )
            return redirect("builder:draft", key=survey.key)
    draft = builder.draft_for(survey)  # as it is now: the next try starts from its revision
    return render(
        request,
        "surveys/builder/xlsform_upload.html",
        {"survey": survey, "draft": draft, "form": form},
    )
