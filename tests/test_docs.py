"""The documentation stays a front door plus a shelf that holds together: the README fits in
6 KB, and every relative link in README.md and docs/*.md reaches a file inside the repository
(and, when it names a section, a heading of that file)."""

import re
import unicodedata
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR).resolve()
README = ROOT / "README.md"
DOCS = sorted([README, *(ROOT / "docs").glob("*.md")])

# [text](target) and [text](target "title"); images too. Not inside code spans or blocks.
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^(```|~~~).*?^\1", re.S | re.M)
CODE_SPAN = re.compile(r"`[^`\n]*`")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)  # https:, mailto:, …


def links(text: str) -> list[str]:
    text = CODE_SPAN.sub("", FENCE.sub("", text))
    return LINK.findall(text)


def anchors(text: str) -> set[str]:
    """GitHub's heading ids: lower case, punctuation dropped, spaces to hyphens."""
    found = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", FENCE.sub("", text), re.M):
        slug = "".join(
            ch
            for ch in heading.strip().lower()
            if ch in " -_" or unicodedata.category(ch)[0] in "LN"
        )
        found.add(slug.replace(" ", "-"))
    return found


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    problems = []
    for target in links(path.read_text(encoding="utf-8")):
        if EXTERNAL.match(target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (path.parent / file_part).resolve() if file_part else path
        if not resolved.is_relative_to(root):
            problems.append(f"{target}: outside the repository")
        elif not resolved.exists():
            problems.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md":
            if anchor not in anchors(resolved.read_text(encoding="utf-8")):
                problems.append(f"{target}: no heading #{anchor} in {resolved.name}")
    return problems


def test_readme_is_a_front_door_of_at_most_6_kb():
    size = len(README.read_bytes())
    assert size <= 6 * 1024, f"README.md is {size} bytes; move detail into docs/"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_points_at_an_existing_file(path):
    assert broken_links(path) == []


def test_the_link_check_finds_what_is_broken(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "api.md").write_text("# API\n## 9. Backups\n", encoding="utf-8")
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    page = tmp_path / "docs" / "page.md"
    page.write_text(
        "[ok](api.md) [section](api.md#9-backups) [web](https://example.org/x) [self](#here)\n"
        "[gone](nothing-here.md) [bad section](api.md#no-such-heading) [up](../outside.md)\n"
        "`[in code](missing.md)`\n```\n[in a block](missing.md)\n```\n# Here\n",
        encoding="utf-8",
    )
    assert broken_links(page, root=tmp_path / "docs") == [
        "nothing-here.md: no such file",
        "api.md#no-such-heading: no heading #no-such-heading in api.md",
        "../outside.md: outside the repository",
    ]


def test_github_heading_ids():
    text = "# For officers: answering a round\n## 4. Environment\n## Tests\n```\n# not one\n```"
    assert anchors(text) == {"for-officers-answering-a-round", "4-environment", "tests"}
