"""API v1 for the survey builder (coordinators): a survey's draft version (open, read, replace,
publish) through surveys.builder's services, and a version as XLSForm (download; upload into the
draft, never published by it). Drafts are seen by coordinators only: to anyone else a draft
version is as missing as a version that does not exist (404). The coordinators-only endpoints
check the role before they look the survey up (`coordinator_survey`, `coordinator_version`), so
anyone else gets the same 403 for a survey that exists and one that does not. Publishing a
draft that gives a published choice value another meaning needs `confirm_changed_meaning`."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from accounts.api_base import ApiView, IgnoreFormatNegotiation, IsCoordinator, require
from accounts.audit import client_ip
from lib.api_errors import ApiError, error_responses, field_error
from lib.api_schema import KEY_PARAM
from surveys import builder
from surveys.definitions import validate_definition
from surveys.models import Survey
from surveys.xlsform import MAX_FILE_BYTES, XLSFormError, definition_to_xlsform
from surveys.xlsform_upload import upload_xlsform

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FOUND = _("Ikke fundet.")
# One byte more than the converter accepts, so it can say the file is too large.
XLSFORM_READ_LIMIT = MAX_FILE_BYTES + 1

VERSION_PARAM = OpenApiParameter(
    "version",
    {"type": "integer", "minimum": 1, "maximum": 999_999_999},
    OpenApiParameter.PATH,
    description="A published version, or the draft's number (the next version) for coordinators.",
)


def get_survey(key):
    survey = Survey.objects.filter(key=key).first()
    if survey is None:
        raise ApiError("not_found", NOT_FOUND, 404)
    return survey


def coordinator_survey(request, key):
    """The survey of a coordinators-only builder endpoint. The role is checked before the
    survey is looked up, so anyone else gets the same 403 for a survey that exists and one
    that does not (the answer does not tell which keys exist)."""
    require(request, IsCoordinator)
    return get_survey(key)


def get_version(request, key, version):
    """(survey, content, draft) of a published version, or of the draft when `version` is its
    number and the caller is a coordinator (`draft` is then the DraftVersion, else None).
    Anything else answers 404."""
    survey = get_survey(key)
    definition = survey.definitions.filter(version=version).first()
    if definition is not None:
        return survey, definition.content, None
    draft = builder.draft_for(survey)
    if draft is not None and draft.next_version == version and request.user.is_coordinator:
        return survey, draft.content, draft
    raise ApiError("not_found", NOT_FOUND, 404)


def coordinator_version(request, key, version):
    """`get_version` for a coordinators-only endpoint: the role first, as `coordinator_survey`."""
    require(request, IsCoordinator)
    return get_version(request, key, version)


def checked_spec(content):
    """The Spec of content that must be valid (a draft may not be): 400 naming the field."""
    try:
        return validate_definition(content)
    except Exception as exc:  # DefinitionError; a draft can be anything JSON holds
        path = getattr(exc, "path", "") or "(root)"
        raise ApiError(
            "invalid_definition",
            _("Versionen har fejl; ret dem i kladden først."),
            fields=[field_error(path, "invalid_definition", str(exc.args[0]) if exc.args else "")],
        )


class ProblemSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="Where: `questions[2].label.da`, `survey[5]`, ….")
    message = serializers.CharField()
    confirmable = serializers.BooleanField(
        help_text="Added Nov. 2026: true for a published choice value the draft gives "
        "another meaning (a new text that is not a spelling fix, or its text moved to a new "
        "value). Not an error: publishing accepts it with `confirm_changed_meaning: true`."
    )


class DraftSerializer(serializers.Serializer):
    survey = serializers.CharField(help_text="The survey's key.")
    version = serializers.IntegerField(help_text="The version it becomes when published.")
    revision = serializers.IntegerField(help_text="Name it when you change the draft.")
    based_on = serializers.IntegerField(
        allow_null=True, help_text="The version it was copied from."
    )
    content = serializers.DictField(help_text="The definition as edited; may be invalid.")
    problems = ProblemSerializer(
        many=True,
        help_text="What keeps it from being published (empty: it can be). Since Nov. 2026 "
        "only these; the changes to confirm are in `changes_to_confirm`.",
    )
    changes_to_confirm = ProblemSerializer(
        many=True,
        help_text="Added Nov. 2026: each published choice value the draft gives another "
        "meaning (`confirmable: true`). Publishing needs `confirm_changed_meaning: true` "
        "while it is not empty.",
    )


def draft_data(draft):
    problems = builder.draft_problems(draft.content, survey=draft.survey)
    return {
        "survey": draft.survey.key,
        "version": draft.next_version,
        "revision": draft.revision,
        "based_on": draft.based_on.version if draft.based_on_id else None,
        "content": draft.content,
        "problems": [_problem(p) for p in problems if not p.confirmable],
        "changes_to_confirm": [_problem(p) for p in problems if p.confirmable],
    }


def _problem(p: builder.Problem) -> dict:
    return {"field": p.path or "(root)", "message": p.message, "confirmable": p.confirmable}


def builder_error(exc: builder.BuilderError):
    fields = [field_error(p.path or "(root)", exc.code, p.message) for p in exc.problems]
    if exc.code == "stale":
        raise ApiError(
            "stale",
            _("Kladden er ændret af en anden siden; hent den igen."),
            409,
            fields=fields,
            revision=exc.draft.revision if exc.draft is not None else None,
        )
    if exc.code == "changed_meaning":
        raise ApiError(
            "changed_meaning",
            _(
                "Kladden giver udgivne valgmuligheder en anden betydning. Ret dem, eller udgiv "
                "med confirm_changed_meaning: true."
            ),
            fields=fields,
        )
    if exc.code in ("missing", "state"):
        raise ApiError(
            exc.code,
            _("Der er ingen kladde at ændre.")
            if exc.code == "missing"
            else _("Der er intet at udgive."),
            404 if exc.code == "missing" else 409,
            fields=fields,
        )
    raise ApiError("invalid", _("Ugyldige data."), fields=fields)


class RevisionSerializer(serializers.Serializer):
    revision = serializers.IntegerField(
        min_value=1, max_value=999_999_999, help_text="The draft's revision you start from."
    )


class DraftReplaceSerializer(RevisionSerializer):
    content = serializers.DictField(help_text="The whole definition (may still be invalid).")


class PublishSerializer(RevisionSerializer):
    confirm_changed_meaning = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Added Nov. 2026: publish although the draft gives a published choice "
        "value another meaning (the draft's `changes_to_confirm`). Without it "
        "such a draft answers 400 `changed_meaning`, each choice in `fields`.",
    )


class PublishedSerializer(serializers.Serializer):
    survey = serializers.CharField()
    version = serializers.IntegerField(help_text="The new published version.")


class SurveyDraft(ApiView):
    @extend_schema(
        tags=["builder"],
        summary="A survey's draft version (coordinators)",
        parameters=[KEY_PARAM],
        responses={200: DraftSerializer, **error_responses(403, 404)},
    )
    def get(self, request, key):
        survey = coordinator_survey(request, key)
        draft = builder.draft_for(survey)
        if draft is None:
            raise ApiError("not_found", NOT_FOUND, 404)
        return Response(draft_data(draft))

    @extend_schema(
        tags=["builder"],
        summary="Open a draft version (coordinators)",
        description="A copy of the newest published version, to edit; an existing draft is "
        "returned as it is (one draft per survey). Nothing is published.",
        parameters=[KEY_PARAM],
        request=None,
        responses={200: DraftSerializer, **error_responses(403, 404)},
    )
    def post(self, request, key):
        survey = coordinator_survey(request, key)
        draft = builder.open_draft(survey=survey, actor=request.user, ip=client_ip(request))
        return Response(draft_data(draft))

    @extend_schema(
        tags=["builder"],
        summary="Replace the draft's content (coordinators)",
        description="Saved even when invalid (`problems` says what to correct before "
        "publishing). `revision` must be the draft's current one: 409 `stale` otherwise.",
        parameters=[KEY_PARAM],
        request=DraftReplaceSerializer,
        responses={200: DraftSerializer, **error_responses(400, 403, 404, 409)},
    )
    def put(self, request, key):
        survey = coordinator_survey(request, key)
        serializer = DraftReplaceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            draft = builder.replace_draft_content(
                survey=survey,
                revision=serializer.validated_data["revision"],
                content=serializer.validated_data["content"],
                actor=request.user,
                ip=client_ip(request),
            )
        except builder.BuilderError as exc:
            builder_error(exc)
        return Response(draft_data(draft))

    @extend_schema(
        tags=["builder"],
        summary="Discard the draft (coordinators)",
        description="The published versions and their rounds are untouched. `revision` must be "
        "the draft's current one: 409 `stale` otherwise.",
        parameters=[
            KEY_PARAM,
            OpenApiParameter(
                "revision",
                {"type": "integer", "minimum": 1, "maximum": 999_999_999},
                required=True,
                description="The draft's revision you saw.",
            ),
        ],
        responses={204: None, **error_responses(400, 403, 404, 409)},
    )
    def delete(self, request, key):
        survey = coordinator_survey(request, key)
        serializer = RevisionSerializer(data=request.query_params)
        serializer.is_valid(raise_exception=True)
        try:
            builder.discard_draft(
                survey=survey,
                revision=serializer.validated_data["revision"],
                actor=request.user,
                ip=client_ip(request),
            )
        except builder.BuilderError as exc:
            builder_error(exc)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(
    tags=["builder"],
    summary="Publish the draft as the next version (coordinators)",
    description="Checked as an import is; 400 with every problem at its field. A published "
    "choice value given another meaning answers 400 `changed_meaning` unless "
    "`confirm_changed_meaning` is true. Rounds keep the version they were created with.",
    parameters=[KEY_PARAM],
    request=PublishSerializer,
    responses={201: PublishedSerializer, **error_responses(400, 403, 404, 409)},
)
class SurveyDraftPublish(ApiView):
    def post(self, request, key):
        survey = coordinator_survey(request, key)
        serializer = PublishSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            definition = builder.publish_draft(
                survey=survey,
                revision=serializer.validated_data["revision"],
                actor=request.user,
                ip=client_ip(request),
                confirm_changed_meaning=serializer.validated_data["confirm_changed_meaning"],
            )
        except builder.BuilderError as exc:
            builder_error(exc)
        return Response(
            {"survey": survey.key, "version": definition.version}, status=status.HTTP_201_CREATED
        )


@extend_schema(
    tags=["builder"],
    summary="A version as XLSForm",
    description="The `survey`, `choices` and `settings` sheets of XLSForm, and a sheet for "
    "each other list of the definition (`rules`, `history_checks`, `indicators`, …) "
    "(docs/definitions.md). The draft (coordinators) only once it has no errors: 400 "
    "`invalid_definition` naming them otherwise.",
    parameters=[KEY_PARAM, VERSION_PARAM],
    responses={
        (200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The XLSX file."),
        **{(c, "application/json"): r for c, r in error_responses(400, 404).items()},
    },
)
class VersionXLSForm(ApiView):
    content_negotiation_class = IgnoreFormatNegotiation
    renderer_classes = [JSONRenderer]

    def get(self, request, key, version):
        survey, content, draft = get_version(request, key, version)
        if draft is not None:
            checked_spec(content)  # a draft is written only once it is a valid definition
        response = HttpResponse(definition_to_xlsform(content, version=version), content_type=XLSX)
        kind = "-kladde" if draft is not None else ""
        response["Content-Disposition"] = (
            f'attachment; filename="{survey.key}-v{version}{kind}.xlsx"'
        )
        return response


class XLSFormUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="The XLSForm (.xlsx).")
    revision = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=999_999_999,
        help_text="The draft's revision, when the survey has a draft already.",
    )


@extend_schema(
    tags=["builder"],
    summary="Upload an XLSForm into the draft (coordinators)",
    description="The file becomes the survey's draft version (opened from the newest version "
    "if there is none; an existing draft needs its `revision`). It is never published by "
    "this. A file that cannot become a valid definition answers 400 with each problem's "
    "sheet and row in `fields[].field` (`survey[5]`).",
    parameters=[KEY_PARAM],
    request={"multipart/form-data": XLSFormUploadSerializer},
    responses={200: DraftSerializer, **error_responses(400, 403, 404, 409)},
)
class DraftXLSFormUpload(ApiView):
    parser_classes = [MultiPartParser]

    def post(self, request, key):
        survey = coordinator_survey(request, key)
        serializer = XLSFormUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["file"]
        try:
            draft = upload_xlsform(
                survey=survey,
                data=upload.read(XLSFORM_READ_LIMIT),
                revision=serializer.validated_data.get("revision"),
                actor=request.user,
                ip=client_ip(request),
            )
        except XLSFormError as exc:
            raise ApiError(
                "invalid_xlsform",
                _("XLSForm-filen kan ikke bruges."),
                fields=[
                    field_error(p.where or "file", "invalid_xlsform", p.message)
                    for p in exc.problems
                ],
            )
        except builder.BuilderError as exc:
            builder_error(exc)
        return Response(draft_data(draft))
