"""Analysis beyond a share with a target, on a small school-survey round computed on paper.

Current round (5 recipients; parts are administration / pupil support / relations, %):
  101  300 pupils, 240 with agreement, 2.0 FTE, split 50/30/20 → 150 per FTE (on the edge:
       the 150–300 band), agreement 80 %
  147  100 pupils,  50, 1.0 FTE, split 20/50/30 → 100 per FTE (under 150), 50 %
  151  700 pupils, 490, 2.0 FTE, split 30/40/30 → 350 per FTE (300 and above), 70 %
  153  200 pupils, 180, no FTE, no split (resource questions left empty)             90 %
  155  no response
Previous round (closed, 3 recipients): 101 200/100, 1.0 FTE; 147 100/60, 2.0 FTE;
  360 100/90, no FTE.
"""

import json

import pytest

from exports.analysis import analyse_round, anonymise, describe, pearson, pseudonyms
from tests.exports.schools import make_school_round
from tests.factories import make_submission

CURRENT = {
    "101": (300, 240, 2.0, (50, 30, 20)),
    "147": (100, 50, 1.0, (20, 50, 30)),
    "151": (700, 490, 2.0, (30, 40, 30)),
    "153": (200, 180, None, None),
}
PREVIOUS = {"101": (200, 100, 1.0, None), "147": (100, 60, 2.0, None), "360": (100, 90, None, None)}


def answers(pupils, agreements, fte, split):
    out = {"pupils": pupils, "pupils_with_agreement": agreements, "uses_consultants": False}
    if fte is not None:
        out["outreach_fte"] = fte
        admin, support, relations = split or (40, 30, 30)
        out |= {"share_admin": admin, "share_support": support, "share_relations": relations}
    return out


@pytest.fixture
def summary(db):
    previous = make_school_round(codes=["101", "147", "360"], state="closed", slug="skoler-2022")
    for code, row in PREVIOUS.items():
        make_submission(previous, code, answers(*row))
    current = make_school_round(
        codes=["101", "147", "151", "153", "155"],
        slug="skoler-2023",
        previous=previous,
        deadline=previous.deadline.replace(year=previous.deadline.year + 1),
    )
    for code, row in CURRENT.items():
        make_submission(current, code, answers(*row))
    # A later round and a never-opened one are not part of this round's trend.
    later = make_school_round(
        codes=["101"],
        slug="skoler-2024",
        deadline=current.deadline.replace(year=current.deadline.year + 1),
    )
    make_submission(later, "101", answers(100, 10, 1.0, None))
    make_school_round(codes=["101"], state="draft", slug="skoler-udkast",
               deadline=previous.deadline.replace(month=1, day=1))  # fmt: skip
    return analyse_round(current)


def by_key(items, key, field="key"):
    return next(i for i in items if i[field] == key)


def test_a_ratio_indicator_gives_its_bands_with_shares_and_its_spread(summary):
    ratio = by_key(summary["indicators"], "pupils_per_fte")
    assert ratio["national"] == {"numerator": 1100, "denominator": 5.0, "value": 220.0}
    assert [(b["key"], b["count"], b["share"]) for b in ratio["bands"]] == [
        ("under_150", 1, pytest.approx(1 / 3)),
        ("150_300", 1, pytest.approx(1 / 3)),  # exactly 150 is in the band starting at 150
        ("from_300", 1, pytest.approx(1 / 3)),
    ]
    assert ratio["stats"] == {
        "n": 3, "mean": 200.0, "median": 150.0, "min": 100.0, "max": 350.0, "total": 600,
    }  # fmt: skip
    assert [m["code"] for m in ratio["responders_without_value"]] == ["153"]
    assert ratio["counts"]["at_or_above_target"] is None


def test_a_share_indicator_keeps_its_figures_and_gains_band_shares(summary):
    share = by_key(summary["indicators"], "agreement_rate")
    assert share["type"] == "share"
    assert share["national"]["value"] == pytest.approx(960 / 1300)
    assert share["counts"]["at_or_above_target"] == 2  # 80 % (101) and 90 % (153)
    bands = {b["key"]: (b["count"], b["share"]) for b in share["bands"]}
    assert bands["at_or_above_target"] == (2, 0.5)


def test_the_split_means_and_ranges_over_respondents_with_every_part(summary):
    split = summary["splits"][0]
    assert split["respondents"] == 3
    assert [m["code"] for m in split["responders_without_value"]] == ["153"]
    parts = {p["key"]: p for p in split["parts"]}
    assert parts["share_admin"]["mean"] == pytest.approx(100 / 3)
    assert parts["share_support"]["mean"] == pytest.approx(40)
    assert parts["share_relations"]["mean"] == pytest.approx(80 / 3)
    assert (parts["share_admin"]["min"], parts["share_admin"]["max"]) == (20, 50)
    assert (parts["share_support"]["min"], parts["share_support"]["max"]) == (30, 50)
    assert (parts["share_relations"]["min"], parts["share_relations"]["max"]) == (20, 30)
    assert split["mean_total"] == pytest.approx(100)
    assert split["rows"][0] == {"code": "101", "name": "København", "values": [50, 20, 30]}


