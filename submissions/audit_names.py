"""How the audit log names a submission or chase note ("round-slug/code" → "Lolland i Februar
2026") and a contact ("code" → the municipality); registered in SubmissionsConfig."""

from django.utils.translation import gettext as _

from reference.models import Municipality
from surveys.models import Round


def in_round_names(refs):
    pairs = [r.partition("/")[::2] for r in refs if "/" in r]
    rounds = dict(
        Round.objects.filter(slug__in={s for s, _c in pairs}).values_list("slug", "title")
    )
    places = dict(
        Municipality.objects.filter(code__in={c for _s, c in pairs}).values_list("code", "name")
    )
    return {
        f"{slug}/{code}": _("%(municipality)s i %(round)s")
        % {"municipality": places.get(code, code), "round": rounds.get(slug, slug)}
        for slug, code in pairs
    }


def municipality_names(refs):
    return dict(Municipality.objects.filter(code__in=refs).values_list("code", "name"))
