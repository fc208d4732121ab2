"""The one text picker for bilingual `{"da": …, "en": …}` data.

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
