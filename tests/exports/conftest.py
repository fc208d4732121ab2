"""A small juniormesterlære dataset whose figures were computed on paper (see test_analysis).

Current round (9 recipients):
  101 København      1000 / 50  = 5 %     (at target)
  147 Frederiksberg   200 / 20  = 10 %    (tie for first with Odense)
  151 Ballerup        100 / 0   = 0 %     (zero)
  153 Brøndby           0 / 0   = no value (zero denominator; still a response)
  155 Dragør          500 / 10  = 2 %     (at the threshold: not under it)
  157 Gentofte        400 / 4   = 1 %     (under 2 %)
  461 Odense          300 / 30  = 10 %    (not a recipient of the previous round)
  360 Lolland         draft                (non-responder, values never exported)
  727 Odder           nothing              (non-responder)
  Σ over valued: 114 / 2500 = 4.56 %; responses 7 of 9.
Previous round (6 recipients): 101 1000/40 = 4 %, 147 200/10 = 5 %, 151 100/5 = 5 %,
  155 no response, 157 draft, 360 300/60; Σ 115/1600 = 7.1875 %.
"""

import pytest

from tests.factories import make_round, make_submission

CURRENT = {
    "101": (1000, 50),
    "147": (200, 20),
    "151": (100, 0),
    "153": (0, 0),
    "155": (500, 10),
    "157": (400, 4),
    "461": (300, 30),
}
PREVIOUS = {"101": (1000, 40), "147": (200, 10), "151": (100, 5), "360": (300, 60)}


def answers(pair, **extra):
    return {"pupils_8_9": pair[0], "enrolled": pair[1], **extra}


@pytest.fixture
def rounds(db):
    previous = make_round(
        codes=["101", "147", "151", "155", "157", "360"],
        state="closed",
        slug="jml-2025-09",
        title="September 2025",
    )
    for code, pair in PREVIOUS.items():
        make_submission(previous, code, answers(pair), state="accepted")
    make_submission(previous, "157", answers((400, 4)), state="draft")
    current = make_round(
        codes=[*CURRENT, "360", "727"],
        slug="jml-2026-02",
        title="Februar 2026",
        previous=previous,
        deadline=previous.deadline.replace(year=previous.deadline.year + 1),
    )
    for code, pair in CURRENT.items():
        make_submission(current, code, answers(pair))
    make_submission(current, "360", answers((900, 90)), state="draft")
    return previous, current
