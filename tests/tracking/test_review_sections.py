"""The coordinator's review of a survey with sections and show-when: answers under their
section titles, questions a show-when hid (not asked) left out."""

from tests.factories import make_submission
from tests.surveys.sectioned import sectioned_round, with_entries


def test_the_review_lists_answers_under_sections_without_hidden_questions(db, as_coordinator):
    round_ = sectioned_round(codes=["360"])
    make_submission(round_, "360", {"pupils": 40, "has_agreements": True, "agreements": 4})
    response = as_coordinator.get(f"/opfoelgning/{round_.slug}/360/gennemse/")
    html = response.content.decode()
    assert '<th scope="colgroup" colspan="2">Personale</th>' in html
    assert '<th scope="colgroup" colspan="2">Aftaler</th>' in html
    rows = [(r.key, r.section) for r in response.context["data"]["rows"]]
    assert rows == [
        ("pupils", "Personale"),
        ("has_agreements", ""),
        ("agreements", "Aftaler"),  # agreements_note: hidden (4 agreements), not asked
        ("comment", "Øvrige spørgsmål"),  # outside any section, after one
    ]


def test_the_review_of_an_entry_leaves_out_what_its_show_when_hid(db, as_coordinator):
    round_ = sectioned_round(codes=["360"], slug="ph-sektioner", content=with_entries())
    theme = round_.definition.spec.question("theme").choice_values[0]
    entry = {"title": "T", "theme": theme, "goal": "G", "status": "planned", "learning": "L"}
    make_submission(round_, "360", {"entries": [entry]})
    response = as_coordinator.get(f"/opfoelgning/{round_.slug}/360/gennemse/")
    (shown,) = response.context["data"]["entries"]
    keys = [r.key for r in shown["rows"]]
    assert "learning" not in keys and keys[0] == "title"
    assert shown["rows"][0].section == "Om handlingen"
    assert '<th scope="colgroup" colspan="2">Resultat</th>' in response.content.decode()
