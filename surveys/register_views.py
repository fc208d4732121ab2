"""The coordinators' register pages, under /registre/: the registers, one register with its
members and saved selections, creating a register, loading members from a file (a preview of
what would be added, changed and removed, then applying it whole), editing one member by hand
and saving a selection. Views parse and call surveys.registers."""

import uuid

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.audit import client_ip
from accounts.permissions import coordinator_required
from lib.text import pick
from reference.member_import import FileError, plan_members, read_table
from reference.models import Organisation, Register
from surveys import lifecycle, registers
from surveys.register_forms import MemberForm, RegisterForm, SelectionForm, UploadForm

SESSION_KEY = "register-upload"


def _register(key):
    register = Register.objects.filter(key=key).first()
    if register is None:
        raise Http404
    return register


def _add_problems(form, problems):
    for field, message in problems:
        form.add_error(field if field in form.fields else None, message)


@coordinator_required
def register_list(request):
    registers_ = Register.objects.order_by("name")
    counts = {
        r["register"]: r["n"]
        for r in Organisation.objects.filter(is_active=True)
        .values("register")
        .annotate(n=Count("id"))
    }
    rows = [(r, counts.get(r.pk, 0)) for r in registers_]
    return render(request, "surveys/registers/list.html", {"rows": rows})


@coordinator_required
@require_http_methods(["GET", "POST"])
def register_create(request):
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            register = registers.create_register(
                actor=request.user, ip=client_ip(request), **form.cleaned_data
            )
        except registers.RegisterError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, _("Registret er oprettet. Indlæs nu dets medlemmer."))
            return redirect("registers:detail", key=register.key)
    return render(request, "surveys/registers/form.html", {"form": form})


@coordinator_required
def register_detail(request, key):
    register = _register(key)
    specs = register.attribute_specs()
    members = [
        (m, [m.attribute(s["key"]) for s in specs])
        for m in register.members.order_by("-is_active", "code")
    ]
    selections = register.selections.order_by("name").prefetch_related("members")
    return render(
        request,
        "surveys/registers/detail.html",
        {
            "register": register,
            "specs": specs,
            # The attributes' labels in the interface language (English on English pages).
            "headers": [pick(s.get("label") or {}) or s["key"] for s in specs],
            "members": members,
            "selections": selections,
        },
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def register_upload(request, key):
    """Step 1: the file is read and checked, and the plan shown; nothing is written. The rows
    wait in the session for step 2 (`register_apply`)."""
    register = _register(key)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"register": register, "form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            table = read_table(upload.read(), upload.name)
        except FileError as exc:
            form.add_error("file", str(exc))
            return render(request, "surveys/registers/upload.html", context)
        remove = form.cleaned_data["remove_missing"]
        plan = plan_members(register, table, remove_missing=remove)
        context["plan"] = plan
        if plan.ok and not plan.unchanged:
            token = uuid.uuid4().hex
            request.session[SESSION_KEY] = {
                "token": token,
                "register": register.key,
                "rows": table,
                "remove_missing": remove,
            }
            context["token"] = token
        return render(request, "surveys/registers/preview.html", context)
    return render(request, "surveys/registers/upload.html", context)


@coordinator_required
@require_http_methods(["POST"])
def register_apply(request, key):
    """Step 2: apply the previewed file, whole or not at all."""
    register = _register(key)
    stored = request.session.get(SESSION_KEY) or {}
    if stored.get("token") != request.POST.get("token") or stored.get("register") != key:
        messages.error(
            request, _("Forhåndsvisningen er udløbet eller erstattet. Indlæs filen igen.")
        )
        return redirect("registers:upload", key=key)
    try:
        applied = registers.apply_members(
            register,
            stored["rows"],
            actor=request.user,
            ip=client_ip(request),
            remove_missing=stored["remove_missing"],
        )
    except registers.RegisterError as exc:
        # The register changed since the preview: nothing was applied; show why.
        plan = plan_members(register, stored["rows"], remove_missing=stored["remove_missing"])
        plan.problems = plan.problems or exc.rows
        return render(
            request,
            "surveys/registers/preview.html",
            {"register": register, "form": UploadForm(), "plan": plan},
        )
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "Medlemmerne er indlæst: %(added)d tilføjet, %(changed)d ændret, "
            "%(deactivated)d deaktiveret, %(deleted)d slettet."
        )
        % applied.__dict__,
    )
    return redirect("registers:detail", key=key)


@coordinator_required
@require_http_methods(["GET", "POST"])
def member_edit(request, key, code=None):
    register = _register(key)
    member = None
    if code is not None:
        member = register.members.filter(code=code).first()
        if member is None:
            raise Http404
    form = MemberForm(request.POST or None, register=register, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            registers.save_member(
                register,
                actor=request.user,
                ip=client_ip(request),
                code=form.cleaned_data.get("code") or "",
                name=form.cleaned_data["name"],
                values=form.values(),
                is_active=form.cleaned_data["is_active"],
                member=member,
            )
        except registers.RegisterError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(request, _("Medlemmet er gemt."))
            return redirect("registers:detail", key=key)
    return render(
        request,
        "surveys/registers/member_form.html",
        {"register": register, "member": member, "form": form},
    )


@coordinator_required
@require_http_methods(["GET", "POST"])
def selection_create(request, key):
    register = _register(key)
    form = SelectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registers.save_selection(
                register,
                actor=request.user,
                ip=client_ip(request),
                name=form.cleaned_data["name"],
                codes=lifecycle.split_codes(form.cleaned_data["codes"]),
            )
        except registers.RegisterError as exc:
            _add_problems(form, exc.problems)
        else:
            messages.success(
                request, _("Udvalget er gemt. Det kan vælges som modtagere af en runde.")
            )
            return redirect("registers:detail", key=key)
    return render(
        request, "surveys/registers/selection_form.html", {"register": register, "form": form}
    )
