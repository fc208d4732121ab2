"""API v1: bulk import of a round's answers from a file (issue 15). Coordinators only; the
round is looked up through the scoped selector first (404), the role checked after (403)."""

import json

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from accounts.api_base import ApiView, IsCoordinator, require
from accounts.audit import client_ip
from imports import services
from imports.models import Import
from imports.plan import Plan
from lib.api_errors import ApiError, error_responses
from lib.api_schema import SLUG_PARAM
from surveys.selectors import get_round

IMPORT_PARAM_SCHEMA = {"type": "integer", "minimum": 1}


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV (UTF-8, UTF-8 with BOM, cp1252) or XLSX, ≤ 50 MB.")
    dry_run = serializers.BooleanField(
        default=True, help_text="true (default): only say what would happen; nothing is stored."
    )
    mode = serializers.ChoiceField(
        choices=Import.Mode.choices,
        default=Import.Mode.DRAFT,
        help_text="What the rows become when applied: drafts, or submitted (rows with errors "
        "or unexplained warnings are then left out and listed).",
    )
    overwrite = serializers.BooleanField(
        default=False, help_text="Overwrite answers an officer has already saved."
    )
    notify = serializers.BooleanField(
        default=False, help_text="E-mail the officers a receipt for rows made submitted."
    )
    mapping = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text='JSON object: file column → column of the round ("" to ignore it).',
    )


class ApplyRequestSerializer(serializers.Serializer):
    mode = serializers.ChoiceField(choices=Import.Mode.choices, default=Import.Mode.DRAFT)
    overwrite = serializers.BooleanField(default=False)
    notify = serializers.BooleanField(default=False)
    mapping = serializers.DictField(child=serializers.CharField(allow_blank=True), required=False)


class ChangeSerializer(serializers.Serializer):
    question = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text=(
            "unknown_code, not_recipient, duplicate, unknown_column, value, no_code, submitted_at"
        )
    )
    message = serializers.CharField()


class WarningSerializer(serializers.Serializer):
    key = serializers.CharField()
    message = serializers.CharField()
    explained = serializers.BooleanField()


class RowSerializer(serializers.Serializer):
    municipality = serializers.CharField(help_text="The code as written in the file.")
    municipality_name = serializers.CharField(allow_blank=True)
    lines = serializers.ListField(child=serializers.IntegerField())
    status = serializers.ChoiceField(choices=["ok", "refused", "empty"])
    reasons = ReasonSerializer(many=True)
    changes = ChangeSerializer(many=True)
    errors = serializers.ListField(child=serializers.CharField())
    warnings = WarningSerializer(many=True)
    submittable = serializers.BooleanField()
    saved_by_others = serializers.BooleanField(
        help_text="An officer has saved answers: they are kept unless `overwrite`."
    )


class MappedSerializer(serializers.Serializer):
    column = serializers.CharField()
    read_as = serializers.CharField(allow_blank=True)
    how = serializers.ChoiceField(choices=["name", "label", "chosen"])


class UnknownSerializer(serializers.Serializer):
    column = serializers.CharField()
    suggestions = serializers.ListField(child=serializers.CharField())


class ImportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.CharField()
    file_name = serializers.CharField()
    sha256 = serializers.CharField()
    state = serializers.ChoiceField(choices=Import.State.choices)
    dry_run = serializers.BooleanField()
    layout = serializers.ChoiceField(choices=["wide", "long"], allow_null=True)
    problem = serializers.CharField(allow_blank=True)
    mapped = MappedSerializer(many=True)
    unknown_columns = UnknownSerializer(many=True)
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = RowSerializer(many=True)
    report = serializers.DictField(
        help_text="After apply/undo: `counts` and `names` (codes) per outcome."
    )


def plan_data(plan: Plan) -> dict:
    return {
        "layout": plan.layout,
        "problem": plan.problem,
        "mapped": [{"column": h, "read_as": k, "how": how} for h, k, how in plan.mapped],
        "unknown_columns": [{"column": h, "suggestions": s} for h, s in plan.unknown],
        "counts": plan.counts(),
        "rows": [
            {
                "municipality": r.code,
                "municipality_name": r.name,
                "lines": r.lines,
                "status": r.status,
                "reasons": [{"code": c, "message": m} for c, m in r.reasons],
                "changes": [
                    {"question": c.key, "label": c.label, "old": c.old, "new": c.new}
                    for c in r.changes
                ],
                "errors": r.errors,
                "warnings": r.warnings,
                "submittable": r.submittable,
                "saved_by_others": r.saved_by_others,
            }
            for r in plan.rows
        ],
    }


