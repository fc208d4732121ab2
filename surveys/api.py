"""API v1: municipalities, surveys and their definitions, rounds."""

import django_filters
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.audit import record
from backend.api_base import ApiView, require_coordinator
from backend.api_errors import ApiError, error_responses, field_error, pick
from backend.api_schema import KEY_PARAM, SLUG_PARAM, DefinitionSerializer
from submissions import services
from submissions.permissions import get_round, rounds_for
from surveys.definitions import DefinitionError, export_definition, import_definition
from surveys.models import Definition, Municipality, Round, RoundState, Survey

# --- Municipalities


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["code", "name", "region_code", "region_name", "dst_group"]


@extend_schema(
    tags=["municipalities"],
    summary="List municipalities",
    responses={200: MunicipalitySerializer(many=True), **error_responses()},
)
class MunicipalityList(ApiView):
    def get(self, request):
        return Response(MunicipalitySerializer(Municipality.objects.all(), many=True).data)


# --- Surveys and definitions


class SurveySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)
    versions = serializers.ListField(child=serializers.IntegerField())


def survey_data(survey, versions):
    return {
        "key": survey.key,
        "name": survey.name,
        "name_en": survey.name_en,
        "current_version": max(versions) if versions else None,
        "versions": sorted(versions),
    }


class DefinitionImportedSerializer(serializers.Serializer):
    survey = SurveySerializer()
    version = serializers.IntegerField()
    created = serializers.BooleanField(
        help_text="False when the definition was identical to the current version."
    )


class SurveyList(ApiView):
    @extend_schema(
        tags=["surveys"],
        summary="List surveys",
        responses={200: SurveySerializer(many=True), **error_responses()},
    )
    def get(self, request):
        surveys = Survey.objects.prefetch_related(
            Prefetch("definitions", queryset=Definition.objects.only("id", "survey_id", "version"))
        )
        data = [survey_data(s, [d.version for d in s.definitions.all()]) for s in surveys]
        return Response(SurveySerializer(data, many=True).data)

    @extend_schema(
        tags=["surveys"],
        summary="Import a definition (coordinators)",
        description="The body is a survey definition (the JSON format of "
        "`surveys/definitions/*.json`). It becomes the next version of its survey (the survey is "
        "created if new); an identical definition is not stored twice. A malformed definition "
        "answers 400 with the path of the problem in `fields[].field`.",
        request=DefinitionSerializer,
        responses={
            201: DefinitionImportedSerializer,
            200: DefinitionImportedSerializer,
            **error_responses(400, 403),
        },
    )
    def post(self, request):
        require_coordinator(request.user)
        try:
            definition, created = import_definition(request.data, user=request.user)
        except DefinitionError as exc:
            message = str(exc.args[0]) if exc.args else "invalid definition"
            raise ApiError(
                "invalid_definition",
                {"da": "Definitionen er ugyldig.", "en": "The definition is invalid."},
                fields=[field_error(exc.path or "(root)", "invalid_definition", message)],
            )
        versions = list(definition.survey.definitions.values_list("version", flat=True))
        data = {
            "survey": survey_data(definition.survey, versions),
            "version": definition.version,
            "created": created,
        }
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


@extend_schema(
    tags=["surveys"],
    summary="A survey's definition (current, or ?version=)",
    parameters=[
        KEY_PARAM,
        OpenApiParameter(
            "version",
            {"type": "integer", "minimum": 1, "maximum": 999_999_999},
            description="A stored version; the current one when omitted.",
        ),
    ],
    responses={
        200: OpenApiResponse(DefinitionSerializer, description="The definition, with `version`."),
        **error_responses(400, 404),
    },
)
class SurveyDefinition(ApiView):
    def get(self, request, key):
        survey = Survey.objects.filter(key=key).first()
        if survey is None:
            raise ApiError("not_found", {"da": "Ikke fundet.", "en": "Not found."}, 404)
        definitions = survey.definitions.all()
        version = request.query_params.get("version")
        if version not in (None, ""):
            if not version.isdigit() or len(version) > 9:
                raise ApiError(
                    "invalid",
                    {"da": "Ugyldig parameter.", "en": "Invalid parameter."},
                    fields=[
                        field_error(
                            "version",
                            "invalid",
                            {"da": "Skriv et helt tal.", "en": "Enter a whole number."},
                        )
                    ],
                )
            definitions = definitions.filter(version=int(version))
        definition = definitions.order_by("-version").first()
        if definition is None:
            raise ApiError("not_found", {"da": "Ikke fundet.", "en": "Not found."}, 404)
        return Response(export_definition(definition))


