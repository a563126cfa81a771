"""The portal is written in Vietnamese; English is selectable, so every sentence the pages and views pass to
gettext — and every label table the views translate — has its English in the catalogue."""
from __future__ import annotations

import re
from pathlib import Path

from babel.messages.pofile import read_po

PORTAL = Path(__file__).resolve().parents[3] / "services" / "portal"
TABLES = re.compile(r"^[A-Z_]+ = \{(.*?)\}$", re.S | re.M)


def used_sentences() -> set[str]:
    found = set()
    for path in [*PORTAL.rglob("*.py"), *PORTAL.rglob("*.html")]:
        text = path.read_text()
        found |= set(re.findall(r'_\("((?:[^"\\]|\\.)+)"', text))
        found |= set(re.findall(r"_\('((?:[^'\\]|\\.)+)'", text))
        if path.suffix == ".py" and path.parent.name == "views":
            for table in TABLES.findall(text):
                found |= set(re.findall(r':\s*"((?:[^"\\]|\\.)+)"', table))
            for block in re.findall(r"STRENGTH = \[(.*?)\]", text, re.S):
                found |= set(re.findall(r'"([^"]+)"', block))
    return found


def test_every_sentence_of_the_portal_has_its_english():
    with (PORTAL / "translations" / "en" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalogue = {m.id: m.string for m in read_po(po) if m.id}
    used = used_sentences()
    assert len(used) > 100, "the scan found the portal's sentences"
    assert sorted(s for s in used if not catalogue.get(s)) == []


def test_no_sentence_has_a_bare_percent_sign():
    """gettext formats every sentence with %: a bare % (as in "10 %") would break the page."""
    assert sorted(s for s in used_sentences() if re.search(r"%(?!\()", s)) == []
