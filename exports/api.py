"""API v1: a round's analysis (summary) and its exports, through the exports issue's one
analysis function and one export entry point."""

import datetime as dt
import math
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api_auth import TokenRateThrottle
from accounts.api_base import ApiView, CanReadAll, IgnoreFormatNegotiation, require
from exports.services import build_export, get_exportable_round
from lib.api_errors import ApiError, error_responses, field_error
from lib.api_schema import SLUG_PARAM
from lib.throttle import ExportRateThrottle
from surveys.models import RoundState

FORMATS = ["csv", "csv-da", "long", "xlsx", "datapackage", "pdf", "pdf-anonym"]
CONTENT_TYPES = {
    "text/csv": "csv, csv-da (semicolon, decimal comma, BOM), long",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/zip": "datapackage (datapackage.json + CSV)",
    "application/pdf": "pdf (the analysis report), pdf-anonym (the same with respondents as "
    "codes R01 … instead of names, and no map)",
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


# --- The analysis (exports/analysis.py: analyse_round), typed for the schema. The view returns
# analyse_round's dict as it is; schemathesis and the generated-client test check that it
# matches these.

ANALYSIS_STATES = [
    ("no_response", "Not started (no submission)"),
    ("draft", "Draft"),
    ("returned", "Returned for correction"),
    ("submitted", "Submitted"),
    ("accepted", "Accepted"),
]


class LocalizedTextSerializer(serializers.Serializer):
    da = serializers.CharField()
    en = serializers.CharField(required=False)


class OptionalLocalizedTextSerializer(serializers.Serializer):
    da = serializers.CharField(required=False)
    en = serializers.CharField(required=False)


class SummaryRoundSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    survey = serializers.CharField(help_text="The survey's key.")
    survey_name = serializers.CharField()
    state = serializers.ChoiceField(choices=RoundState.choices)
    deadline = serializers.DateTimeField()
    previous = serializers.CharField(allow_null=True, help_text="The previous round's slug.")
    previous_title = serializers.CharField(allow_null=True)
    is_demo = serializers.BooleanField()


class StateCountsSerializer(serializers.Serializer):
    no_response = serializers.IntegerField(min_value=0)
    draft = serializers.IntegerField(min_value=0)
    submitted = serializers.IntegerField(min_value=0)
    returned = serializers.IntegerField(min_value=0)
    accepted = serializers.IntegerField(min_value=0)


class MunicipalityRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class RatioSerializer(serializers.Serializer):
    numerator = serializers.FloatField(help_text="Σ numerator over responders with a value.")
    denominator = serializers.FloatField(help_text="Σ denominator over the same.")
    value = serializers.FloatField(allow_null=True, help_text="numerator / denominator.")


class ThresholdCountSerializer(serializers.Serializer):
    threshold = serializers.FloatField()
    count = serializers.IntegerField(min_value=0, help_text="Values under the threshold.")
    zero = serializers.IntegerField(
        min_value=0, help_text="Of those under the threshold, how many are exactly 0."
    )


class CountsSerializer(serializers.Serializer):
    with_value = serializers.IntegerField(min_value=0)
    at_or_above_target = serializers.IntegerField(
        min_value=0, allow_null=True, help_text="null when the indicator has no target."
    )
    under_threshold = ThresholdCountSerializer(many=True)
    zero = serializers.IntegerField(min_value=0)


class BandSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Shares: `zero`, `under_target`, `at_or_above_target`, …; ratios: "
        "`under_150`, `150_300`, `from_300`, …"
    )
    lower = serializers.FloatField(help_text="Inclusive.")
    upper = serializers.FloatField(allow_null=True, help_text="Exclusive; null = no upper.")
    label = LocalizedTextSerializer()
    count = serializers.IntegerField(min_value=0)
    share = serializers.FloatField(
        allow_null=True,
        help_text="Added: count / respondents with a value (0–1); null when none has one.",
    )


class StatsSerializer(serializers.Serializer):
    n = serializers.IntegerField(min_value=0, help_text="Respondents with a value.")
    mean = serializers.FloatField(allow_null=True, help_text="Unweighted: each counts once.")
    median = serializers.FloatField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    total = serializers.FloatField(allow_null=True, help_text="The sum of the values.")


class RankedSerializer(serializers.Serializer):
    rank = serializers.IntegerField(min_value=1, help_text="Competition rank (1, 2, 2, 4 …).")
    code = serializers.CharField()
    name = serializers.CharField()
    value = serializers.FloatField()


class GroupSerializer(CountsSerializer):
    recipients = serializers.IntegerField(min_value=0)
    responses = serializers.IntegerField(min_value=0)
    numerator = serializers.FloatField()
    denominator = serializers.FloatField()
    value = serializers.FloatField(allow_null=True)


class DstGroupSerializer(GroupSerializer):
    dst_group = serializers.CharField(allow_null=True, allow_blank=True)


class RegionSerializer(GroupSerializer):
    region_code = serializers.CharField(allow_null=True, allow_blank=True)
    region_name = serializers.CharField(allow_null=True, allow_blank=True)