# --- Rounds


class RoundSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    survey = serializers.CharField(source="survey.key")
    survey_name = serializers.SerializerMethodField()
    definition_version = serializers.IntegerField(source="definition.version")
    state = serializers.ChoiceField(choices=RoundState.choices)
    opens_at = serializers.DateTimeField(allow_null=True)
    deadline = serializers.DateTimeField()
    closes_at = serializers.DateTimeField(allow_null=True)
    opened_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    previous = serializers.SerializerMethodField()
    recipients = serializers.SerializerMethodField()

    def get_survey_name(self, obj) -> str:
        return pick({"da": obj.survey.name, "en": obj.survey.name_en})

    def get_previous(self, obj) -> str | None:
        return obj.previous.slug if obj.previous_id else None

    def get_recipients(self, obj) -> list[str]:
        return [m.code for m in obj.recipients.all()]


def round_queryset(user):
    return (
        rounds_for(user)
        .select_related("previous")
        .prefetch_related(
            Prefetch(
                "recipients", queryset=Municipality.objects.only("id", "code").order_by("code")
            )
        )
    )


class RoundFilter(django_filters.FilterSet):
    survey = django_filters.CharFilter(field_name="survey__key", help_text="A survey key.")
    state = django_filters.ChoiceFilter(choices=RoundState.choices)

    class Meta:
        model = Round
        fields = ["survey", "state"]


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string", "pattern": r"^\d{3}$"}},
            {"type": "string", "enum": ["all"]},
        ]
    }
)
class RecipientsField(serializers.Field):
    default_error_messages = {
        "invalid": 'Skriv en liste af kommunekoder eller "all".',
    }

    def to_internal_value(self, data):
        if data == "all":
            return "all"
        if not isinstance(data, list) or not all(isinstance(c, str) for c in data):
            raise serializers.ValidationError(
                pick(
                    {
                        "da": 'Skriv en liste af kommunekoder eller "all".',
                        "en": 'Send a list of municipality codes or "all".',
                    }
                ),
                code="invalid",
            )
        return data

    def to_representation(self, value):
        return value


class RoundCreateSerializer(serializers.Serializer):
    survey = serializers.SlugField(max_length=60, help_text="The survey's key.")
    title = serializers.CharField(max_length=200)
    slug = serializers.SlugField(max_length=80)
    deadline = serializers.DateTimeField()
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    previous = serializers.SlugField(
        max_length=80, required=False, allow_null=True, help_text="Compare with this round."
    )
    recipients = RecipientsField(help_text='A list of 3-digit municipality codes, or "all".')

    def validate_survey(self, value):
        survey = Survey.objects.filter(key=value).first()
        if survey is None or survey.current_definition() is None:
            raise serializers.ValidationError(
                pick({"da": "Ukendt undersøgelse.", "en": "Unknown survey."}), code="unknown"
            )
        return survey

    def validate_slug(self, value):
        if Round.objects.filter(slug=value).exists():
            raise serializers.ValidationError(
                pick(
                    {
                        "da": "Der findes allerede en runde med dette korte navn.",
                        "en": "A round with this slug already exists.",
                    }
                ),
                code="unique",
            )
        return value

    def validate_recipients(self, value):
        if value == "all":
            return list(Municipality.objects.filter(is_synthetic=False))
        found = {m.code: m for m in Municipality.objects.filter(code__in=value)}
        unknown = sorted(set(value) - set(found))
        if unknown:
            raise serializers.ValidationError(
                pick(
                    {
                        "da": "Ukendte kommunekoder: " + ", ".join(unknown[:20]),
                        "en": "Unknown municipality codes: " + ", ".join(unknown[:20]),
                    }
                ),
                code="unknown",
            )
        if not found:
            raise serializers.ValidationError(
                pick({"da": "Vælg mindst én kommune.", "en": "Choose at least one."}),
                code="empty",
            )
        return list(found.values())

    def validate(self, attrs):
        previous = attrs.get("previous")
        if previous:
            prev = Round.objects.filter(slug=previous, survey=attrs["survey"]).first()
            if prev is None:
                raise serializers.ValidationError(
                    {
                        "previous": serializers.ErrorDetail(
                            pick(
                                {
                                    "da": "Ukendt runde af samme undersøgelse.",
                                    "en": "Unknown round of the same survey.",
                                }
                            ),
                            code="unknown",
                        )
                    }
                )
            attrs["previous"] = prev
        return attrs


