"""API v1: a municipality's submission (read, save, submit, accept, return). Every lookup
starts from the scoped querysets of submissions/permissions.py, so what a person may not see
answers 404, exactly as on the web."""

from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from accounts.api_base import ApiView, IsCoordinator, forbid, require
from accounts.audit import client_ip
from lib.api_errors import ApiError, ErrorDetailSerializer, error_responses, field_error
from lib.api_schema import CODE_PARAM, SLUG_PARAM
from lib.text import pick
from reference.models import KOMMUNER
from submissions import services
from submissions.models import Submission, SubmissionState
from submissions.permissions import can_edit, get_round_and_municipality
from submissions.validation import MAX_EXPLANATION_LENGTH, hidden_keys, validate
from submissions.visibility import restrict_submission, values_visible

# --- Serializers (responses)


class FindingSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The rule or check, e.g. `share_high`.")
    code = serializers.CharField(help_text="`required`, `not_integer`, `rule`, `history`, …")
    message = serializers.CharField(help_text="In the request's language.")
    field = serializers.CharField(allow_null=True, help_text="The question key it concerns.")
    entry = serializers.IntegerField(
        allow_null=True, help_text="Entries surveys: the 0-based entry index."
    )
    explain = serializers.CharField(
        allow_null=True, help_text="Warnings: the key to explain it under in `explanations`."
    )


class BlockingSerializer(FindingSerializer):
    warning = serializers.CharField(
        required=False, help_text="For an unexplained warning: the warning's own message."
    )


def findings_data(findings):
    out = []
    for f in findings:
        item = {
            "key": f.get("key"),
            "code": f.get("code"),
            "message": pick(f.get("message")),
            "field": f.get("field"),
            "entry": f.get("entry"),
            "explain": f.get("explain"),
        }
        if "warning" in f:
            item["warning"] = pick(f["warning"])
        out.append(item)
    return out


class OrganisationSerializer(serializers.Serializer):
    register = serializers.CharField(help_text="The register's key, e.g. kommuner.")
    code = serializers.CharField()
    name = serializers.CharField()


class HiddenSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="The question key.")
    entry = serializers.IntegerField(
        allow_null=True, help_text="Entries surveys: the 0-based entry index."
    )


def hidden_data(spec, answers):
    """The questions a show-when hides in these answers, as {field, entry} (their answers are
    dropped: stored as null)."""
    hidden = hidden_keys(spec, answers)
    if isinstance(hidden, list):
        return [
            {"field": k, "entry": i}
            for i, keys in enumerate(hidden)
            for k in spec.question_keys
            if k in keys
        ]
    return [{"field": k, "entry": None} for k in spec.question_keys if k in hidden]


class SubmissionSerializer(serializers.Serializer):
    round = serializers.CharField(help_text="The round's slug.")
    municipality = serializers.CharField(
        allow_null=True,
        help_text="The municipality's code; null in a round of another register (see "
        "`organisation`).",
    )
    municipality_name = serializers.CharField(allow_null=True)
    organisation = OrganisationSerializer(
        help_text="Who answers: a member of the register the round's survey is asked of."
    )
    state = serializers.ChoiceField(choices=SubmissionState.choices)
    version = serializers.IntegerField(
        help_text="Send it back with the next save; 0 = nothing saved yet."
    )
    answers = serializers.DictField(
        help_text="Question key → value. Entries surveys: "
        '`{"entries": [{…}, …], "nothing_to_report": false}`.'
    )
    explanations = serializers.DictField(
        child=serializers.CharField(), help_text="Warning key → explanation."
    )
    derived = serializers.DictField(help_text="Derived values (e.g. shares), null if unknown.")
    errors = FindingSerializer(many=True)
    warnings = FindingSerializer(many=True)
    hidden = HiddenSerializer(
        many=True,
        help_text="Questions a show-when (`relevant_when`) hides with these answers: not "
        "required, and an answer sent for one is dropped (stored as null).",
    )
    editable = serializers.BooleanField(help_text="Whether you can save this now.")
    returned_reason = serializers.CharField(allow_blank=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField()
    accepted_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)


