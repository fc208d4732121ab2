"""What is answered and tracked: submissions, their revisions, reminders, chase notes."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubmissionState(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    SUBMITTED = "submitted", _("Indsendt")
    RETURNED = "returned", _("Sendt retur")
    ACCEPTED = "accepted", _("Godkendt")


class Submission(models.Model):
    """One municipality's answer to one round. Never deleted by a user action.

    `answers` holds what the officer typed: cleaned values where they are valid and the
    raw text where they are not (a draft may be invalid, and nothing typed is lost).
    Entries surveys keep `{"entries": [...], "nothing_to_report": bool}`.
    """

    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="submissions")
    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="submissions"
    )
    state = models.CharField(
        max_length=10, choices=SubmissionState.choices, default=SubmissionState.DRAFT
    )
    version = models.PositiveIntegerField(default=0)
    answers = models.JSONField(default=dict, blank=True)
    explanations = models.JSONField(default=dict, blank=True)
    derived = models.JSONField(default=dict, blank=True)
    findings = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_activity_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    late = models.BooleanField(default=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    returned_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "municipality"], name="one_submission_per_round"
            )
        ]
        indexes = [models.Index(fields=["round", "state"])]

    def __str__(self):
        return f"{self.round.slug}/{self.municipality.code} ({self.state})"

    @property
    def is_editable_state(self):
        return self.state in (SubmissionState.DRAFT, SubmissionState.RETURNED)

    @property
    def has_responded(self):
        return self.state in RESPONDED


# The states in which a municipality has responded (its answers count): one definition.
RESPONDED = (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)


def responded_answers(*, round_id, municipality_id) -> models.QuerySet:
    """The answers a municipality responded (submitted or accepted) in a round, as a one-row
    `values_list` — the one home of "the previous round's answers": read by
    `services.previous_answers`, and as a subquery by the scoped lookup of the API's save and
    submit (`OuterRef`s for the ids). One submission per round and municipality: no ORDER BY."""
    return Submission.objects.filter(
        round_id=round_id, municipality_id=municipality_id, state__in=RESPONDED
    ).values_list("answers", flat=True)[:1]


class Revision(models.Model):
    """Immutable snapshot of a submission each time it changes."""

    class Action(models.TextChoices):
        SAVE = "save", _("Gemt")
        SUBMIT = "submit", _("Indsendt")
        REOPEN = "reopen", _("Genåbnet til rettelse")
        RETURN = "return", _("Sendt retur")
        ACCEPT = "accept", _("Godkendt")

    submission = models.ForeignKey(Submission, on_delete=models.PROTECT, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    state = models.CharField(max_length=10, choices=SubmissionState.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    on_behalf = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField(default=dict)
    explanations = models.JSONField(default=dict)
    changed_keys = models.JSONField(default=list)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["submission", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "number"], name="unique_revision_number")
        ]

    def __str__(self):
        return f"{self.submission} r{self.number}"


class Contact(models.Model):
    """A contact person recorded by a coordinator for a municipality with no officer."""

    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="contacts"
    )
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    title = models.CharField(_("stilling"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    def __str__(self):
        return f"{self.name} ({self.municipality.name})"


class ChaseNote(models.Model):
    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="chase_notes")
    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="chase_notes"
    )
    noted_on = models.DateField(_("dato"), default=timezone.localdate)
    text = models.TextField(_("note"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-noted_on", "-created_at"]

    def __str__(self):
        return f"{self.round.slug}/{self.municipality.code} {self.noted_on}"


class Reminder(models.Model):
    """One reminder to one municipality. `claim_key` makes sending idempotent:
    a scheduled step ('schedule:-7') or a form submission ('manual:<nonce>') can be
    claimed by exactly one process (unique constraint)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Afventer")
        SENT = "sent", _("Sendt")
        FAILED = "failed", _("Fejlede")
        NO_RECIPIENTS = "no_recipients", _("Ingen modtagere")

    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="reminders")
    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="reminders"
    )
    claim_key = models.CharField(max_length=80)
    kind = models.CharField(max_length=10, default="manual")  # manual | scheduled
    recipients = models.JSONField(default=list)
    subject = models.CharField(max_length=250, blank=True)
    body = models.TextField(blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, default=Outcome.PENDING)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "municipality", "claim_key"], name="reminder_claimed_once"
            )
        ]

    def __str__(self):
        return f"{self.round.slug}/{self.municipality.code} {self.claim_key} {self.outcome}"


class ImpactRun(models.Model):
    """A rule-impact run in the background (submissions.impact): the candidate definition, the
    round it is run against, and — once done — the result, for the page or the API to poll.
    The answers themselves are never changed."""

    class State(models.TextChoices):
        PENDING = "pending", _("I gang")
        DONE = "done", _("Færdig")
        FAILED = "failed", _("Fejlede")

    round = models.ForeignKey("surveys.Round", on_delete=models.CASCADE, related_name="+")
    content = models.JSONField()
    # The same request again soon after answers the same run (submissions.services).
    content_hash = models.CharField(max_length=64, db_index=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    result = models.JSONField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"impact {self.pk} {self.round.slug} ({self.state})"