class RoundList(generics.GenericAPIView, ApiView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = RoundFilter
    serializer_class = RoundSerializer
    pagination_class = None

    def get_queryset(self):
        return round_queryset(self.request.user)

    @extend_schema(
        tags=["rounds"],
        summary="List the rounds you can see",
        responses={200: RoundSerializer(many=True), **error_responses(400)},
    )
    def get(self, request):
        rounds = self.filter_queryset(self.get_queryset())
        return Response(RoundSerializer(rounds, many=True, context={"request": request}).data)

    @extend_schema(
        tags=["rounds"],
        summary="Create a round (coordinators)",
        description="The round is created as a draft with the survey's current definition; open "
        "it with `POST rounds/{slug}/open/`.",
        request=RoundCreateSerializer,
        responses={201: RoundSerializer, **error_responses(400, 403)},
    )
    def post(self, request):
        require_coordinator(request.user)
        serializer = RoundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        survey = data["survey"]
        try:
            with transaction.atomic():
                round_ = Round.objects.create(
                    survey=survey,
                    definition=survey.current_definition(),
                    title=data["title"],
                    slug=data["slug"],
                    deadline=data["deadline"],
                    opens_at=data.get("opens_at"),
                    previous=data.get("previous"),
                    state=RoundState.DRAFT,
                    created_by=request.user,
                    created_at=timezone.now(),
                )
                round_.recipients.set(data["recipients"])
                record("round.created", actor=request.user, request=request, obj=round_)
        except IntegrityError:  # a concurrent create with the same slug
            raise ApiError(
                "invalid",
                {"da": "Ugyldige data.", "en": "Invalid data."},
                fields=[
                    field_error(
                        "slug",
                        "unique",
                        {
                            "da": "Der findes allerede en runde med dette korte navn.",
                            "en": "A round with this slug already exists.",
                        },
                    )
                ],
            )
        round_ = round_queryset(request.user).get(pk=round_.pk)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)


@extend_schema(
    tags=["rounds"],
    summary="A round",
    parameters=[SLUG_PARAM],
    responses={200: RoundSerializer, **error_responses(404)},
)
class RoundDetail(ApiView):
    def get(self, request, slug):
        get_round(request.user, slug)
        return Response(RoundSerializer(round_queryset(request.user).get(slug=slug)).data)


ROUND_CLOSED = {"da": "Runden er lukket.", "en": "The round is closed."}
ROUND_NOT_OPEN = {"da": "Runden er ikke åbnet.", "en": "The round is not open."}


@extend_schema(
    tags=["rounds"],
    summary="Open a round (coordinators)",
    description="Opens a draft round and invites the recipients. Opening an open round is a "
    "no-op; a closed round answers 409.",
    parameters=[SLUG_PARAM],
    request=None,
    responses={200: RoundSerializer, **error_responses(403, 404, 409)},
)
class RoundOpen(ApiView):
    def post(self, request, slug):
        round_ = get_round(request.user, slug)
        require_coordinator(request.user)
        if round_.state == RoundState.CLOSED:
            raise ApiError("round_closed", ROUND_CLOSED, 409)
        services.open_round(round_, request.user, request=request)
        return Response(RoundSerializer(round_queryset(request.user).get(pk=round_.pk)).data)


@extend_schema(
    tags=["rounds"],
    summary="Close a round (coordinators)",
    description="Closing a closed round is a no-op; a draft round answers 409.",
    parameters=[SLUG_PARAM],
    request=None,
    responses={200: RoundSerializer, **error_responses(403, 404, 409)},
)
class RoundClose(ApiView):
    def post(self, request, slug):
        round_ = get_round(request.user, slug)
        require_coordinator(request.user)
        if round_.state == RoundState.DRAFT:
            raise ApiError("round_not_open", ROUND_NOT_OPEN, 409)
        services.close_round(round_, request.user, request=request)
        return Response(RoundSerializer(round_queryset(request.user).get(pk=round_.pk)).data)
