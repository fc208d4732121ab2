"""lib/text.py's `lower_first`: a register's name inside a sentence (»Udvalgte erhvervsskoler«)
is lowered only where it is a plain word, never an abbreviation."""

import pytest

from lib.text import lower_first


@pytest.mark.parametrize(
    "name,word",
    [
        ("Erhvervsskoler", "erhvervsskoler"),
        ("Kommuner", "kommuner"),
        ("Vocational schools", "vocational schools"),
        ("FGU-institutioner", "FGU-institutioner"),
        ("VUC", "VUC"),
        ("Æblehaver", "æblehaver"),
        ("X", "X"),
        ("", ""),
        ("erhvervsskoler", "erhvervsskoler"),
        ("3F-afdelinger", "3F-afdelinger"),
    ],
)
def test_lower_first_lowers_a_word_but_not_an_abbreviation(name, word):
    assert lower_first(name) == word
