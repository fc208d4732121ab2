"""The analysis sections of a definition (ratio indicators with bands, splits, statistics,
scatters) and the vocational-school survey that uses them: checked at import with the path of
the error; the school survey's sum-to-100 rule and consultant required-when."""

import copy
import json

import pytest

from submissions.validation import validate
from surveys.definitions import SHIPPED_DIR, DefinitionError, validate_definition


def schools():
    return json.loads((SHIPPED_DIR / "erhvervsskoler.json").read_text(encoding="utf-8"))


def test_the_school_survey_is_valid_and_reads_its_analysis_sections():
    spec = validate_definition(schools())
    ratio = spec.indicators[1]
    assert (ratio.key, ratio.type, ratio.bands) == ("pupils_per_fte", "ratio", (150, 300))
    assert spec.indicators[0].type == "share" and spec.indicators[0].target == 0.8
    assert spec.splits[0].parts == ("share_admin", "share_relations", "share_support")
    assert [s.value for s in spec.statistics] == ["outreach_fte", "pupils_per_fte"]
    assert [(s.x, s.y) for s in spec.scatters][:2] == [
        ("share_support", "agreement_rate"),
        ("share_admin", "agreement_rate"),
    ]


@pytest.mark.parametrize(
    "change,path,message",
    [
        (lambda d: d["indicators"][1].pop("bands"), "indicators[1].bands", "needs bands"),
        (lambda d: d["indicators"][1].update(bands=[300, 150]), "indicators[1].bands", "ascend"),
        (lambda d: d["indicators"][1].update(bands=[0, 150]), "indicators[1].bands[0]", ""),
        (lambda d: d["indicators"][1].update(thresholds=[1]), "indicators[1].thresholds", ""),
        (lambda d: d["indicators"][0].update(bands=[0.5]), "indicators[0].bands", "ratio"),
        (lambda d: d["indicators"][1].update(type="mean"), "indicators[1].type", ""),
        (lambda d: d["splits"][0].update(parts=["share_admin"]), "splits[0].parts", ""),
        (
            lambda d: d["splits"][0].update(parts=["share_admin", "comment"]),
            "splits[0].parts",
            "'comment' is not a number question",
        ),
        (
            lambda d: d["splits"][0].update(parts=["share_admin", "share_admin"]),
            "splits[0].parts",
            "twice",
        ),
        (lambda d: d["statistics"][0].update(value="fte"), "statistics[0].value", "'fte'"),
        (lambda d: d["scatters"][0].update(y="agreements"), "scatters[0].y", "'agreements'"),
        (lambda d: d["scatters"].append(dict(d["scatters"][0])), "scatters[3].key", "duplicate"),
    ],
)
def test_a_malformed_analysis_section_is_refused_with_its_path(change, path, message):
    content = copy.deepcopy(schools())
    change(content)
    with pytest.raises(DefinitionError) as exc:
        validate_definition(content)
    assert exc.value.path == path
    assert message in str(exc.value)


def test_analysis_sections_are_refused_in_an_entries_survey():
    content = json.loads((SHIPPED_DIR / "proevehandlinger.json").read_text(encoding="utf-8"))
    content["statistics"] = [{"key": "n", "value": "title"}]
    with pytest.raises(DefinitionError) as exc:
        validate_definition(content)
    assert exc.value.path == "statistics"


BASE = {"pupils": 120, "pupils_with_agreement": 90, "uses_consultants": False}


def _codes(answers):
    result = validate(validate_definition(schools()), answers)
    return {(f["field"], f["code"]) for f in result.errors}, {f["key"] for f in result.errors}


def test_the_three_shares_must_add_up_to_100():
    split = {"outreach_fte": 1.5, "share_admin": 40, "share_support": 30, "share_relations": 20}
    _, keys = _codes({**BASE, **split})
    assert "split_sums_to_100" in keys
    _, keys = _codes({**BASE, **split, "share_relations": 30})
    assert keys == set()
    # decimals typed by a person: 33,3 + 33,3 + 33,4 is 100
    thirds = {"outreach_fte": 1, "share_admin": 33.3, "share_support": 33.3}
    _, keys = _codes({**BASE, **thirds, "share_relations": 33.4})
    assert keys == set()


def test_the_split_is_required_when_there_are_fte_and_may_be_left_empty_without():
    fields, _ = _codes({**BASE, "outreach_fte": 2})
    assert {("share_admin", "required"), ("share_support", "required")} <= fields
    fields, keys = _codes(dict(BASE))  # resource figures left empty: allowed
    assert keys == set()


def test_the_consultant_question_is_required_only_when_the_school_uses_consultants():
    fields, _ = _codes({**BASE, "uses_consultants": True})
    assert ("consultants_dedicated", "required") in fields
    fields, _ = _codes({**BASE, "uses_consultants": True, "consultants_dedicated": False})
    assert fields == set()
    fields, _ = _codes(dict(BASE))
    assert ("consultants_dedicated", "required") not in fields


def test_the_consultant_question_and_the_split_are_shown_only_when_they_apply():
    spec = validate_definition(schools())
    typed = {**BASE, "consultants_dedicated": True, "share_admin": 50}
    result = validate(spec, typed)  # no consultants, no FTE: both hidden, answers dropped
    assert result.answers.get("consultants_dedicated") is None
    assert result.answers.get("share_admin") is None
    shown = validate(spec, {**typed, "uses_consultants": True, "consultants_dedicated": True})
    assert shown.answers["consultants_dedicated"] is True