def submission_data(user, round_, municipality, submission):
    spec = round_.definition.spec
    municipal = round_.survey.register.key == KOMMUNER
    if submission is None:
        result = validate(spec, {}, None)
        findings, answers, derived = result.findings, result.answers, result.derived
        hidden = hidden_data(spec, answers)
        state, version, explanations = SubmissionState.DRAFT, 0, {}
        returned_reason, submitted_at, late, accepted_at, last = "", None, False, None, None
    else:
        # From the answers as stored, before an analyst's restriction takes e-mails away; not
        # at all where an analyst may not see the values (a draft).
        hidden = []
        if values_visible(user=user, state=submission.state):
            hidden = hidden_data(spec, submission.answers)
        restrict_submission(user=user, spec=spec, submission=submission)
        findings, answers, derived = submission.findings, submission.answers, submission.derived
        state, version, explanations = submission.state, submission.version, submission.explanations
        returned_reason = submission.returned_reason
        submitted_at, late = submission.submitted_at, submission.late
        accepted_at, last = submission.accepted_at, submission.last_activity_at
    editable = services.may_save(round_, municipality, user=user, submission=submission)
    return {
        "round": round_.slug,
        "municipality": municipality.code if municipal else None,
        "municipality_name": municipality.name if municipal else None,
        "organisation": {
            "register": round_.survey.register.key,
            "code": municipality.code,
            "name": municipality.name,
        },
        "state": state,
        "version": version,
        "answers": answers if isinstance(answers, dict) else {},
        "explanations": explanations if isinstance(explanations, dict) else {},
        "derived": derived if isinstance(derived, dict) else {},
        "errors": findings_data([f for f in findings if f.get("severity") == "error"]),
        "warnings": findings_data([f for f in findings if f.get("severity") == "warning"]),
        "hidden": hidden,
        "editable": editable,
        "returned_reason": returned_reason or "",
        "submitted_at": submitted_at,
        "late": bool(late),
        "accepted_at": accepted_at,
        "last_activity_at": last,
    }


class CurrentSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    state = serializers.ChoiceField(choices=SubmissionState.choices)
    answers = serializers.DictField()
    explanations = serializers.DictField(child=serializers.CharField())


class StaleErrorDetailSerializer(ErrorDetailSerializer):
    current = CurrentSerializer(
        required=False,
        help_text="With code `stale_version`: the stored submission. Merge your changes into "
        "it and save again with its version.",
    )


class StaleErrorSerializer(serializers.Serializer):
    error = StaleErrorDetailSerializer()


class BlockedErrorDetailSerializer(ErrorDetailSerializer):
    blocking = BlockingSerializer(
        many=True,
        required=False,
        help_text="With code `blocked`: the errors and unexplained warnings that stand in the way.",
    )


class BlockedErrorSerializer(serializers.Serializer):
    error = BlockedErrorDetailSerializer()


CONFLICT = OpenApiResponse(
    StaleErrorSerializer,
    description="`stale_version`: someone saved since you read it — `error.current` holds the "
    "stored version and answers. Other codes (`already_submitted`, `round_closed`, …): the "
    "submission's or round's state does not allow it.",
)


# --- Requests


class TypedText(serializers.CharField):
    """Text as typed. DRF refuses NUL and lone surrogates in every CharField; here they reach
    the validation, which strips them as it does for the form (one rule for both doors)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v
            for v in self.validators
            if not isinstance(
                v, ProhibitNullCharactersValidator | ProhibitSurrogateCharactersValidator
            )
        ]


class SaveSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        help_text="The version you read (0 for a submission not saved before).",
    )
    answers = serializers.DictField(
        help_text="Every answer (this replaces the stored answers). Question key → value; "
        'entries surveys: `{"entries": [{…}], "nothing_to_report": false}`.'
    )
    explanations = serializers.DictField(
        child=TypedText(allow_blank=True, max_length=MAX_EXPLANATION_LENGTH),
        required=False,
        default=dict,
        help_text="Warning key (the `explain` of a warning) → explanation.",
    )


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        help_text="Optional: refuse (409) if the submission changed since this version.",
    )


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="What the municipality must fix.")


# --- Shape checks: malformed or unknown keys are 400; values are validated like the form.

UNKNOWN_KEY = _("Ukendt nøgle: den findes ikke i undersøgelsens definition.")
BAD_TYPE = _("Svaret skal være et tal, en tekst, ja/nej, null eller en liste af disse.")


def _scalar(value):
    return value is None or isinstance(value, str | int | float | bool)


def _check_value(path, value, problems):
    """Only the shape: a scalar or a list of scalars. What is in a text (control characters,
    NUL, a lone surrogate) is the validation's, as on the form: stripped, saved, and reported
    as the answer's error (`control_chars`), so nothing typed is lost."""
    if isinstance(value, list):
        if not all(_scalar(v) for v in value):
            problems.append(field_error(path, "invalid_type", BAD_TYPE))
    elif not _scalar(value):
        problems.append(field_error(path, "invalid_type", BAD_TYPE))