class GroupingGroupSerializer(GroupSerializer):
    group = serializers.CharField(
        allow_blank=True, help_text="The attribute's value, or `in`/`out` for a selection."
    )
    label = serializers.CharField(allow_blank=True, help_text="The value by name (Danish).")


GROUPING_KINDS = [
    ("attribute", "A categorical attribute of the round's register"),
    ("selection", "A saved selection of the register's members against the rest"),
]


class GroupingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The attribute key, or `selection:<id>`.")
    kind = serializers.ChoiceField(choices=GROUPING_KINDS)
    label = OptionalLocalizedTextSerializer()
    groups = GroupingGroupSerializer(many=True)


class IndicatorMunicipalitySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    region_code = serializers.CharField(allow_blank=True)
    region_name = serializers.CharField(allow_blank=True)
    dst_group = serializers.CharField(allow_blank=True)
    state = serializers.ChoiceField(choices=ANALYSIS_STATES)
    numerator = serializers.FloatField(allow_null=True)
    denominator = serializers.FloatField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="null = no value (never 0).")
    band = serializers.CharField(allow_null=True, help_text="The key of its band.")
    previous_value = serializers.FloatField(allow_null=True)
    change = serializers.FloatField(allow_null=True, help_text="In the indicator's own unit.")


class PreviousRoundSerializer(CountsSerializer):
    round = serializers.CharField(help_text="The previous round's slug.")
    title = serializers.CharField()
    national = RatioSerializer()
    change = serializers.FloatField(allow_null=True)
    municipalities_compared = serializers.IntegerField(min_value=0)


class IndicatorSummarySerializer(serializers.Serializer):
    key = serializers.CharField()
    type = serializers.ChoiceField(
        choices=[("share", "A share (0–1) with target and thresholds"), ("ratio", "A ratio")],
        help_text="Added: `share` (every indicator before ratios existed) or `ratio` (e.g. "
        "pupils per FTE, with the definition's bands; values are plain numbers).",
    )
    unit = OptionalLocalizedTextSerializer(help_text="Added: a ratio's unit; {} for a share.")
    stats = StatsSerializer(help_text="Added: the spread of the respondents' own values.")
    label = LocalizedTextSerializer()
    numerator = serializers.CharField(help_text="The numerator's question key.")
    denominator = serializers.CharField(help_text="The denominator's question key.")
    target = serializers.FloatField(allow_null=True)
    target_label = OptionalLocalizedTextSerializer()
    thresholds = serializers.ListField(child=serializers.FloatField())
    national = RatioSerializer()
    counts = CountsSerializer()
    responders_without_value = MunicipalityRefSerializer(many=True)
    bands = BandSerializer(many=True)
    top = RankedSerializer(many=True, help_text="Top 10 (ties with the 10th included).")
    bottom = RankedSerializer(many=True, help_text="Bottom 10 (ties with the 10th included).")
    by_dst_group = DstGroupSerializer(many=True)
    by_region = RegionSerializer(many=True)
    groupings = GroupingSerializer(
        many=True,
        help_text="Added (registers, issue 14): groups by each categorical attribute of a "
        "register other than the municipalities, and by each saved selection of the round's "
        "register (its members against the rest, e.g. a partnership).",
    )
    municipalities = IndicatorMunicipalitySerializer(many=True)
    previous = PreviousRoundSerializer(
        allow_null=True, help_text="The change since the previous round; null without one."
    )


class EntriesSummarySerializer(serializers.Serializer):
    entries = serializers.IntegerField(min_value=0)
    nothing_to_report = serializers.IntegerField(min_value=0)
    by_choice = serializers.DictField(
        child=serializers.DictField(child=serializers.IntegerField(min_value=0)),
        help_text="Single-choice question key → choice value → number of entries.",
    )


VALUE_KINDS = [
    ("share", "A fraction: 0.43 is 43 %"),
    ("percent", "A percentage question as typed: 43 is 43 %"),
    ("number", "A number (a ratio, a count, FTE …)"),
]


class ValueSourceSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The indicator, derived value or question read.")
    label = OptionalLocalizedTextSerializer()
    kind = serializers.ChoiceField(choices=VALUE_KINDS)
    unit = OptionalLocalizedTextSerializer()
    target = serializers.FloatField(allow_null=True, help_text="An indicator's target.")


class StatisticSerializer(StatsSerializer):
    key = serializers.CharField()
    label = OptionalLocalizedTextSerializer()
    value = ValueSourceSerializer()
    responders_without_value = MunicipalityRefSerializer(many=True)


class SplitPartSerializer(ValueSourceSerializer, StatsSerializer):
    pass


class SplitRowSerializer(MunicipalityRefSerializer):
    values = serializers.ListField(
        child=serializers.FloatField(), help_text="One per part, in the parts' order."
    )


class SplitSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = LocalizedTextSerializer()
    respondents = serializers.IntegerField(
        min_value=0, help_text="Responders that answered every part."
    )
    parts = SplitPartSerializer(many=True, help_text="Mean and range of each part.")
    mean_total = serializers.FloatField(
        allow_null=True, help_text="The sum of the parts' means (100 for a split in percent)."
    )
    rows = SplitRowSerializer(many=True)
    responders_without_value = MunicipalityRefSerializer(
        many=True, help_text="Responders with a part missing (not counted)."
    )


