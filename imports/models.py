"""What arrives from a file: one uploaded import per round, and what each of its rows did."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Import(models.Model):
    """One uploaded file for one round. Uploading stores it (the only write of a dry run);
    applying writes one revision per row; undoing puts the rows back."""

    class State(models.TextChoices):
        UPLOADED = "uploaded", _("Uploadet (prøvekørsel)")
        APPLIED = "applied", _("Indlæst")
        UNDONE = "undone", _("Fortrudt")

    class Mode(models.TextChoices):
        DRAFT = "draft", _("Som kladder")
        SUBMITTED = "submitted", _("Som indsendte")

    round = models.ForeignKey("surveys.Round", on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content = models.BinaryField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.UPLOADED)
    mode = models.CharField(max_length=10, choices=Mode.choices, blank=True)
    overwrite = models.BooleanField(default=False)
    notify = models.BooleanField(default=False)
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.round.slug}: {self.file_name} ({self.state})"

    @property
    def short_sha(self):
        return self.sha256[:12]


class ImportRow(models.Model):
    """What one municipality's rows of an applied import did, and how to undo it."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("Indlæst")
        UNCHANGED = "unchanged", _("Uændret")
        KEPT = "kept", _("Ikke overskrevet: kommunen har selv gemt svar")
        STALE = "stale", _("Ikke indlæst: gemt af en anden under indlæsningen")
        BLOCKED = "blocked", _("Ikke indsendt: fejl eller advarsler uden forklaring")
        REFUSED = "refused", _("Afvist")

    class Undo(models.TextChoices):
        NONE = "", ""
        RESTORED = "restored", _("Gendannet")
        LEFT = "left", _("Ikke gendannet: gemt af en anden siden")

    import_run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="rows")
    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    submission = models.ForeignKey(
        "submissions.Submission", on_delete=models.PROTECT, null=True, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    version_before = models.PositiveIntegerField(null=True)
    version_after = models.PositiveIntegerField(null=True)
    before = models.JSONField(null=True)
    undo = models.CharField(max_length=10, choices=Undo.choices, blank=True)
    undo_version = models.PositiveIntegerField(null=True)
    message = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["municipality__code"]

    def __str__(self):
        return f"{self.import_run_id}/{self.municipality_id} {self.outcome}"