def import_data(imp: Import, plan: Plan | None = None, *, dry_run: bool = True) -> dict:
    data = {
        "id": imp.pk,
        "round": imp.round.slug,
        "file_name": imp.file_name,
        "sha256": imp.sha256,
        "state": imp.state,
        "dry_run": dry_run,
        "layout": None,
        "problem": "",
        "mapped": [],
        "unknown_columns": [],
        "counts": {},
        "rows": [],
        "report": imp.report or {},
    }
    if plan is not None:
        data.update(plan_data(plan))
    return data


def _refused(exc: services.ImportRefused):
    raise ApiError(exc.code, exc.message, 400)


def _coordinator_round(request, slug):
    round_ = get_round(request.user, slug)
    require(request, IsCoordinator)
    return round_


@extend_schema(
    tags=["imports"],
    summary="Import answers from a file: dry run, or apply (coordinators)",
    parameters=[SLUG_PARAM],
    request={"multipart/form-data": ImportRequestSerializer},
    responses={200: ImportSerializer, 201: ImportSerializer, **error_responses(400, 403, 404)},
)
class RoundImports(ApiView):
    parser_classes = [MultiPartParser, FormParser]

    def post(self, request, slug):
        round_ = _coordinator_round(request, slug)
        serializer = ImportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        mapping = _mapping(data.get("mapping"))
        upload = data["file"]
        if upload.size > services.MAX_FILE_BYTES:
            _refused(services.ImportRefused("too_large", services.too_large(upload.size)))
        try:
            imp = services.upload(
                round_,
                actor=request.user,
                file_name=upload.name,
                content=upload.read(),
                ip=client_ip(request),
            )
            plan = services.dry_run(imp, mapping=mapping)
            if data["dry_run"]:
                return Response(import_data(imp, plan), status=201)
            services.apply(
                imp,
                actor=request.user,
                mode=data["mode"],
                overwrite=data["overwrite"],
                notify=data["notify"],
                mapping=mapping,
                ip=client_ip(request),
            )
        except services.ImportRefused as exc:
            _refused(exc)
        return Response(import_data(imp, plan, dry_run=False), status=201)


def _mapping(raw):
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ApiError(
            "invalid",
            _("»mapping« skal være et JSON-objekt: kolonne → kolonne i runden."),
        )
    return value


def _import(round_, import_id):
    imp = round_.imports.filter(pk=import_id).first()
    if imp is None:
        raise ApiError("not_found", _("Ikke fundet."), 404)
    return imp


IMPORT_PARAM = OpenApiParameter(
    "import_id", IMPORT_PARAM_SCHEMA, OpenApiParameter.PATH, description="The import's id."
)


@extend_schema(
    tags=["imports"],
    summary="One import: its state and report, and while not applied its dry run (coordinators)",
    parameters=[SLUG_PARAM, IMPORT_PARAM],
    responses={200: ImportSerializer, **error_responses(400, 403, 404)},
)
class ImportDetail(ApiView):
    def get(self, request, slug, import_id):
        round_ = _coordinator_round(request, slug)
        imp = _import(round_, import_id)
        plan = None
        if imp.state == Import.State.UPLOADED:
            try:
                plan = services.dry_run(imp, mapping=imp.mapping or None)
            except services.ImportRefused as exc:
                _refused(exc)
        return Response(import_data(imp, plan, dry_run=plan is not None))


@extend_schema(
    tags=["imports"],
    summary="Apply an uploaded import (coordinators)",
    parameters=[SLUG_PARAM, IMPORT_PARAM],
    request=ApplyRequestSerializer,
    responses={200: ImportSerializer, **error_responses(400, 403, 404)},
)
class ImportApply(ApiView):
    def post(self, request, slug, import_id):
        round_ = _coordinator_round(request, slug)
        imp = _import(round_, import_id)
        serializer = ApplyRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            services.apply(
                imp,
                actor=request.user,
                mode=data["mode"],
                overwrite=data["overwrite"],
                notify=data["notify"],
                mapping=data.get("mapping"),
                ip=client_ip(request),
            )
        except services.ImportRefused as exc:
            _refused(exc)
        return Response(import_data(imp, dry_run=False))


@extend_schema(
    tags=["imports"],
    summary="Undo an applied import (coordinators)",
    parameters=[SLUG_PARAM, IMPORT_PARAM],
    request=None,
    responses={200: ImportSerializer, **error_responses(400, 403, 404)},
)
class ImportUndo(ApiView):
    def post(self, request, slug, import_id):
        round_ = _coordinator_round(request, slug)
        imp = _import(round_, import_id)
        try:
            services.undo(imp, actor=request.user, ip=client_ip(request))
        except services.ImportRefused as exc:
            _refused(exc)
        return Response(import_data(imp, dry_run=False))
