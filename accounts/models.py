"""Who people are and what they may do: a user has one role and, as officer, memberships."""

import pgtrigger
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OFFICER = "officer", _("Kommunal sagsbehandler")
    COORDINATOR = "coordinator", _("Koordinator")
    ANALYST = "analyst", _("Analytiker")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("E-mail is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password) if password else user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.COORDINATOR)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail"), unique=True)
    name = models.CharField(_("navn"), max_length=200, blank=True)
    phone = models.CharField(_("telefon"), max_length=40, blank=True)
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.OFFICER)
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("adgang til administration"), default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self):
        return self.name or self.email

    @property
    def display_name(self):
        return self.name or self.email

    @property
    def is_officer(self):
        return self.role == Role.OFFICER

    @property
    def is_coordinator(self):
        return self.role == Role.COORDINATOR or self.is_superuser

    @property
    def is_analyst(self):
        return self.role == Role.ANALYST

    @property
    def can_read_all(self):
        """Coordinators and analysts read every municipality's data."""
        return self.is_coordinator or self.is_analyst


class Membership(models.Model):
    """An officer answers for a municipality. One user may serve several (shared service centre)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey(
        "reference.Organisation", on_delete=models.PROTECT, related_name="memberships"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "municipality"], name="unique_membership")
        ]

    def __str__(self):
        return f"{self.user} · {self.municipality}"


class Invitation(models.Model):
    """A coordinator invites a person to act as officer for a municipality."""

    email = models.EmailField()
    municipality = models.ForeignKey("reference.Organisation", on_delete=models.PROTECT)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    accepted_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.email} → {self.municipality}"


class AuditEvent(models.Model):
    """Append-only record of every state change: who, what, when, from where."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_email = models.CharField(max_length=254, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    object_type = models.CharField(max_length=60, blank=True)
    object_ref = models.CharField(max_length=200, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # Append-only in the database too (PostgreSQL; SQLite relies on save/delete below):
        # no row is deleted, and an update may only clear `actor` when a user is deleted
        # (on_delete=SET_NULL) — who it was stays in actor_email.
        triggers = [
            pgtrigger.Protect(name="audit_no_delete", operation=pgtrigger.Delete),
            pgtrigger.Protect(
                name="audit_no_update",
                operation=pgtrigger.Update,
                condition=pgtrigger.AnyChange(exclude=["actor"]),
            ),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.object_ref}"

    def save(self, *args, **kwargs):
        # Append-only: an existing row is never rewritten.
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Tokens that work now: not revoked and not expired (ApiToken.is_active in SQL)."""
        return self.filter(
            models.Q(expires_at=None) | models.Q(expires_at__gt=timezone.now()), revoked_at=None
        )


class ApiToken(models.Model):
    """A personal API token: only a SHA-256 digest is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("navn"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Null: no expiry (chosen by the owner); tokens are created with one year by default.
    expires_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self):
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_active(self):
        return self.revoked_at is None and not self.is_expired
