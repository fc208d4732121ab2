"""The vocational-school study reproduced from the synthetic demo answers
(demo/data/demo_erhvervsskoler.csv): until schools are a register of their own, each school
answers as the municipality it sits in (27 different municipalities), and the analysis must
give the study's figures: 26 of 27 answered, 3 without resource figures, split 43 / 31 / 26 %,
ranges 8–67 / 6–63 / 14–63 %, pupils per årsværk bands 13 / 52 / 35 %, årsværk 0.2–3.45."""

import pytest

from demo.schools import school_answers
from exports.analysis import analyse_round
from tests.exports.schools import make_study_round


@pytest.fixture
def study(db):
    return analyse_round(make_study_round())


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


def test_the_wide_export_has_the_ratio_in_its_own_unit_not_as_a_share(study):
    from exports import datasets
    from surveys.models import Round

    round_ = Round.objects.get(slug="skoler-2023")
    spec = round_.definition.spec
    columns = {c.name: c for c in datasets.wide_columns(spec)}
    assert columns["pupils_per_fte"].unit == {"da": "elever pr. årsværk", "en": "pupils per FTE"}
    assert columns["agreement_rate"].unit == datasets.SHARE_UNIT
    rows = list(datasets.wide_rows([round_]))
    names = [c.name for c in datasets.wide_columns(spec)]
    s13 = next(r for r in rows if r[0] == "479")  # 390 pupils over 1.93 FTE
    assert s13[names.index("pupils_per_fte")] == pytest.approx(390 / 1.93)
    assert s13[names.index("share_admin")] == 23
