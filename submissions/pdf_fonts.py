"""Fonts for the PDFs we render with WeasyPrint: DKFDS's IBM Plex Sans from the dkfds npm
package (so a PDF looks like the site and does not depend on the server's fonts), and a
guarantee that every character typed is visible: one the font cannot draw (an emoji, say) is
replaced by its Unicode name in brackets instead of turning into an empty box.
"""

import functools
import unicodedata
from pathlib import Path

from django.contrib.staticfiles import finders

FONT_DIR = "dkfds/fonts/IBMPlexSans/complete/ttf"
FACES = (("IBMPlexSans-Regular.ttf", "normal"), ("IBMPlexSans-Bold.ttf", "bold"))


@functools.cache
def _font_files():
    """{weight: absolute path} of the packaged font files that exist."""
    out = {}
    for name, weight in FACES:
        found = finders.find(f"{FONT_DIR}/{name}")
        if found:
            out[weight] = Path(found).resolve()
    return out


def font_faces():
    """(weight, file URL) pairs for @font-face rules in a PDF template."""
    return [(weight, path.as_uri()) for weight, path in _font_files().items()]


def fetch_font(url, *args, **kwargs):
    """WeasyPrint URL fetcher: the packaged font files only; anything else is refused."""
    from weasyprint.urls import URLFetcherResponse

    for path in _font_files().values():
        if url == path.as_uri():
            return URLFetcherResponse(
                url, body=path.read_bytes(), headers={"Content-Type": "font/ttf"}
            )
    raise ValueError(f"external resource refused in PDF: {url[:80]}")


@functools.cache
def _covered():
    """Code points the regular face can draw (None if the font is missing: then nothing is
    replaced and the system's fonts do what they can)."""
    path = _font_files().get("normal")
    if path is None:
        return None
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        return frozenset(font.getBestCmap())


_SKIN_TONES = ("\U0001f3fb", "\U0001f3ff")


def _shown(char):
    name = unicodedata.name(char, f"U+{ord(char):04X}").lower()
    return f"[{name}]"


def printable(text):
    """`text` with every character the PDF font cannot draw made visible by name. Invisible
    format characters it lacks (zero-width joiners, variation selectors) and emoji skin-tone
    modifiers are dropped."""
    covered = _covered()
    if covered is None:
        return text
    out = []
    for char in text:
        if ord(char) in covered or char in "\n\r\t":
            out.append(char)
        elif (
            unicodedata.category(char) in ("Cf", "Mn", "Cc")
            or _SKIN_TONES[0] <= char <= _SKIN_TONES[1]
        ):
            continue  # invisible joiners and selectors, and skin tones of the emoji just named
        else:
            out.append(_shown(char))
    return "".join(out)
