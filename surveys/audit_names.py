"""How the audit log names a round (registered with accounts.audit_text in SurveysConfig)."""

from surveys.models import Round


def round_names(refs):
    """{ref: title} for refs that are a round's pk (most events) or slug (a deleted draft)."""
    pks = [int(r) for r in refs if r.isdigit()]
    out = {
        str(pk): title for pk, title in Round.objects.filter(pk__in=pks).values_list("pk", "title")
    }
    out.update(Round.objects.filter(slug__in=refs).values_list("slug", "title"))
    return out
