"""How the audit log names a round (registered with accounts.audit_text in SurveysConfig)."""

from reference.models import Register
from surveys.models import Round, Survey


def register_names(refs):
    """{ref: name} for refs that are a register's pk."""
    pks = [int(r) for r in refs if r.isdigit()]
    return {
        str(pk): name for pk, name in Register.objects.filter(pk__in=pks).values_list("pk", "name")
    }


def round_names(refs):
    """{ref: title} for refs that are a round's pk (most events) or slug (a deleted draft)."""
    pks = [int(r) for r in refs if r.isdigit()]
    out = {
        str(pk): title for pk, title in Round.objects.filter(pk__in=pks).values_list("pk", "title")
    }
    out.update(Round.objects.filter(slug__in=refs).values_list("slug", "title"))
    return out


def survey_names(refs):
    """{pk: name} of the surveys the builder's events refer to, in the interface language."""
    pks = [int(r) for r in refs if r.isdigit()]
    surveys = Survey.objects.filter(pk__in=pks).only("pk", "name", "name_en")
    return {str(survey.pk): survey.display_name for survey in surveys}