def test_a_statistic_gives_n_mean_median_range_and_total(summary):
    fte = by_key(summary["statistics"], "fte_range")
    assert (fte["n"], fte["min"], fte["max"], fte["median"], fte["total"]) == (3, 1.0, 2.0, 2.0, 5)
    assert fte["mean"] == pytest.approx(5 / 3)
    per_fte = by_key(summary["statistics"], "pupils_per_fte_range")
    assert per_fte["label"]["da"] == "Elever pr. årsværk"  # the indicator's own label
    assert per_fte["value"]["kind"] == "number"


def test_a_scatter_has_one_dot_per_respondent_with_both_values(summary):
    scatter = by_key(summary["scatters"], "support_vs_agreements")
    assert [(p["code"], p["x"], p["y"]) for p in scatter["points"]] == [
        ("101", 30, 0.8),
        ("147", 50, 0.5),
        ("151", 40, 0.7),
    ]
    assert scatter["x"]["kind"] == "percent" and scatter["y"]["kind"] == "share"
    # x̄ = 40, ȳ = 2/3: Σdxdy = −3, Σdx² = 200, Σdy² = 0.42/9 → r = −9/√84
    assert scatter["correlation"] == pytest.approx(-9 / 84**0.5)
    assert [m["code"] for m in scatter["responders_without_value"]] == ["153"]


def test_the_trend_has_every_earlier_round_and_each_respondent_s_values(summary):
    trend = by_key(summary["trend"], "agreement_rate", "indicator")
    assert [r["slug"] for r in trend["rounds"]] == ["skoler-2022", "skoler-2023"]
    assert trend["rounds"][0]["national"] == pytest.approx(250 / 400)
    assert trend["rounds"][1]["national"] == pytest.approx(960 / 1300)
    assert [r["with_value"] for r in trend["rounds"]] == [3, 4]
    assert trend["rounds"][0]["provisional"] is False and trend["rounds"][1]["provisional"]
    assert trend["target"] == 0.8
    values = {r["code"]: r["values"] for r in trend["respondents"]}
    assert values == {
        "101": [0.5, 0.8],
        "147": [0.6, 0.5],
        "151": [None, 0.7],
        "153": [None, 0.9],
        "360": [0.9, None],
    }
    ratio = by_key(summary["trend"], "pupils_per_fte", "indicator")
    assert [r["national"] for r in ratio["rounds"]] == [100.0, 220.0]
    assert {r["code"] for r in ratio["respondents"]} == {"101", "147", "151"}


def test_anonymised_the_summary_names_no_respondent_and_keeps_each_one_s_code(summary):
    anon, key = anonymise(summary, "erhvervsskoler_kommuner")
    text = json.dumps(anon, ensure_ascii=False)
    for name in ("København", "Frederiksberg", "Ballerup", "Brøndby", "Dragør", "Lolland"):
        assert name not in text
    assert '"101"' not in text
    assert all(m["region_name"] == "" for m in anon["indicators"][0]["municipalities"])
    assert anon["anonymised"] is True and summary["anonymised"] is False
    pseudonym = {row["name"]: row["pseudonym"] for row in key}
    ballerup = pseudonym["Ballerup"]
    points = by_key(anon["scatters"], "admin_vs_agreements")["points"]
    assert ballerup in {p["code"] for p in points}
    trend = by_key(anon["trend"], "agreement_rate", "indicator")
    assert by_key(trend["respondents"], ballerup, "code")["values"] == [None, 0.7]
    assert anon["non_responders"] == [{"code": pseudonym["Dragør"], "name": pseudonym["Dragør"]}]
    # aggregates stay: the figures are the same
    assert anon["indicators"][0]["national"] == summary["indicators"][0]["national"]
    assert anon["indicators"][0]["by_region"] == summary["indicators"][0]["by_region"]


def test_pseudonyms_are_stable_and_say_nothing_of_the_order_of_codes(settings):
    settings.SECRET_KEY = "a" * 50
    first = pseudonyms(["101", "147", "151"], "erhvervsskoler")
    assert first == pseudonyms(["151", "101", "147"], "erhvervsskoler")
    assert sorted(first.values()) == ["R01", "R02", "R03"]
    many = pseudonyms([str(c) for c in range(100, 200)], "erhvervsskoler")
    assert [many[str(c)] for c in range(100, 200)] != sorted(many.values())  # not in code order
    assert len(set(many.values())) == 100 and "R001" in many.values()
    settings.SECRET_KEY = "b" * 50
    assert pseudonyms([str(c) for c in range(100, 200)], "erhvervsskoler") != many


def test_describe_and_pearson_on_paper():
    assert describe([4, None, 1, 3, 2]) == {
        "n": 4, "mean": 2.5, "median": 2.5, "min": 1, "max": 4, "total": 10,
    }  # fmt: skip
    assert describe([])["mean"] is None
    assert pearson([(1, 2), (2, 4), (3, 6)]) == pytest.approx(1.0)
    assert pearson([(1, 2), (2, 2), (3, 2)]) is None  # no spread in y
    assert pearson([(1, 2), (2, 4)]) is None  # too few
