"""The API summary of a round with a ratio indicator, a split, statistics and scatters, and
the trend across rounds: documented additions whose every field the schema (the serializers)
describes; the anonymised report through the export endpoint."""

import pytest
from rest_framework import serializers

from exports.api import RoundSummarySerializer
from tests.api.conftest import url
from tests.exports.schools import make_study_round
from tests.factories import make_submission


@pytest.fixture
def school_round(db):
    return make_study_round()


def undocumented(serializer, data, path="$"):
    """Keys of the answer that the serializer does not describe, and described keys missing."""
    if isinstance(serializer, serializers.ListSerializer):
        return [
            p
            for i, item in enumerate(data)
            for p in undocumented(serializer.child, item, f"{path}[{i}]")
        ]
    if not isinstance(serializer, serializers.Serializer) or data is None:
        return []
    fields = serializer.fields
    problems = [f"{path}.{k} (not in the schema)" for k in data if k not in fields]
    problems += [f"{path}.{k} (missing)" for k, f in fields.items() if f.required and k not in data]
    for key, field in fields.items():
        if key in data:
            problems += undocumented(field, data[key], f"{path}.{key}")
    return problems


def test_the_summary_gives_the_study_s_figures_as_documented_json(clients, school_round):
    response = clients["analyst"].get(url("rounds/skoler-2023/summary/"))
    assert response.status_code == 200
    body = response.json()
    assert undocumented(RoundSummarySerializer(), body) == []
    ratio = next(i for i in body["indicators"] if i["key"] == "pupils_per_fte")
    assert ratio["type"] == "ratio" and ratio["unit"]["da"] == "elever pr. årsværk"
    assert [b["count"] for b in ratio["bands"]] == [3, 12, 8]
    split = body["splits"][0]
    assert [round(p["mean"]) for p in split["parts"]] == [43, 31, 26]
    assert [(p["min"], p["max"]) for p in split["parts"]] == [(8, 67), (14, 63), (6, 63)]
    fte = body["statistics"][0]
    assert (fte["min"], fte["max"]) == (0.2, 3.45)
    assert {s["key"]: s["n"] for s in body["scatters"]} == {
        "support_vs_agreements": 23,
        "admin_vs_agreements": 23,
        "ratio_vs_agreements": 23,
    }
    [trend, ratio_trend] = body["trend"]
    assert trend["indicator"] == "agreement_rate" and len(trend["respondents"]) == 26
    assert [r["slug"] for r in trend["rounds"]] == ["skoler-2023"]
    assert body["anonymised"] is False


def test_a_municipal_summary_keeps_its_fields_and_gains_only_additions(clients, round_):
    from tests.api.conftest import VALID

    make_submission(round_, "360", VALID)
    body = clients["analyst"].get(url(f"rounds/{round_.slug}/summary/")).json()
    assert undocumented(RoundSummarySerializer(), body) == []
    indicator = body["indicators"][0]
    assert indicator["type"] == "share" and indicator["unit"] == {}
    assert body["statistics"] == body["splits"] == body["scatters"] == []
    assert body["trend"][0]["respondents"] == [{"code": "360", "name": "Lolland", "values": [0.05]}]


def test_the_anonymised_report_downloads_through_the_api(clients, school_round):
    response = clients["analyst"].get(url("rounds/skoler-2023/export/?format=pdf-anonym"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "rapport_anonym.pdf" in response["Content-Disposition"]
    for who in ("officer_own", "officer_other"):
        refused = clients[who].get(url("rounds/skoler-2023/export/?format=pdf-anonym"))
        assert refused.status_code in (403, 404)
    assert clients["anonymous"].get(url("rounds/skoler-2023/summary/")).status_code == 401
