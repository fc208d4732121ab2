"""The exports page (/data/): analysts and coordinators choose rounds and a format and
download; every export is logged. "Dine eksporter" lists the user's own exports: a file built
in the background can be fetched again while it is kept, and any export can be made again
(today's data, the user's permissions now, logged as a new export). Officers and anyone else
get 404, and so does someone else's export. Thin: the work is in exports.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import can_read_all, is_coordinator
from exports.forms import ExportForm
from exports.models import Export
from exports.services import FORMATS, build_export, exportable_rounds, rebuild_export
from lib.query import query_text
from lib.throttle import export_throttled


def _reader_only(request):
    if not can_read_all(request.user):
        raise Http404


def _page(request, form, status=200):
    history = (
        Export.objects.filter(requested_by=request.user)
        .defer("content")
        .annotate(
            has_content=ExpressionWrapper(Q(content__isnull=False), output_field=BooleanField())
        )[:25]
    )
    context = {
        "form": form,
        "history": history,
        "analysable": exportable_rounds(request.user).select_related("survey"),
    }
    return render(request, "exports/index.html", context, status=status)


@login_required
@require_GET
def index(request):
    """The page; `?runde=<slug>` (the links on the home page) ticks that round."""
    _reader_only(request)
    initial = {}
    slug = query_text(request.GET, "runde") or ""  # a NUL: no round ticked
    if slug:
        chosen = exportable_rounds(request.user).filter(slug=slug[:80]).first()
        if chosen is not None:
            initial["rounds"] = [chosen.pk]
    return _page(request, ExportForm(initial=initial, user=request.user))


def attachment(response, filename):
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _respond(request, filename, content_type, content):
    if content is None:
        messages.info(
            request,
            _(
                "Rapporten bliver lavet i baggrunden. "
                "Hent den under 'Dine eksporter', når den er klar."
            ),
        )
        return redirect("exports:index")
    if isinstance(content, bytes):
        return attachment(HttpResponse(content, content_type=content_type), filename)
    return attachment(StreamingHttpResponse(content, content_type=content_type), filename)


@login_required
@require_POST
def download(request):
    _reader_only(request)
    form = ExportForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page(request, form, status=400)
    if (refusal := export_throttled(request)) is not None:
        return refusal
    filename, content_type, content, _export = build_export(
        request.user, form.cleaned_data["round_list"], fmt=form.cleaned_data["format"]
    )
    return _respond(request, filename, content_type, content)


@login_required
@require_GET
def file(request, uid):
    """A file built in the background, for the user who asked for it, while it is kept."""
    _reader_only(request)
    export = get_object_or_404(
        Export, uid=uid, requested_by=request.user, status=Export.Status.READY
    )
    if export.content is None:
        raise Http404
    content_type = FORMATS.get(export.format, (None, None, "application/octet-stream"))[2]
    return attachment(
        HttpResponse(bytes(export.content), content_type=content_type), export.filename
    )


@login_required
@require_POST
def again(request, uid):
    """Make one of the user's own exports again (a new, logged export)."""
    _reader_only(request)
    export = get_object_or_404(Export.objects.defer("content"), uid=uid)
    if (refusal := export_throttled(request)) is not None:
        return refusal
    try:
        filename, content_type, content, _export = rebuild_export(user=request.user, export=export)
    except Export.DoesNotExist:
        raise Http404 from None
    except ValueError:
        messages.error(
            request,
            _(
                "Eksporten kan ikke laves igen: mindst én af dens runder findes ikke længere "
                "eller er ikke åbnet. Vælg runderne ovenfor i stedet."
            ),
        )
        return redirect("exports:index")
    return _respond(request, filename, content_type, content)


@login_required
@require_GET
def analysis(request, slug):
    """The analysis of one round as a page: the report's figures with every chart's values as
    a table, the trend across rounds, and for a coordinator the key to the anonymised report's
    codes. Rounds the user cannot export answer 404, like a round that does not exist."""
    _reader_only(request)
    round_ = (
        exportable_rounds(request.user)
        .select_related("survey", "definition")
        .filter(slug=slug[:80])
        .first()
    )
    if round_ is None:
        raise Http404
    # Loaded on first use, not at start-up: they import pandas (slow to import).
    from exports.report import analysis_page_context

    coordinator = is_coordinator(request.user)
    context = analysis_page_context(round_, with_key=coordinator)
    return render(request, "exports/analysis.html", {**context, "coordinator": coordinator})
