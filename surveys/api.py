"""API v1: municipalities, registers and their members, surveys and their definitions, rounds."""

import django_filters
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from accounts.api_base import ApiView, CanReadAll, IsCoordinator, require
from accounts.audit import client_ip
from lib.api_errors import ApiError, error_responses, field_error
from lib.api_schema import CODE_PATTERN, KEY_PARAM, REGISTER_PARAM, SLUG_PARAM
from lib.query import whole_number
from reference.models import ATTRIBUTE_TYPES, KOMMUNER, Municipality, Register
from surveys import lifecycle
from surveys.api_schema import DefinitionSerializer
from surveys.definition_store import import_definition
from surveys.definitions import DefinitionError, export_definition
from surveys.models import Definition, Round, RoundState, Survey, validate_round_title
from surveys.selectors import get_round, rounds_for

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
        municipalities = Municipality.objects.filter(register__key=KOMMUNER)
        return Response(MunicipalitySerializer(municipalities, many=True).data)


# --- Registers of organisations (issue 14)


class AttributeSpecSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.DictField(child=serializers.CharField(), help_text='{"da": …, "en": …}')
    type = serializers.ChoiceField(choices=ATTRIBUTE_TYPES)
    register = serializers.CharField(
        required=False, help_text="For type code: the key of the register the value names."
    )
    categorical = serializers.BooleanField(
        required=False, help_text="Its values group the members (filters, group-by)."
    )


class RegisterSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    code_pattern = serializers.CharField(help_text="A regular expression every code matches.")
    has_geometry = serializers.BooleanField(help_text="Whether a map can be drawn.")
    attributes = AttributeSpecSerializer(many=True)
    members = serializers.IntegerField(help_text="Active members.")


class MemberSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    active = serializers.BooleanField(
        help_text="False for a member removed from the register that still has answers."
    )
    attributes = serializers.DictField(help_text="Attribute key → value (see the register).")


def _registers_for(request):
    require(request, CanReadAll)
    return Register.objects.annotate(
        active_members=Count("members", filter=Q(members__is_active=True))
    ).order_by("key")


@extend_schema(
    tags=["registers"],
    summary="List the registers of organisations (coordinators and analysts)",
    description="The registers whose members rounds are asked of: `kommuner` (the 98 "
    "municipalities), `regioner` and any a coordinator has created, with their typed attributes.",
    responses={200: RegisterSerializer(many=True), **error_responses(403)},
)
class RegisterList(ApiView):
    def get(self, request):
        data = [
            {
                "key": r.key,
                "name": r.name,
                "name_en": r.name_en,
                "code_pattern": r.code_pattern,
                "has_geometry": r.has_geometry,
                "attributes": r.attribute_specs(),
                "members": r.active_members,
            }
            for r in _registers_for(request)
        ]
        return Response(RegisterSerializer(data, many=True).data)


@extend_schema(
    tags=["registers"],
    summary="A register's members (coordinators and analysts)",
    description="Every member of the register by code, deactivated ones included (`active`).",
    parameters=[REGISTER_PARAM],
    responses={200: MemberSerializer(many=True), **error_responses(403, 404)},
)
class RegisterMembers(ApiView):
    def get(self, request, key):
        register = _registers_for(request).filter(key=key).first()
        if register is None:
            raise ApiError("not_found", _("Ikke fundet."), 404)
        members = register.members.order_by("code").values_list(
            "code", "name", "is_active", "attributes"
        )
        data = [
            {"code": c, "name": n, "active": a, "attributes": attrs or {}}
            for c, n, a, attrs in members
        ]
        return Response(MemberSerializer(data, many=True).data)


# --- Surveys and definitions


class SurveySerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    name_en = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)
    versions = serializers.ListField(child=serializers.IntegerField())
    register = serializers.CharField(
        help_text="The key of the register the survey is asked of (kommuner: the municipalities)."
    )


