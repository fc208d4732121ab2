"""The one text picker for bilingual `{"da": …, "en": …}` data, and small helpers for texts
that arrive as data (a register's name put into a sentence).

Interface strings go through gettext; this is only for texts that arrive as data (survey
definitions, API messages built from them) and carry both languages."""

from django.utils.translation import get_language


def language() -> str:
    """The active interface language, reduced to the two we carry: "da" or "en"."""
    return "en" if (get_language() or "da").lower().startswith("en") else "da"


def pick(message, lang: str | None = None) -> str:
    """The text of a {"da": …, "en": …} value in `lang` (default: the active language), with
    Danish, then English as fallback. Anything else is returned as its string."""
    if isinstance(message, dict):
        lang = lang or language()
        return message.get(lang) or message.get("da") or message.get("en") or ""
    return str(message)


def lower_first(name: str) -> str:
    """A name as a word inside a sentence: »Erhvervsskoler« → »erhvervsskoler«, but an
    abbreviation keeps its capitals (»FGU-institutioner«, »VUC«): the first letter is lowered
    only when the second is lower case."""
    if len(name) > 1 and name[1].islower():
        return name[:1].lower() + name[1:]
    return name
