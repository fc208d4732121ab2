"""Bulk import pages under a round's follow-up pages (/opfoelgning/<round>/import/):
the template, upload, the dry run with the choices for applying, the report, and undo."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from imports import services, template
from imports.forms import ApplyForm, UploadForm
from imports.plan import known_columns
from surveys.selectors import get_round


def _page(round_):
    return reverse("imports:index", args=[round_.slug])


def _import(round_, import_id):
    imp = round_.imports.filter(pk=import_id).first()
    if imp is None:
        raise Http404
    return imp


@coordinator_required
@require_http_methods(["GET", "POST"])
def index(request, slug):
    round_ = get_round(request.user, slug)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    error = ""
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp = services.upload(
                round_,
                actor=request.user,
                file_name=upload.name,
                content=upload.read(),
                ip=client_ip(request),
            )
        except services.ImportRefused as exc:
            error = exc.message
        else:
            return redirect("imports:detail", slug=round_.slug, import_id=imp.pk)
    if error:
        form.add_error("file", error)
    imports = round_.imports.select_related("created_by").defer("content")[:50]
    return render(
        request,
        "imports/index.html",
        {"round": round_, "form": form, "imports": imports, "formats": template.FORMATS},
    )


@coordinator_required
def download_template(request, slug, fmt):
    round_ = get_round(request.user, slug)
    if fmt not in template.FORMATS:
        raise Http404
    name, content_type, content = template.template(
        round_, fmt, prefill=request.GET.get("udfyldt") == "1"
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@coordinator_required
@require_http_methods(["GET", "POST"])
def detail(request, slug, import_id):
    round_ = get_round(request.user, slug)
    imp = _import(round_, import_id)
    plan, refused = None, ""
    if imp.state == imp.State.UPLOADED or (
        imp.state == imp.State.UNDONE and request.GET.get("igen") == "1"
    ):
        try:
            plan = services.dry_run(imp, mapping=imp.mapping or None)
        except services.ImportRefused as exc:
            refused = exc.message
    choices = [k for k, v in known_columns(round_.definition.spec).items() if v and v != "code"]
    form = ApplyForm(
        request.POST if request.method == "POST" else None,
        unknown=plan.unknown if plan else (),
        choices=choices,
    )
    if request.method == "POST" and plan is not None and form.is_valid():
        mapping = form.mapping() or None
        if request.POST.get("action") == "preview":
            # The dry run again with the chosen columns: still nothing stored.
            mapped = services.dry_run(imp, mapping=mapping)
            context = {"round": round_, "imp": imp, "plan": mapped, "form": form}
            return render(request, "imports/detail.html", {**context, "preview": True})
        try:
            services.apply(
                imp,
                actor=request.user,
                mode=form.cleaned_data["mode"],
                overwrite=form.cleaned_data["overwrite"],
                notify=form.cleaned_data["notify"],
                mapping=mapping,
                ip=client_ip(request),
            )
        except services.ImportRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Importen er indlæst."))
        return redirect("imports:detail", slug=round_.slug, import_id=imp.pk)
    rows = imp.rows.select_related("municipality") if imp.state != imp.State.UPLOADED else []
    return render(
        request,
        "imports/detail.html",
        {"round": round_, "imp": imp, "plan": plan, "refused": refused, "form": form, "rows": rows},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def undo(request, slug, import_id):
    round_ = get_round(request.user, slug)
    imp = _import(round_, import_id)
    if request.method == "POST":
        try:
            report = services.undo(imp, actor=request.user, ip=client_ip(request))
        except services.ImportRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Importen er fortrudt: %(restored)s gendannet, %(left)s ikke rørt.")
                % report.counts,
            )
        return redirect("imports:detail", slug=round_.slug, import_id=imp.pk)
    return render(request, "imports/undo.html", {"round": round_, "imp": imp})
