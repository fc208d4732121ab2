"""API v1: a round's analysis (summary) and its exports, through the exports issue's one
analysis function and one export entry point."""

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api_base import ApiView, CanReadAll, IgnoreFormatNegotiation, require
from exports.services import build_export
from lib.api_errors import ApiError, error_responses, field_error
from surveys.selectors import get_round

SLUG_PARAM = OpenApiParameter(
    "slug", str, OpenApiParameter.PATH, description="The round's slug (short name)."
)
FORMATS = ["csv", "csv-da", "long", "xlsx", "datapackage", "pdf"]
CONTENT_TYPES = {
    "text/csv": "csv, csv-da (semicolon, decimal comma, BOM), long",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "datapackage (datapackage.json + CSV)",
    "application/pdf": "pdf (the analysis report)",
}


def jsonable(value):
    """Plain JSON values: numpy/pandas scalars, Decimals and dates converted; NaN → null."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Decimal):
        return jsonable(float(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    item = getattr(value, "item", None)  # numpy scalar
    if callable(item):
        return jsonable(item())
    return str(value)


@extend_schema(
    tags=["exports"],
    summary="A round's analysis (coordinators, analysts)",
    description="The figures of the analysis report as JSON: recipients, responses, response "
    "rate, non-responders, and per indicator the national value, distribution, top and "
    "bottom 10, groups and the change since the previous round.",
    parameters=[SLUG_PARAM],
    responses={
        200: OpenApiResponse(OpenApiTypes.OBJECT, description="The analysis."),
        **error_responses(403, 404),
    },
)
class RoundSummary(ApiView):
    def get(self, request, slug):
        round_ = get_round(request.user, slug)
        require(request, CanReadAll)
        # Loaded on first use, not at start-up: it imports pandas (slow to import).
        from exports.analysis import analyse_round

        return Response(jsonable(analyse_round(round_)))


class PendingExportSerializer(serializers.Serializer):
    export = serializers.IntegerField(help_text="The export's id.")
    status = serializers.CharField()
    url = serializers.CharField(allow_null=True, help_text="Where the file will be.")


@extend_schema(
    tags=["exports"],
    summary="Download a round's data (coordinators, analysts)",
    description="`csv` (wide), `csv-da` (for Danish Excel), `long` (tidy), `xlsx` (with "
    "codebook), `datapackage` (ZIP with datapackage.json), `pdf` (the analysis report). CSV "
    "streams. A PDF of a big round is built in the background: 202 with where to fetch it.",
    parameters=[
        SLUG_PARAM,
        OpenApiParameter("format", str, enum=FORMATS, default="csv", description="File format."),
    ],
    responses={
        (200, media): OpenApiResponse(OpenApiTypes.BINARY, description=what)
        for media, what in CONTENT_TYPES.items()
    }
    | {
        (202, "application/json"): PendingExportSerializer,
        **{(code, "application/json"): r for code, r in error_responses(400, 403, 404).items()},
    },
)
class RoundExport(ApiView):
    content_negotiation_class = IgnoreFormatNegotiation
    renderer_classes = [JSONRenderer]

    def get(self, request, slug):
        round_ = get_round(request.user, slug)
        require(request, CanReadAll)
        fmt = request.query_params.get("format") or "csv"
        if fmt not in FORMATS:
            raise ApiError(
                "invalid",
                {"da": "Ugyldig parameter.", "en": "Invalid parameter."},
                fields=[
                    field_error(
                        "format",
                        "invalid_choice",
                        {
                            "da": "Vælg et af formaterne: " + ", ".join(FORMATS),
                            "en": "Choose one of the formats: " + ", ".join(FORMATS),
                        },
                    )
                ],
            )
        try:
            filename, content_type, content, export = build_export(
                request.user, [round_], fmt, via="api"
            )
        except PermissionDenied:
            require(request, CanReadAll)
            raise
        if content is None:
            url = reverse("exports:file", args=[export.uid])
            return Response(
                {"export": export.pk, "status": str(export.status), "url": url}, status=202
            )
        if isinstance(content, bytes | bytearray):
            response = HttpResponse(content, content_type=content_type)
        else:
            response = StreamingHttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
