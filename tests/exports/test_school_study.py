"""The vocational-school study reproduced from the synthetic demo answers
(demo/data/demo_erhvervsskoler.csv): the 27 schools are the members of the `erhvervsskoler`
register, each school answers for itself, and the analysis must
give the study's figures: 26 of 27 answered, 3 without resource figures, split 43 / 31 / 26 %,
ranges 8–67 / 6–63 / 14–63 %, pupils per årsværk bands 13 / 52 / 35 %, årsværk 0.2–3.45."""

import pytest

from demo.schools import SURVEY_KEY, register_table, school_answers
from exports.analysis import analyse_round
from reference.models import Register
from reference.registers import ERHVERVSSKOLER, ensure_shipped_registers
from surveys.registers import apply_members
from tests.factories import make_round, make_submission


@pytest.fixture
def study(db):
    schools = school_answers()
    register = ensure_shipped_registers(Register, (ERHVERVSSKOLER,))[ERHVERVSSKOLER]
    apply_members(register, register_table(), actor=None)
    round_ = make_round(SURVEY_KEY, codes=[s["code"] for s in schools], slug="skoler-2023")
    for school in schools:
        if school["state"] == "submitted":
            make_submission(round_, school["code"], school["answers"])
    return analyse_round(round_)


def test_the_synthetic_answers_are_valid_answers_to_the_survey(study):
    # make_submission validates: an answer with an error would be stored with it
    from submissions.models import Submission

    assert not Submission.objects.filter(error_count__gt=0).exists()


def test_26_of_27_answered_and_3_left_the_resource_questions_empty(study):
    assert (study["recipients"], study["responses"]) == (27, 26)
    ratio = next(i for i in study["indicators"] if i["key"] == "pupils_per_fte")
    assert ratio["counts"]["with_value"] == 23
    assert len(ratio["responders_without_value"]) == 3
    assert study["splits"][0]["respondents"] == 23
    assert len(study["splits"][0]["responders_without_value"]) == 3


def test_the_average_split_is_43_31_26_with_the_study_s_ranges(study):
    split = study["splits"][0]
    parts = {p["key"]: p for p in split["parts"]}
    # Σ over the 23 schools: administration 989, relations 713, pupil support 598
    assert parts["share_admin"]["mean"] == pytest.approx(989 / 23)
    assert parts["share_relations"]["mean"] == pytest.approx(713 / 23)
    assert parts["share_support"]["mean"] == pytest.approx(598 / 23)
    assert [round(p["mean"]) for p in split["parts"]] == [43, 31, 26]
    assert split["mean_total"] == pytest.approx(100)
    ranges = {k: (p["min"], p["max"]) for k, p in parts.items()}
    assert ranges == {
        "share_admin": (8, 67),
        "share_support": (6, 63),
        "share_relations": (14, 63),
    }
    assert all(p["kind"] == "percent" for p in split["parts"])


def test_pupils_per_arsvaerk_fall_13_52_35_percent_in_the_bands(study):
    ratio = next(i for i in study["indicators"] if i["key"] == "pupils_per_fte")
    assert ratio["type"] == "ratio"
    bands = [(b["key"], b["count"]) for b in ratio["bands"]]
    assert bands == [("under_150", 3), ("150_300", 12), ("from_300", 8)]
    assert [round(b["share"] * 100) for b in ratio["bands"]] == [13, 52, 35]
    assert [b["label"]["da"] for b in ratio["bands"]] == ["Under 150", "150–300", "300 og derover"]
    # "just under 300" on average (the mean of the schools' own ratios)
    assert 290 < ratio["stats"]["mean"] < 300


def test_arsvaerk_range_from_0_2_to_3_45(study):
    fte = next(s for s in study["statistics"] if s["key"] == "fte_range")
    assert (fte["n"], fte["min"], fte["max"]) == (23, 0.2, 3.45)


def test_the_scatters_show_the_study_s_relations(study):
    scatters = {s["key"]: s for s in study["scatters"]}
    assert all(s["n"] == 23 for s in scatters.values())
    assert scatters["support_vs_agreements"]["correlation"] > 0.4  # support: better
    assert scatters["admin_vs_agreements"]["correlation"] < -0.4  # administration: worse
    assert abs(scatters["ratio_vs_agreements"]["correlation"]) < 0.15  # no clear relation
    point = scatters["support_vs_agreements"]["points"][0]
    assert set(point) == {"code", "name", "x", "y"}
    assert scatters["support_vs_agreements"]["y"]["target"] == 0.8


def test_consultants_24_of_26_and_7_of_those_dedicated():
    schools = [s for s in school_answers() if s["state"] == "submitted"]
    users = [s for s in schools if s["answers"]["uses_consultants"]]
    assert len(users) == 24
    assert sum(1 for s in users if s["answers"]["consultants_dedicated"]) == 7
