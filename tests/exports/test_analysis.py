import json

import pytest

from exports.analysis import _ranked, analyse_round, pct


@pytest.fixture
def summary(rounds):
    return analyse_round(rounds[1])


def by_code(rows):
    return {r["code"]: r for r in rows}


def test_response_rate_counts_only_submitted_and_accepted(summary):
    assert summary["recipients"] == 9
    assert summary["responses"] == 7
    assert summary["response_rate"] == pytest.approx(7 / 9)
    assert summary["states"]["draft"] == 1 and summary["states"]["no_response"] == 1
    assert summary["non_responders"] == [
        {"code": "360", "name": "Lolland"},
        {"code": "727", "name": "Odder"},
    ]
    assert summary["provisional"] is True


def test_the_summary_is_plain_json(summary):
    assert json.loads(json.dumps(summary)) == summary


def test_national_share_is_sum_over_sum_of_municipalities_with_a_value(summary):
    share = summary["indicators"][0]
    assert share["key"] == "share"
    assert share["national"] == {"numerator": 114, "denominator": 2500, "value": 114 / 2500}
    assert share["responders_without_value"] == [{"code": "153", "name": "Brøndby"}]


def test_counts_against_target_threshold_and_zero(summary):
    counts = summary["indicators"][0]["counts"]
    assert counts["with_value"] == 6
    assert counts["at_or_above_target"] == 3  # 5 %, 10 %, 10 %
    # 0 % and 1 %: under 2 % counts the zero, and says how many of them are zero.
    assert counts["under_threshold"] == [{"threshold": 0.02, "count": 2, "zero": 1}]
    assert counts["zero"] == 1
    bands = {b["key"]: b["count"] for b in summary["indicators"][0]["bands"]}
    assert bands == {"zero": 1, "under_0.02": 1, "0.02_0.05": 1, "at_or_above_target": 3}


def test_the_bands_under_a_threshold_add_up_to_its_count(summary):
    """One definition of 'under 2 %': the chart's bands 0 % and 'over 0, under 2 %' together
    are the count, and the band's label does not claim to be all of 'under 2 %'."""
    share = summary["indicators"][0]
    (under,) = share["counts"]["under_threshold"]
    below = [b for b in share["bands"] if b["upper"] is not None and b["upper"] <= 0.02]
    assert [b["key"] for b in below] == ["zero", "under_0.02"]
    assert sum(b["count"] for b in below) == under["count"]
    assert below[0]["count"] == under["zero"] == share["counts"]["zero"]
    assert below[1]["label"] == {"da": "Over 0, under 2 %", "en": "Above 0, under 2 %"}


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.0456, "4,6 %"), (-0.0004, "0,0 %"), (-0.0006, "−0,1 %"), (0, "0,0 %"), (None, "–")],
)
def test_pct_never_shows_a_negative_zero(value, shown):
    assert pct(value) == shown


def test_municipality_values_never_turn_missing_into_zero(summary):
    rows = by_code(summary["indicators"][0]["municipalities"])
    assert rows["151"]["value"] == 0 and rows["151"]["band"] == "zero"
    assert rows["153"]["value"] is None and rows["153"]["band"] is None
    assert rows["360"]["value"] is None and rows["360"]["state"] == "draft"
    assert rows["727"]["value"] is None and rows["727"]["state"] == "no_response"


def test_top_list_orders_ties_by_name_with_shared_rank(summary):
    top = summary["indicators"][0]["top"]
    assert [(t["rank"], t["name"]) for t in top] == [
        (1, "Frederiksberg"),
        (1, "Odense"),
        (3, "København"),
        (4, "Dragør"),
        (5, "Gentofte"),
        (6, "Ballerup"),
    ]
    assert summary["indicators"][0]["bottom"][0]["name"] == "Ballerup"


def test_ties_at_the_tenth_place_are_all_included():
    valued = [{"code": f"{i:03}", "name": f"K{i:02}", "value": 1 - i / 100} for i in range(9)]
    valued += [{"code": f"{i:03}", "name": f"K{i:02}", "value": 0.5} for i in (9, 10, 11)]
    valued += [{"code": "999", "name": "Last", "value": 0.1}]
    top = _ranked(valued, descending=True)
    assert len(top) == 12
    assert [t["rank"] for t in top[-3:]] == [10, 10, 10]
    assert "Last" not in [t["name"] for t in top]


def test_aggregates_by_dst_group_and_region(summary):
    groups = {g["dst_group"]: g for g in summary["indicators"][0]["by_dst_group"]}
    assert list(groups) == [
        "Hovedstadskommuner",
        "Storbykommuner",
        "Oplandskommuner",
        "Landkommuner",
    ]
    hoved = groups["Hovedstadskommuner"]
    assert (hoved["recipients"], hoved["responses"]) == (6, 6)
    assert (hoved["numerator"], hoved["denominator"]) == (84, 2200)
    assert hoved["value"] == pytest.approx(84 / 2200)
    assert groups["Landkommuner"]["value"] is None
    assert groups["Landkommuner"]["responses"] == 0
    regions = {r["region_code"]: r for r in summary["indicators"][0]["by_region"]}
    assert regions["1083"]["value"] == pytest.approx(0.1)


def test_change_against_previous_round(summary):
    share = summary["indicators"][0]
    prev = share["previous"]
    assert prev["round"] == "jml-2025-09"
    assert prev["national"]["value"] == pytest.approx(115 / 1600)
    assert prev["change"] == pytest.approx(114 / 2500 - 115 / 1600)
    rows = by_code(share["municipalities"])
    assert rows["101"]["change"] == pytest.approx(0.01)
    assert rows["151"]["change"] == pytest.approx(-0.05)
    assert rows["461"]["previous_value"] is None and rows["461"]["change"] is None  # not asked
    assert rows["155"]["previous_value"] is None  # did not answer then
    assert rows["157"]["previous_value"] is None  # only a draft then
    assert prev["municipalities_compared"] == 3


def test_a_closed_round_is_final(rounds):
    assert analyse_round(rounds[0])["provisional"] is False
    assert analyse_round(rounds[0])["indicators"][0]["previous"] is None
