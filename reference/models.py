"""Reference data: the registers of organisations that answer, and their members.

A register (`kommuner`, `regioner`, `erhvervsskoler` …) has a key, a name, a pattern its codes
follow and typed attributes; an `Organisation` is one member of one register. The 98
municipalities are the members of the `kommuner` register; their region and DST group are kept
in their own columns too (the municipal exports read them, byte for byte as before) and mirror
the register's attributes `region` and `dst_group`.
"""

import re

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lib.api_schema import URL_CODE

KOMMUNER = "kommuner"
REGIONER = "regioner"

ATTRIBUTE_TYPES = ("text", "integer", "decimal", "code")


class Register(models.Model):
    """A list of organisations that may be asked: the municipalities, the regions, the
    vocational schools … `attributes` is a list of typed attribute specs:
    `{"key", "label": {"da", "en"}, "type": text|integer|decimal|code, "register": <key>
    (type code: the register whose member it names), "categorical": bool}`."""

    key = models.SlugField(_("nøgle"), max_length=40, unique=True)
    name = models.CharField(_("navn"), max_length=200)
    name_en = models.CharField(_("navn (engelsk)"), max_length=200, blank=True)
    code_pattern = models.CharField(_("mønster for koder"), max_length=200, default=r"[0-9]{1,6}")
    attributes = models.JSONField(_("egenskaber"), default=list, blank=True)
    has_geometry = models.BooleanField(_("har geografi (kort)"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("register")
        verbose_name_plural = _("registre")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if (get_language() or "da").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    @property
    def is_municipal(self):
        return self.key == KOMMUNER

    def code_matches(self, code: str) -> bool:
        return bool(re.fullmatch(self.code_pattern, code) and re.fullmatch(URL_CODE, code))

    def attribute_specs(self) -> list[dict]:
        return [a for a in self.attributes or [] if isinstance(a, dict) and a.get("key")]

    def categorical_attributes(self) -> list[dict]:
        return [a for a in self.attribute_specs() if a.get("categorical")]


def kommuner_register_id():
    """The default register of a survey and of a member created without one: the
    municipalities (created when missing, e.g. after a test flushed the tables)."""
    register, _ = Register.objects.get_or_create(
        key=KOMMUNER, defaults={"name": "Kommuner", "name_en": "Municipalities"}
    )
    return register.pk


class OrganisationQuerySet(models.QuerySet):
    def of_register(self, key: str):
        """The active members of one register (by key), synthetic ones included."""
        return self.filter(register__key=key, is_active=True)

    def municipalities(self):
        """The real municipalities: the active members of the kommuner register, without the
        benchmarks' synthetic ones."""
        return self.of_register(KOMMUNER).filter(is_synthetic=False)


class Organisation(models.Model):
    """One member of a register. The table is still `surveys_municipality` (the model began
    as `Municipality` in surveys); every foreign key to it keeps its name `municipality`."""

    register = models.ForeignKey(
        Register, on_delete=models.PROTECT, related_name="members", default=kommuner_register_id
    )
    code = models.CharField(_("kode"), max_length=20)
    name = models.CharField(_("navn"), max_length=200)
    attributes = models.JSONField(_("egenskaber"), default=dict, blank=True)
    is_active = models.BooleanField(
        _("aktiv"),
        default=True,
        help_text="Et medlem, der er fjernet fra registret, men har besvarelser, deaktiveres.",
    )
    # The municipalities' own columns, read by the municipal exports (mirror `attributes`).
    region_code = models.CharField(_("regionskode"), max_length=4, blank=True, default="")
    region_name = models.CharField(_("region"), max_length=100, blank=True, default="")
    dst_group = models.CharField(_("kommunegruppe (DST)"), max_length=60, blank=True, default="")
    is_synthetic = models.BooleanField(
        default=False, help_text="Syntetisk kommune til belastningstest (kode uden for 101–860)."
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        db_table = "surveys_municipality"
        ordering = ["code"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        constraints = [
            models.UniqueConstraint(fields=["register", "code"], name="unique_code_per_register")
        ]

    def __str__(self):
        return f"{self.name} ({self.code})"

    def attribute(self, key: str):
        return (self.attributes or {}).get(key)


class Selection(models.Model):
    """A saved, named group of members of one register — e.g. the 30 municipalities of a
    partnership — usable as a round's recipients."""

    register = models.ForeignKey(Register, on_delete=models.CASCADE, related_name="selections")
    name = models.CharField(_("navn"), max_length=200)
    members = models.ManyToManyField(Organisation, related_name="selections", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["register", "name"]
        verbose_name = _("udvalg")
        verbose_name_plural = _("udvalg")
        constraints = [
            models.UniqueConstraint(fields=["register", "name"], name="unique_selection_name")
        ]

    def __str__(self):
        return self.name


# Transitional: the rest of the code still says Municipality (rename later, issue 14).
Municipality = Organisation