def _check_group(spec, group, prefix, problems):
    keys = set(spec.question_keys)
    for key, value in group.items():
        path = f"{prefix}.{key}"
        if key not in keys:
            problems.append(field_error(path, "unknown_key", UNKNOWN_KEY))
        else:
            _check_value(path, value, problems)


def check_shape(spec, answers, explanations):
    """Field errors for what is malformed (not for invalid values: those are saved)."""
    problems = []
    if spec.has_entries:
        for key in answers:
            if key not in ("entries", "nothing_to_report"):
                problems.append(field_error(f"answers.{key}", "unknown_key", UNKNOWN_KEY))
        entries = answers.get("entries", [])
        nothing = answers.get("nothing_to_report", False)
        if not isinstance(nothing, bool):
            problems.append(
                field_error(
                    "answers.nothing_to_report",
                    "invalid_type",
                    _("Skal være true eller false."),
                )
            )
        if not isinstance(entries, list):
            problems.append(
                field_error(
                    "answers.entries",
                    "invalid_type",
                    _("Skal være en liste af poster."),
                )
            )
        else:
            # Twice the definition's cap: a few too many are saved as a draft with an error
            # (nothing typed is lost); many more are refused outright.
            limit = 2 * spec.entries_max
            if len(entries) > limit:
                problems.append(
                    field_error(
                        "answers.entries",
                        "too_many",
                        _("For mange poster."),
                    )
                )
            for i, entry in enumerate(entries[:limit]):
                if not isinstance(entry, dict):
                    problems.append(
                        field_error(
                            f"answers.entries[{i}]",
                            "invalid_type",
                            _("En post skal være et objekt."),
                        )
                    )
                else:
                    _check_group(spec, entry, f"answers.entries[{i}]", problems)
    else:
        _check_group(spec, answers, "answers", problems)
    warning_keys = set(spec.warning_keys)
    for key in explanations:
        path = f"explanations.{key}"
        if key.split("@", 1)[0] not in warning_keys or len(key) > 100:
            problems.append(field_error(path, "unknown_key", UNKNOWN_KEY))
    return problems


def _invalid(fields):
    raise ApiError("invalid", _("Ugyldige data."), fields=fields)


def _service_error(exc):
    """A refused service call in the error shape."""
    if isinstance(exc, services.StaleVersion):
        sub = exc.submission
        raise ApiError(
            exc.code,
            exc.message,
            409,
            current={
                "version": sub.version,
                "state": sub.state,
                "answers": sub.answers,
                "explanations": sub.explanations,
            },
        )
    if isinstance(exc, services.SubmissionBlocked):
        blocking = findings_data(exc.blocking)
        fields = [
            {
                "field": _finding_path(b),
                "code": b["code"],
                "message": b["message"],
            }
            for b in blocking
        ]
        raise ApiError(exc.code, exc.message, 400, fields=fields, blocking=blocking)
    if isinstance(exc, services.NotEditable):
        raise ApiError(exc.code, exc.message, 409)
    if isinstance(exc, services.ExplanationNotRaised):
        message = _(
            "Svarene giver ikke denne advarsel; send kun forklaringer til advarsler, der vises."
        )
        fields = [field_error(f"explanations.{k}", "not_raised", message) for k in exc.keys[:50]]
        raise ApiError(exc.code, exc.message, 400, fields=fields)
    if isinstance(exc, services.ExplanationTooLong):
        # The serializer counts the characters as sent, the service after NFC normalisation,
        # which can lengthen a text (U+0958 becomes two characters): the same field errors
        # as the serializer's refusal (SaveSerializer.explanations), one per explanation.
        message = str(serializers.CharField.default_error_messages["max_length"]).format(
            max_length=MAX_EXPLANATION_LENGTH
        )
        fields = [field_error(f"explanations.{k}", "max_length", message) for k in exc.keys[:50]]
        raise ApiError(exc.code, exc.message, 400, fields=fields)
    raise ApiError(exc.code, exc.message, 400)


def _finding_path(finding):
    if finding["code"] == "explanation_missing" and finding.get("explain"):
        return f"explanations.{finding['explain']}"
    prefix = "answers" if finding.get("entry") is None else f"answers.entries[{finding['entry']}]"
    if finding.get("field"):
        return f"{prefix}.{finding['field']}"
    return prefix


def _load(request, slug, code):
    round_, municipality = get_round_and_municipality(request.user, slug, code)
    submission = Submission.objects.filter(round=round_, municipality=municipality).first()
    return round_, municipality, submission


# --- Views


