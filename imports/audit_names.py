"""How the audit log names an import ("svar.csv (Februar 2026)"); registered in ImportsConfig."""

from collections.abc import Iterable

from django.utils.translation import gettext as _

from imports.models import Import


def import_names(refs: Iterable[str]) -> dict[str, str]:
    ids = [int(r) for r in refs if str(r).isdigit()]
    rows = Import.objects.filter(pk__in=ids).values_list("pk", "file_name", "round__title")
    return {
        str(pk): _("%(file)s (%(round)s)") % {"file": name, "round": title}
        for pk, name, title in rows
    }
