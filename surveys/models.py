"""What is asked: surveys, versioned definitions, rounds."""

import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from reference.models import Organisation, Register, kommuner_register_id
from surveys.definitions import definition_spec


class Survey(models.Model):
    key = models.SlugField(_("nøgle"), max_length=60, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    name_en = models.CharField(_("navn (engelsk)"), max_length=200, blank=True)
    # Whom the survey is asked of: its rounds' recipients are members of this register.
    register = models.ForeignKey(
        Register,
        on_delete=models.PROTECT,
        related_name="surveys",
        default=kommuner_register_id,  # asked of the municipalities unless said
        verbose_name=_("register"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("undersøgelse")
        verbose_name_plural = _("undersøgelser")

    def __str__(self):
        return self.name

    @property
    def display_name(self):
        """The name in the interface language (English when chosen and available)."""
        if (get_language() or "da").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def current_definition(self):
        return self.definitions.order_by("-version").first()


class Definition(models.Model):
    """One immutable version of a survey's questions, rules and derived values (JSON)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="definitions")
    version = models.PositiveIntegerField()
    content = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["survey", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "version"], name="unique_definition_version")
        ]

    def __str__(self):
        return f"{self.survey.key} v{self.version}"

    @property
    def spec(self):
        """The parsed, compiled definition, cached per process by id (and checked against the
        content), and kept on the instance: a request reads it several times."""
        content = self.content
        cached = self.__dict__.get("_spec")
        if cached is None or cached[0] is not content:
            cached = self.__dict__["_spec"] = (content, definition_spec(self.pk, content))
        return cached[1]


class RoundState(models.TextChoices):
    DRAFT = "draft", _("Kladde")
    OPEN = "open", _("Åben")
    CLOSED = "closed", _("Lukket")


DEFAULT_REMINDER_OFFSETS = [-7, -1, 1]


def default_reminder_offsets():
    return list(DEFAULT_REMINDER_OFFSETS)


MSG_TITLE_CONTROL = _("Titlen må ikke indeholde linjeskift, tabulatorer eller andre kontroltegn.")


def title_has_control_characters(value: str) -> bool:
    """A round's title goes into e-mail subjects (reminders, receipts): a line break there
    makes every e-mail of the round fail (BadHeaderError), so no control characters at all
    (line and paragraph separators included). The one home of the rule: the round form and
    the API serializer use it as a validator, surveys.lifecycle.round_problems for every
    service caller, and Round.clean for any model form (the Django admin's included)."""
    return any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value)


def validate_round_title(value: str) -> None:
    """The title rule as a Django validator, shown at the field."""
    if title_has_control_characters(value):
        raise ValidationError(MSG_TITLE_CONTROL, code="invalid_characters")


class Round(models.Model):
    """One collection of a survey from a set of recipient municipalities."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="rounds")
    definition = models.ForeignKey(Definition, on_delete=models.PROTECT, related_name="rounds")
    title = models.CharField(_("titel"), max_length=200)
    slug = models.SlugField(_("kort navn (URL)"), max_length=80, unique=True)
    recipients = models.ManyToManyField(
        Organisation, related_name="rounds", blank=True, through="RoundRecipient"
    )
    opens_at = models.DateTimeField(_("åbner"), null=True, blank=True)
    # The coordinator chose "open on the opening date": the scheduled job (send_reminders)
    # opens the draft when opens_at has come (surveys.lifecycle.open_due_rounds).
    open_on_schedule = models.BooleanField(default=False)
    deadline = models.DateTimeField(_("frist"))
    closes_at = models.DateTimeField(_("lukker"), null=True, blank=True)
    state = models.CharField(
        _("status"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_rounds",
        verbose_name=_("sammenlignes med"),
    )
    reminder_offsets = models.JSONField(
        default=default_reminder_offsets,
        help_text="Dage i forhold til fristen, hvor påmindelser sendes automatisk (fx -7, -1, 1).",
    )
    reminder_subject = models.CharField(max_length=200, blank=True)
    reminder_body = models.TextField(blank=True)
    is_demo = models.BooleanField(default=False)
    # An earlier round loaded from a table (issue 15): closed from the start, never sent to
    # anyone; its deadline is the reference date. Only a coordinator's import fills it.
    is_historical = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-deadline"]
        verbose_name = _("runde")
        verbose_name_plural = _("runder")

    def __str__(self):
        return f"{self.survey.name} — {self.title}"

    def clean(self):
        # Model forms (the admin's too) call this; no field validator, so no migration.
        super().clean()
        try:
            validate_round_title(self.title or "")
        except ValidationError as error:
            raise ValidationError({"title": error.error_list})

    @property
    def is_open(self):
        return self.state == RoundState.OPEN

    @property
    def is_closed(self):
        return self.state == RoundState.CLOSED

    def is_past_deadline(self, now=None):
        return (now or timezone.now()) > self.deadline


class RoundRecipient(models.Model):
    """A round's recipient: one member of the survey's register. The table and its column
    `municipality_id` are those Django made for the many-to-many field before registers
    existed; the model is explicit so that the member model could be renamed without renaming
    the column."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="recipient_links")
    municipality = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="recipient_links"
    )

    class Meta:
        db_table = "surveys_round_recipients"
        unique_together = [("round", "municipality")]

    def __str__(self):
        return f"{self.round_id} → {self.municipality_id}"


class DraftVersion(models.Model):
    """The one version of a survey being edited in the builder (surveys.builder): a copy of the
    newest published definition (or a new survey's first content), changed freely and saved
    even when invalid; publishing checks it as an import does and stores it as the next
    `Definition`, then deletes the draft. Published definitions never change.

    `revision` counts the saves: every edit names the revision it was made on, and a save on
    an older revision is refused (optimistic concurrency, as the officer's form), so two
    coordinators never overwrite each other."""

    survey = models.OneToOneField(Survey, on_delete=models.CASCADE, related_name="draft")
    content = models.JSONField()
    based_on = models.ForeignKey(
        Definition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("kladdeversion")
        verbose_name_plural = _("kladdeversioner")

    def __str__(self):
        return f"{self.survey.key} (kladde)"

    @property
    def next_version(self):
        current = self.survey.current_definition()
        return (current.version + 1) if current else 1