class SubmissionDetail(ApiView):
    @extend_schema(
        tags=["submissions"],
        summary="A municipality's submission in a round",
        description="A submission not saved yet reads as an empty draft with version 0.",
        parameters=[SLUG_PARAM, CODE_PARAM],
        responses={200: SubmissionSerializer, **error_responses(404)},
    )
    def get(self, request, slug, code):
        round_, municipality, submission = _load(request, slug, code)
        return Response(submission_data(request.user, round_, municipality, submission))

    @extend_schema(
        tags=["submissions"],
        summary="Save a draft",
        description="Saves what you send, valid or not (like the form): the answer lists errors "
        "and warnings, and `version` is the new version. Nothing is submitted. A stale "
        "`version` answers 409 with the stored submission in `error.current`; nothing is "
        "overwritten. Malformed JSON, keys not in the definition or values that are not JSON "
        "scalars answer 400.",
        parameters=[SLUG_PARAM, CODE_PARAM],
        request=SaveSerializer,
        responses={200: SubmissionSerializer, **error_responses(400, 403, 404), 409: CONFLICT},
    )
    def put(self, request, slug, code):
        # The service reads the submission itself, under its row lock; the previous round's
        # answers come with the scoped lookup.
        round_, municipality = get_round_and_municipality(
            request.user, slug, code, with_previous_answers=True
        )
        if not can_edit(request.user, municipality):
            forbid()
        serializer = SaveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        problems = check_shape(round_.definition.spec, data["answers"], data["explanations"])
        if problems:
            _invalid(problems)
        try:
            outcome = services.save_draft(
                round_,
                municipality,
                actor=request.user,
                answers=data["answers"],
                explanations=data["explanations"],
                version=data["version"],
                ip=client_ip(request),
                strict_explanations=True,
            )
        except services.ServiceError as exc:
            _service_error(exc)
        return Response(submission_data(request.user, round_, municipality, outcome.submission))


@extend_schema(
    tags=["submissions"],
    summary="Submit",
    description="Submits the saved answers. 400 with `error.blocking` (errors, and warnings "
    "without an explanation) when it cannot be submitted yet. Submitting a submitted "
    "submission is a no-op answering 200.",
    parameters=[SLUG_PARAM, CODE_PARAM],
    request=SubmitSerializer,
    responses={
        200: SubmissionSerializer,
        400: OpenApiResponse(BlockedErrorSerializer, description="Malformed, or blocked."),
        **error_responses(403, 404),
        409: CONFLICT,
    },
)
class SubmissionSubmit(ApiView):
    def post(self, request, slug, code):
        round_, municipality = get_round_and_municipality(
            request.user, slug, code, with_previous_answers=True
        )
        if not can_edit(request.user, municipality):
            forbid()
        serializer = SubmitSerializer(data=request.data if request.data else {})
        serializer.is_valid(raise_exception=True)
        try:
            outcome = services.submit(
                round_,
                municipality,
                actor=request.user,
                version=serializer.validated_data.get("version"),
                ip=client_ip(request),
            )
        except services.ServiceError as exc:
            _service_error(exc)
        return Response(submission_data(request.user, round_, municipality, outcome.submission))


NOT_SUBMITTED = _("Besvarelsen er ikke indsendt.")


def _review_target(request, slug, code):
    round_, municipality, submission = _load(request, slug, code)
    require(request, IsCoordinator)
    if submission is None:
        raise ApiError("not_submitted", NOT_SUBMITTED, 409)
    return round_, municipality, submission


@extend_schema(
    tags=["submissions"],
    summary="Accept (coordinators)",
    description="Accepting an accepted submission is a no-op.",
    parameters=[SLUG_PARAM, CODE_PARAM],
    request=None,
    responses={200: SubmissionSerializer, **error_responses(403, 404, 409)},
)
class SubmissionAccept(ApiView):
    def post(self, request, slug, code):
        round_, municipality, submission = _review_target(request, slug, code)
        try:
            submission = services.accept(submission, actor=request.user, ip=client_ip(request))
        except services.ServiceError as exc:
            _service_error(exc)
        return Response(submission_data(request.user, round_, municipality, submission))


@extend_schema(
    tags=["submissions"],
    summary="Return for correction (coordinators)",
    parameters=[SLUG_PARAM, CODE_PARAM],
    request=ReturnSerializer,
    responses={200: SubmissionSerializer, **error_responses(400, 403, 404, 409)},
)
class SubmissionReturn(ApiView):
    def post(self, request, slug, code):
        round_, municipality, submission = _review_target(request, slug, code)
        serializer = ReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            submission = services.return_submission(
                submission,
                actor=request.user,
                reason=serializer.validated_data["reason"],
                ip=client_ip(request),
            )
        except services.ServiceError as exc:
            _service_error(exc)
        return Response(submission_data(request.user, round_, municipality, submission))
