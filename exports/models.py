"""What leaves: a log of every export, and the bytes of those generated in the background."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Under udarbejdelse")
        READY = "ready", _("Klar")
        FAILED = "failed", _("Fejlede")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="exports"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=20)
    query = models.JSONField(default=dict)  # rounds, layout, language … what made the file
    filename = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    checksum = models.CharField(max_length=64, blank=True)  # SHA-256 of the bytes
    size = models.BigIntegerField(null=True, blank=True)
    rows = models.BigIntegerField(null=True, blank=True)
    # Background-built files live in the database so any app server can serve them.
    content = models.BinaryField(null=True, blank=True)
    error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self):
        return f"{self.format} {self.filename} ({self.status})"
