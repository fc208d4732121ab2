"""API v1 for following a round: its status table (one row per recipient) and reminders.
Every lookup starts from the scoped round query, so what a person may not see answers 404."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from accounts.api_base import ApiView, CanReadAll, IsCoordinator, require
from accounts.audit import client_ip
from lib.api_errors import ApiError, error_responses, field_error
from lib.api_schema import SLUG_PARAM
from submissions.services import ServiceError
from surveys.selectors import get_round
from tracking import reminders
from tracking.board import board_rows


def _invalid_municipalities():
    _invalid(
        [
            field_error(
                "municipalities",
                "invalid",
                _('Skriv en liste af kommunekoder eller "non_responders".'),
            )
        ]
    )


def _invalid(fields):
    raise ApiError("invalid", _("Ugyldige data."), fields=fields)


# --- Status


STATUS_STATES = [
    ("not_started", "Not started"),
    ("no_contact", "Not started, and nobody to write to"),
    ("draft", "Draft"),
    ("returned", "Returned for correction"),
    ("submitted", "Submitted"),
    ("late", "Submitted after the deadline"),
    ("accepted", "Accepted"),
]


class StatusRowSerializer(serializers.Serializer):
    municipality = serializers.CharField(help_text="The municipality's code.")
    name = serializers.CharField()
    state = serializers.ChoiceField(choices=STATUS_STATES)
    submitted_at = serializers.DateTimeField(allow_null=True)
    late = serializers.BooleanField(
        help_text="Submitted after the deadline, or not submitted and the deadline has passed."
    )
    last_activity = serializers.DateTimeField(allow_null=True)
    reminders_sent = serializers.IntegerField()


def status_rows(round_):
    """One row per recipient, by code: the tracking board's rows."""
    past = round_.is_past_deadline(timezone.now())
    return [
        {
            "municipality": row.code,
            "name": row.name,
            "state": row.board_state,
            "submitted_at": row.submitted_at,
            "late": bool(row.late) if row.responded else past,
            "last_activity": row.last_activity_at,
            "reminders_sent": row.reminders_sent,
        }
        for row in sorted(board_rows(round_), key=lambda r: r.code)
    ]


@extend_schema(
    tags=["rounds"],
    summary="A round's status: one row per recipient (coordinators, analysts)",
    parameters=[SLUG_PARAM],
    responses={200: StatusRowSerializer(many=True), **error_responses(403, 404)},
)
class RoundStatus(ApiView):
    def get(self, request, slug):
        round_ = get_round(request.user, slug)
        require(request, CanReadAll)
        return Response(StatusRowSerializer(status_rows(round_), many=True).data)


# --- Reminders


class RemindersRequestSerializer(serializers.Serializer):
    municipalities = serializers.JSONField(
        help_text=f"A list of municipality codes (3 or 4 digits, at most {reminders.MAX_CODES}), "
        'or "non_responders" (every recipient that has not submitted, including those with a '
        "draft)."
    )
    key = serializers.RegexField(
        r"^[0-9a-f]{32}$",
        required=False,
        help_text="Optional idempotency key (32 hex digits, e.g. a UUID4 hex): sending the same "
        "key again sends nothing twice.",
    )


class RemindersResponseSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The idempotency key used.")
    sent = serializers.ListField(
        child=serializers.CharField(), help_text="Codes a reminder was queued for."
    )
    no_recipients = serializers.ListField(
        child=serializers.CharField(), help_text="Codes with nobody to write to (logged)."
    )
    already = serializers.ListField(
        child=serializers.CharField(), help_text="Codes already reminded with this key."
    )
    skipped_responded = serializers.ListField(
        child=serializers.CharField(), help_text="Chosen codes that have already submitted."
    )


@extend_schema(
    tags=["rounds"],
    summary="Send reminders (coordinators)",
    description="Sends the round's reminder template to the chosen municipalities that have not "
    "submitted. Send the same `key` to retry safely.",
    parameters=[SLUG_PARAM],
    request={
        "application/json": {
            "type": "object",
            "required": ["municipalities"],
            "properties": {
                "municipalities": {
                    "oneOf": [
                        {
                            "type": "array",
                            "items": {"type": "string", "pattern": reminders.CODE_PATTERN},
                            "minItems": 1,
                            "maxItems": reminders.MAX_CODES,
                        },
                        {"type": "string", "enum": ["non_responders"]},
                    ]
                },
                "key": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
            },
        }
    },
    responses={200: RemindersResponseSerializer, **error_responses(400, 403, 404, 409)},
)
class RoundReminders(ApiView):
    def post(self, request, slug):
        round_ = get_round(request.user, slug)
        require(request, IsCoordinator)
        serializer = RemindersRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        wanted = serializer.validated_data["municipalities"]
        key = serializer.validated_data.get("key") or reminders.new_nonce()
        everyone = wanted == "non_responders"
        if not everyone and not (isinstance(wanted, list) and wanted):
            _invalid_municipalities()
        subject, body = reminders.round_template(round_)
        try:
            result = reminders.send_manual(
                round_,
                actor=request.user,
                codes=() if everyone else wanted,
                all_not_submitted=everyone,
                subject=subject,
                body=body,
                nonce=key,
                ip=client_ip(request),
            )
        except ServiceError as exc:
            if exc.code == "invalid_codes":  # reminders.parse_codes, the page's parser too
                _invalid_municipalities()
            status = 409 if exc.code in ("round_closed", "round_not_open") else 400
            raise ApiError(exc.code, exc.message, status)
        return Response(
            {
                "key": key,
                "sent": sorted(r.municipality.code for r in result.sent),
                "no_recipients": sorted(m.code for m in result.no_recipients),
                "already": sorted(m.code for m in result.already),
                "skipped_responded": sorted(m.code for m in result.skipped_responded),
            }
        )
