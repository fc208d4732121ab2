"""How the audit log names a submission or chase note ("round-slug/code" → "Lolland i Februar
2026") and a contact ("code" → the municipality); registered in SubmissionsConfig."""

from django.utils.translation import gettext as _

from reference.models import KOMMUNER, Municipality
from surveys.models import Round


def in_round_names(refs):
    pairs = [r.partition("/")[::2] for r in refs if "/" in r]
    rounds = dict(
        Round.objects.filter(slug__in={s for s, _c in pairs}).values_list("slug", "title")
    )
    # A code names a member of the round's register: looked up among the round's recipients.
    places = {
        (slug, code): name
        for slug, code, name in Round.recipients.through.objects.filter(
            round__slug__in={s for s, _c in pairs}, municipality__code__in={c for _s, c in pairs}
        ).values_list("round__slug", "municipality__code", "municipality__name")
    }
    return {
        f"{slug}/{code}": _("%(municipality)s i %(round)s")
        % {"municipality": places.get((slug, code), code), "round": rounds.get(slug, slug)}
        for slug, code in pairs
    }


def municipality_names(refs):
    """Contacts are named by code; a municipality's name wins over another register's member
    with the same code."""
    names = {}
    for code, name, register in Municipality.objects.filter(code__in=refs).values_list(
        "code", "name", "register__key"
    ):
        if register == KOMMUNER or code not in names:
            names[code] = name
    return names
