"""Reference data: the organisations that answer (the 98 municipalities)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Municipality(models.Model):
    code = models.CharField(_("kommunekode"), max_length=4, unique=True)
    name = models.CharField(_("navn"), max_length=100)
    region_code = models.CharField(_("regionskode"), max_length=4)
    region_name = models.CharField(_("region"), max_length=100)
    dst_group = models.CharField(_("kommunegruppe (DST)"), max_length=60)
    is_synthetic = models.BooleanField(
        default=False, help_text="Syntetisk kommune til belastningstest (kode uden for 101–860)."
    )

    class Meta:
        # The table kept its name when the model moved here from surveys (migration
        # reference.0001 only moves the model's state).
        db_table = "surveys_municipality"
        ordering = ["code"]
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")

    def __str__(self):
        return f"{self.name} ({self.code})"