class ScatterPointSerializer(MunicipalityRefSerializer):
    x = serializers.FloatField()
    y = serializers.FloatField()


class ScatterSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = LocalizedTextSerializer()
    x = ValueSourceSerializer()
    y = ValueSourceSerializer()
    n = serializers.IntegerField(min_value=0)
    correlation = serializers.FloatField(
        allow_null=True, help_text="Pearson's r; null under 3 points or without spread."
    )
    points = ScatterPointSerializer(many=True, help_text="One per respondent with both values.")
    responders_without_value = MunicipalityRefSerializer(many=True)


class TrendRoundSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    deadline = serializers.DateTimeField()
    provisional = serializers.BooleanField()
    national = serializers.FloatField(
        allow_null=True, help_text="Σ numerator / Σ denominator over respondents with a value."
    )
    with_value = serializers.IntegerField(min_value=0)


class TrendRespondentSerializer(MunicipalityRefSerializer):
    values = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text="One per round, in the rounds' order; null = no value that round.",
    )


class TrendSerializer(serializers.Serializer):
    indicator = serializers.CharField()
    type = serializers.ChoiceField(choices=[("share", "Share"), ("ratio", "Ratio")])
    label = LocalizedTextSerializer()
    unit = OptionalLocalizedTextSerializer()
    target = serializers.FloatField(allow_null=True)
    rounds = TrendRoundSerializer(many=True, help_text="Oldest first, this round last.")
    respondents = TrendRespondentSerializer(many=True)


class RoundSummarySerializer(serializers.Serializer):
    round = SummaryRoundSerializer()
    provisional = serializers.BooleanField(help_text="True while the round is not closed.")
    generated_at = serializers.DateTimeField()
    recipients = serializers.IntegerField(min_value=0)
    responses = serializers.IntegerField(min_value=0, help_text="Submitted or accepted.")
    response_rate = serializers.FloatField(
        allow_null=True, help_text="0–1; null without recipients."
    )
    states = StateCountsSerializer()
    non_responders = MunicipalityRefSerializer(many=True)
    indicators = IndicatorSummarySerializer(many=True)
    entries = EntriesSummarySerializer(allow_null=True, help_text="Entries surveys only.")
    statistics = StatisticSerializer(
        many=True, help_text="Added: the definition's `statistics` (spread of one value)."
    )
    splits = SplitSerializer(
        many=True, help_text="Added: the definition's `splits` (mean of each part, range)."
    )
    scatters = ScatterSerializer(
        many=True, help_text="Added: the definition's `scatters` (one point per respondent)."
    )
    trend = TrendSerializer(
        many=True,
        help_text="Added: per indicator, the total and each respondent's value in every "
        "opened round of the survey up to this one.",
    )
    anonymised = serializers.BooleanField(
        help_text="Added: always false here (names are shown); the `pdf-anonym` report has codes."
    )


@extend_schema(
    tags=["exports"],
    summary="A round's analysis (coordinators, analysts)",
    description="The figures of the analysis report as JSON: recipients, responses, response "
    "rate, non-responders, and per indicator the national value, distribution, top and "
    "bottom 10, groups and the change since the previous round; the spread, split means, "
    "scatters and the trend across rounds.",
    parameters=[SLUG_PARAM],
    responses={
        200: OpenApiResponse(RoundSummarySerializer, description="The analysis."),
        **error_responses(403, 404),
    },
)
class RoundSummary(ApiView):
    def get(self, request, slug):
        round_ = get_exportable_round(request.user, slug)
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
    "codebook), `datapackage` (ZIP with datapackage.json), `pdf` (the analysis report), "
    "`pdf-anonym` (the report with respondents as codes instead of names). CSV "
    "streams. A PDF of a big round is built in the background: 202 with where to fetch it.",
    parameters=[
        SLUG_PARAM,
        OpenApiParameter("format", str, enum=FORMATS, default="csv", description="File format."),
    ],
    responses={
        # CSV is text (a generated client reads it as a string); the others are files.
        (200, media): OpenApiResponse(
            OpenApiTypes.STR if media.startswith("text/") else OpenApiTypes.BINARY,
            description=what,
        )
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
    # The API's per-token budget plus the per-user download budget (EXPORT_RATE).
    throttle_classes = [TokenRateThrottle, ExportRateThrottle]

    def get(self, request, slug):
        round_ = get_exportable_round(request.user, slug)
        require(request, CanReadAll)
        fmt = request.query_params.get("format") or "csv"
        if fmt not in FORMATS:
            raise ApiError(
                "invalid",
                _("Ugyldig parameter."),
                fields=[
                    field_error(
                        "format",
                        "invalid_choice",
                        _("Vælg et af formaterne: %(formats)s") % {"formats": ", ".join(FORMATS)},
                    )
                ],
            )
        try:
            filename, content_type, content, export = build_export(
                request.user, [round_], fmt=fmt, via="api"
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
