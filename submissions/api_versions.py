"""API v1 for trying a definition version before it is used (coordinators): check answers
against it (nothing stored) and the rule impact on an earlier round's answers
(submissions.impact; a large round in the background, polled at `impact/{id}/`)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from accounts.api_base import ApiView, IsCoordinator, require
from accounts.audit import client_ip
from lib.api_errors import ApiError, error_responses, field_error
from lib.api_schema import KEY_PARAM, SLUG_PATTERN
from lib.query import api_query_param
from submissions import services
from submissions.api import FindingSerializer, HiddenSerializer, findings_data, hidden_data
from submissions.models import ImpactRun
from submissions.validation import validate
from surveys.api_builder import VERSION_PARAM, checked_spec, coordinator_version
from surveys.selectors import rounds_for

INVALID = _("Ugyldige data.")


class CheckRequestSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="As in `PUT …/submissions/{code}/`: question key → value (entries surveys: "
        '`{"entries": [...], "nothing_to_report": false}`).'
    )
    previous_answers = serializers.DictField(
        required=False,
        allow_null=True,
        help_text="The answers of the round compared with, for the history checks.",
    )


class CheckSerializer(serializers.Serializer):
    errors = FindingSerializer(many=True)
    warnings = FindingSerializer(many=True)
    derived = serializers.DictField(help_text="Derived values, null if unknown.")
    hidden = HiddenSerializer(
        many=True,
        help_text="Questions a show-when (`relevant_when`) hides with these answers: not "
        "required, and their answers would be dropped.",
    )


@extend_schema(
    tags=["builder"],
    summary="Check answers against a version (coordinators)",
    description="Runs the version's validation — types, required questions, show-when, rules, "
    "derived values, history checks — on the answers sent. Nothing is stored. A draft must "
    "be valid to be checked (400 otherwise).",
    parameters=[KEY_PARAM, VERSION_PARAM],
    request=CheckRequestSerializer,
    responses={200: CheckSerializer, **error_responses(400, 403, 404)},
)
class VersionCheck(ApiView):
    def post(self, request, key, version):
        _survey, content, _draft = coordinator_version(request, key, version)
        spec = checked_spec(content)
        serializer = CheckRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        answers = serializer.validated_data["answers"]
        result = validate(spec, answers, serializer.validated_data.get("previous_answers"))
        return Response(
            {
                "errors": findings_data(result.errors),
                "warnings": findings_data(result.warnings),
                "derived": result.derived,
                "hidden": hidden_data(spec, answers),
            }
        )


class ImpactPlaceSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="The municipality's code.")
    name = serializers.CharField()
    entry = serializers.IntegerField(allow_null=True, help_text="Entries: the 0-based entry.")


class ImpactHitSerializer(ImpactPlaceSerializer):
    values = serializers.DictField(help_text="The values the check read (`previous`: before).")
    new = serializers.BooleanField(help_text="Not flagged by the round's own version.")


class ImpactCheckSerializer(serializers.Serializer):
    key = serializers.CharField()
    kind = serializers.CharField(help_text="`rule` or `history` (a history check).")
    severity = serializers.ChoiceField(choices=["error", "warning"])
    expression = serializers.CharField(allow_null=True)
    message = serializers.DictField(child=serializers.CharField())
    blocked = serializers.IntegerField(help_text="Municipalities it would block.")
    warned = serializers.IntegerField(help_text="Municipalities it would warn.")
    municipalities = ImpactHitSerializer(many=True)


class ImpactValueSerializer(ImpactPlaceSerializer):
    value = serializers.JSONField(allow_null=True, help_text="The stored answer.")


class ImpactUnfitSerializer(serializers.Serializer):
    question = serializers.CharField(allow_null=True)
    code = serializers.CharField(help_text="`required`, `bad_choice`, `max`, …")
    message = serializers.DictField(child=serializers.CharField())
    municipalities = ImpactValueSerializer(many=True)


class ImpactHiddenSerializer(serializers.Serializer):
    question = serializers.CharField()
    municipalities = ImpactValueSerializer(many=True)


class ImpactResultSerializer(serializers.Serializer):
    round = serializers.CharField()
    respondents = serializers.IntegerField(help_text="Responded submissions read.")
    checks = ImpactCheckSerializer(many=True)
    no_longer_fit = ImpactUnfitSerializer(many=True)
    hidden = ImpactHiddenSerializer(many=True)


class ImpactSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="A background run's id.")
    state = serializers.ChoiceField(choices=ImpactRun.State.choices)
    result = ImpactResultSerializer(allow_null=True)


def _round_param(request, survey):
    slug = api_query_param(request, "round")  # NUL: a 400, not a database error
    round_ = rounds_for(request.user).filter(slug=slug, survey=survey).first() if slug else None
    if round_ is None:
        raise ApiError(
            "invalid",
            INVALID,
            fields=[
                field_error(
                    "round",
                    "unknown",
                    _("Vælg en runde af samme undersøgelse."),
                )
            ],
        )
    return round_


@extend_schema(
    tags=["builder"],
    summary="Rule impact of a version on an earlier round (coordinators)",
    description="The version's rules, history checks and show-when run over every responded "
    "answer of `round` (a round of the same survey): per rule how many municipalities it "
    "would block or warn and which, and the answers that would no longer fit. Nothing is "
    "stored. A large round is run in the background: 202 with the run's `id`, polled at "
    "`GET impact/{id}/`.",
    parameters=[
        KEY_PARAM,
        VERSION_PARAM,
        OpenApiParameter(
            "round",
            {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 80},
            required=True,
            description="The slug of a round of the same survey.",
        ),
    ],
    responses={200: ImpactSerializer, 202: ImpactSerializer, **error_responses(400, 403, 404)},
)
class VersionImpact(ApiView):
    def get(self, request, key, version):
        survey, content, _draft = coordinator_version(request, key, version)
        spec = checked_spec(content)
        round_ = _round_param(request, survey)
        result, run = services.request_impact(
            actor=request.user, ip=client_ip(request), round_=round_, content=content, spec=spec
        )
        if run is None:
            return Response({"id": None, "state": ImpactRun.State.DONE, "result": result})
        data = {"id": run.pk, "state": run.state, "result": None}
        return Response(data, status=status.HTTP_202_ACCEPTED)


@extend_schema(
    tags=["builder"],
    summary="A background rule-impact run (coordinators)",
    parameters=[
        OpenApiParameter(
            "run",
            {"type": "integer", "minimum": 1, "maximum": 999_999_999},
            OpenApiParameter.PATH,
            description="The id answered by the impact request (202).",
        )
    ],
    responses={200: ImpactSerializer, **error_responses(403, 404)},
)
class ImpactRunDetail(ApiView):
    def get(self, request, run):
        require(request, IsCoordinator)
        found = (
            ImpactRun.objects.filter(pk=run).filter(Q(round__in=rounds_for(request.user))).first()
        )
        if found is None:
            raise ApiError("not_found", _("Ikke fundet."), 404)
        return Response({"id": found.pk, "state": found.state, "result": found.result})