def survey_data(survey, versions):
    return {
        "key": survey.key,
        "name": survey.name,
        "name_en": survey.name_en,
        "current_version": max(versions) if versions else None,
        "versions": sorted(versions),
        "register": survey.register.key,
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
        surveys = Survey.objects.select_related("register").prefetch_related(
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
        require(request, IsCoordinator)
        try:
            definition, created = import_definition(request.data, user=request.user)
        except DefinitionError as exc:
            message = str(exc.args[0]) if exc.args else "invalid definition"
            raise ApiError(
                "invalid_definition",
                _("Definitionen er ugyldig."),
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
            raise ApiError("not_found", _("Ikke fundet."), 404)
        definitions = survey.definitions.all()
        raw = request.query_params.get("version")
        if raw not in (None, ""):
            version = whole_number(raw)
            if version is None:
                raise ApiError(
                    "invalid",
                    _("Ugyldig parameter."),
                    fields=[
                        field_error(
                            "version",
                            "invalid",
                            _("Skriv et helt tal."),
                        )
                    ],
                )
            definitions = definitions.filter(version=version)
        definition = definitions.order_by("-version").first()
        if definition is None:
            raise ApiError("not_found", _("Ikke fundet."), 404)
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
    historical = serializers.BooleanField(
        source="is_historical",
        help_text="An earlier round loaded from a table: closed, never sent; `deadline` is its "
        "reference date (added Nov. 2026).",
    )

    def get_survey_name(self, obj) -> str:
        return obj.survey.display_name

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


_NO_NUL = ProhibitNullCharactersValidator()


def _holds_nul(data) -> bool:
    """Whether a recipients value (codes, a selection's name, an attribute and its values)
    has a NUL character in any of its texts."""
    if isinstance(data, str):
        return "\x00" in data
    if isinstance(data, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_holds_nul(v) for v in data)
    return False


@extend_schema_field(
    {
        "oneOf": [
            {"type": "array", "items": {"type": "string", "pattern": CODE_PATTERN}},
            {"type": "string", "enum": ["all"]},
            {
                "type": "object",
                "properties": {"selection": {"type": "string", "minLength": 1, "maxLength": 200}},
                "required": ["selection"],
                "additionalProperties": False,
            },
            {
                "type": "object",
                "properties": {
                    "attribute": {"type": "string", "minLength": 1, "maxLength": 60},
                    "values": {
                        "type": "array",
                        "items": {"type": "string", "maxLength": 200},
                        "minItems": 1,
                    },
                },
                "required": ["attribute", "values"],
                "additionalProperties": False,
            },
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
        if _holds_nul(data):  # PostgreSQL refuses NUL in text: a 500 at the query otherwise
            raise serializers.ValidationError(_NO_NUL.message, code=_NO_NUL.code)
        if isinstance(data, dict) and set(data) == {"selection"}:
            name = data["selection"]
            if isinstance(name, str) and 0 < len(name) <= 200:
                return {"selection": name}
        if isinstance(data, dict) and set(data) == {"attribute", "values"}:
            attribute, values = data["attribute"], data["values"]
            if (
                isinstance(attribute, str)
                and 0 < len(attribute) <= 60
                and isinstance(values, list)
                and all(isinstance(v, str) and len(v) <= 200 for v in values)
            ):
                return {"attribute": attribute, "values": values}
        if not isinstance(data, list) or not all(isinstance(c, str) for c in data):
            raise serializers.ValidationError(
                str(_('Skriv en liste af kommunekoder eller "all".')),
                code="invalid",
            )
        return data

    def to_representation(self, value):
        return value


class RoundCreateSerializer(serializers.Serializer):
    survey = serializers.SlugField(max_length=60, help_text="The survey's key.")
    title = serializers.CharField(max_length=200, validators=[validate_round_title])
    slug = serializers.SlugField(max_length=80)
    deadline = serializers.DateTimeField()
    opens_at = serializers.DateTimeField(required=False, allow_null=True)
    previous = serializers.SlugField(
        max_length=80, required=False, allow_null=True, help_text="Compare with this round."
    )
    recipients = RecipientsField(
        help_text="A list of codes of members of the survey's register (3-digit municipality "
        'codes for a municipal survey), "all", or {"selection": "<name>"}: the members of a '
        "saved selection of the survey's register, or "
        '{"attribute": "<key>", "values": ["<value>", …]}: the active members of the '
        "survey's register whose categorical attribute (e.g. `region` or `dst_group` of the "
        "municipalities) has one of the values (for a `code` attribute: the code it points at, "
        'e.g. "1082" for Region Midtjylland).'
    )
    historical = serializers.BooleanField(
        default=False,
        help_text="Create an earlier round whose answers exist only as a table: closed at "
        "once, never opened or sent; the date of `deadline` is its reference date (in the "
        "past) and `opens_at` is not taken. Fill it with `POST rounds/{slug}/imports/`.",
    )

    def validate_survey(self, value):
        survey = Survey.objects.filter(key=value).first()
        if survey is None:
            raise serializers.ValidationError(str(_("Ukendt undersøgelse.")), code="unknown")
        return survey

    def validate_previous(self, value):
        if not value:
            return None
        previous = Round.objects.filter(slug=value).first()
        if previous is None:
            raise serializers.ValidationError(
                str(_("Ukendt runde af samme undersøgelse.")),
                code="unknown",
            )
        return previous


def round_error(exc: lifecycle.RoundError):
    """The lifecycle's refusal in the API's error shape: 409 for a round in the wrong state,
    400 with the fields otherwise."""
    if exc.code != "invalid":
        raise ApiError(exc.code, exc.problems[0].message, 409)
    raise ApiError(
        "invalid",
        _("Ugyldige data."),
        fields=[field_error(p.field, p.code, p.message) for p in exc.problems],
    )


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
        require(request, IsCoordinator)
        serializer = RoundCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        recipients = data["recipients"]  # a saved selection too: lifecycle.resolve_recipients
        try:
            if data["historical"]:
                round_ = lifecycle.create_historical_round(
                    actor=request.user,
                    ip=client_ip(request),
                    survey=data["survey"],
                    title=data["title"],
                    slug=data["slug"],
                    reference_date=timezone.localdate(data["deadline"]),
                    previous=data.get("previous"),
                    recipients=recipients,
                )
            else:
                round_ = lifecycle.create_round(
                    actor=request.user,
                    ip=client_ip(request),
                    survey=data["survey"],
                    title=data["title"],
                    slug=data["slug"],
                    deadline=data["deadline"],
                    opens_at=data.get("opens_at"),
                    previous=data.get("previous"),
                    recipients=recipients,
                )
        except lifecycle.RoundError as exc:
            for problem in exc.problems:  # the reference date is the `deadline` sent
                if problem.field == "reference_date":
                    exc.problems[exc.problems.index(problem)] = lifecycle.Problem(
                        "deadline", problem.code, problem.message
                    )
            round_error(exc)
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
        require(request, IsCoordinator)
        try:
            lifecycle.open_round(round_, actor=request.user, ip=client_ip(request))
        except lifecycle.RoundError as exc:
            round_error(exc)
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
        require(request, IsCoordinator)
        try:
            lifecycle.close_round(round_, actor=request.user, ip=client_ip(request))
        except lifecycle.RoundError as exc:
            round_error(exc)
        return Response(RoundSerializer(round_queryset(request.user).get(pk=round_.pk)).data)
