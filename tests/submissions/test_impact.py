"""Rule impact before publishing (submissions.impact): a candidate definition run over a round's
responded answers, nothing stored; large rounds in the background with the result kept."""

import copy

import pytest

from accounts.models import AuditEvent
from submissions.impact import impact
from submissions.models import ImpactRun, Submission
from submissions.services import request_impact
from surveys.definitions import validate_definition
from tests.factories import make_round, make_submission, shipped_definition

pytestmark = pytest.mark.django_db


def candidate(**changes):
    content = copy.deepcopy(shipped_definition().content)
    content.update(changes)
    return content


@pytest.fixture
def september():
    """A demo-like September round: four municipalities answered, one only saved a draft."""
    round_ = make_round(codes=["360", "727", "101", "151", "153"], slug="jml-september")
    make_submission(round_, "360", {"pupils_8_9": 400, "enrolled": 10, "comment": "ok"})
    make_submission(round_, "727", {"pupils_8_9": 300, "enrolled": 75})
    make_submission(round_, "101", {"pupils_8_9": 2000, "enrolled": 150}, state="accepted")
    make_submission(round_, "151", {"pupils_8_9": 250, "enrolled": 2})
    make_submission(round_, "153", {"pupils_8_9": 100, "enrolled": 99}, state="draft")
    return round_


def warning_rule():
    content = candidate()
    content["rules"].append(
        {
            "key": "share_over_7",
            "severity": "warning",
            "expression": "share <= 0.07",
            "fields": ["enrolled"],
            "message": {"da": "Over 7 %.", "en": "Over 7 %."},
        }
    )
    return content


def check(result, key):
    return next(c for c in result["checks"] if c["key"] == key)


def test_new_warning_rule_flags_which_municipalities_with_their_values(september):
    before = list(Submission.objects.values_list("answers", "findings", "state"))
    result = impact(spec=validate_definition(warning_rule()), round_=september)
    assert result["respondents"] == 4  # the draft is not an answer yet
    rule = check(result, "share_over_7")
    assert (rule["blocked"], rule["warned"]) == (0, 2)
    assert [(m["code"], m["new"]) for m in rule["municipalities"]] == [
        ("101", True),  # 7.5 %
        ("727", True),  # 25 %
    ]
    odder = rule["municipalities"][1]
    assert odder["name"] == "Odder" and odder["values"] == {"share": 0.25}
    # The existing 20 % warning still flags only Odder, and it had it already.
    old = check(result, "share_high")
    assert [(m["code"], m["new"]) for m in old["municipalities"]] == [("727", False)]
    assert list(Submission.objects.values_list("answers", "findings", "state")) == before
    assert not ImpactRun.objects.exists()


def test_tighter_rule_blocks_and_history_check_reads_the_previous_round(september):
    october = make_round(codes=["360", "727"], slug="jml-oktober", previous=september)
    make_submission(october, "360", {"pupils_8_9": 800, "enrolled": 10})
    make_submission(october, "727", {"pupils_8_9": 310, "enrolled": 30})
    content = candidate()
    content["rules"][0]["expression"] = "enrolled * 10 <= pupils_8_9"
    result = impact(spec=validate_definition(content), round_=october)
    rule = check(result, "enrolled_le_pupils")
    assert (rule["blocked"], [m["code"] for m in rule["municipalities"]]) == (0, [])
    content["rules"][0]["expression"] = "enrolled * 20 <= pupils_8_9"
    rule = check(impact(spec=validate_definition(content), round_=october), "enrolled_le_pupils")
    assert rule["blocked"] == 1 and rule["municipalities"][0]["code"] == "727"
    history = check(result, "pupils_8_9_change")
    assert [m["code"] for m in history["municipalities"]] == ["360"]  # 400 → 800
    assert history["municipalities"][0]["values"] == {"pupils_8_9": 800.0, "previous": 400}


def test_answers_that_no_longer_fit_a_new_required_question_and_a_removed_choice():
    round_ = make_round("proevehandlinger", codes=["360", "727"])
    entry = {
        "title": "Mentorer",
        "theme": "early_action",
        "goal": "Flere i job",
        "status": "planned",
    }
    make_submission(round_, "360", {"entries": [entry], "nothing_to_report": False})
    make_submission(
        round_,
        "727",
        {"entries": [{**entry, "theme": "youth_ownership"}], "nothing_to_report": False},
    )
    content = copy.deepcopy(shipped_definition("proevehandlinger").content)
    theme = next(q for q in content["questions"] if q["key"] == "theme")
    theme["choices"] = [c for c in theme["choices"] if c["value"] != "youth_ownership"]
    content["questions"].append(
        {"key": "budget", "type": "integer", "required": True, "label": {"da": "Budget"}}
    )
    result = impact(spec=validate_definition(content), round_=round_)
    unfit = {(u["question"], u["code"]): u for u in result["no_longer_fit"]}
    assert [
        (m["code"], m["entry"], m["value"])
        for m in unfit[("theme", "bad_choice")]["municipalities"]
    ] == [("727", 0, "youth_ownership")]
    assert [m["code"] for m in unfit[("budget", "required")]["municipalities"]] == ["360", "727"]


def test_show_when_reports_answers_it_would_hide(september):
    content = candidate()
    content["questions"][2]["relevant_when"] = "enrolled > 20"
    result = impact(spec=validate_definition(content), round_=september)
    assert result["hidden"] == [
        {
            "question": "comment",
            "municipalities": [{"code": "360", "name": "Lolland", "entry": None, "value": "ok"}],
        }
    ]


def test_large_round_runs_in_the_background_and_keeps_the_result(
    september, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_SYNC_MAX_SUBMISSIONS = 3
    content = warning_rule()
    with django_capture_on_commit_callbacks(execute=True):
        result, run = request_impact(
            actor=coordinator,
            ip="127.0.0.1",
            round_=september,
            content=content,
            spec=validate_definition(content),
        )
    assert result is None
    run.refresh_from_db()  # the immediate task backend has run it on commit
    assert run.state == ImpactRun.State.DONE
    assert check(run.result, "share_over_7")["warned"] == 2
    assert AuditEvent.objects.filter(action="impact.requested", actor=coordinator).exists()


def test_small_round_answers_at_once_and_stores_nothing(september, coordinator):
    content = warning_rule()
    result, run = request_impact(
        actor=coordinator,
        ip="127.0.0.1",
        round_=september,
        content=content,
        spec=validate_definition(content),
    )
    assert run is None and check(result, "share_over_7")["warned"] == 2
    assert not ImpactRun.objects.exists()


def test_asking_again_soon_answers_the_same_run(
    september, coordinator, settings, django_capture_on_commit_callbacks
):
    settings.IMPACT_SYNC_MAX_SUBMISSIONS = 1
    content = warning_rule()
    runs = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            runs.append(
                request_impact(
                    actor=coordinator,
                    ip=None,
                    round_=september,
                    content=content,
                    spec=validate_definition(content),
                )[1]
            )
    assert len({r.pk for r in runs}) == 1 and ImpactRun.objects.count() == 1
    assert AuditEvent.objects.filter(action="impact.requested").count() == 1
    other = warning_rule()
    other["rules"][-1]["expression"] = "share <= 0.08"
    _result, run = request_impact(
        actor=coordinator,
        ip=None,
        round_=september,
        content=other,
        spec=validate_definition(other),
    )
    assert run.pk != runs[0].pk


def test_on_the_demo_september_round_a_new_warning_flags_exactly_the_municipalities_over_it():
    """The coordinator's walk: the demo's juniormesterlære September 2025 round, a new warning
    rule at 1 %; the impact names exactly the municipalities whose figures (the demo's CSV,
    read here independently) are over it, with their share, and changes no answer."""
    import csv

    from django.core.management import call_command

    from demo.demo import SEP_SLUG
    from surveys.models import Round

    call_command("load_demo", verbosity=0)
    september = Round.objects.get(slug=SEP_SLUG)
    content = candidate()
    content["rules"].append(
        {
            "key": "share_over_1",
            "severity": "warning",
            "expression": "share <= 0.01",
            "fields": ["enrolled"],
            "message": {"da": "Over 1 %."},
        }
    )
    before = list(Submission.objects.values_list("pk", "answers", "findings"))
    result = impact(spec=validate_definition(content), round_=september)
    with open("demo/data/demo_juniormesterlaere.csv", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["round"] == "2025-09"]
    over = sorted(
        r["municipality_code"]
        for r in rows
        if r["state"] == "submitted" and int(r["enrolled"]) / int(r["pupils_8_9"]) > 0.01
    )
    rule = check(result, "share_over_1")
    assert result["respondents"] == september.submissions.filter(state="submitted").count()
    assert sorted(m["code"] for m in rule["municipalities"]) == over and rule["warned"] == len(over)
    assert 0 < len(over) < result["respondents"]
    assert list(Submission.objects.values_list("pk", "answers", "findings")) == before


def test_the_periodic_job_deletes_impact_runs_older_than_the_keep_days(
    september, coordinator, settings
):
    import datetime as dt
    import io

    from django.core.management import call_command
    from django.utils import timezone

    settings.IMPACT_RUN_KEEP_DAYS = 7
    now = timezone.now()
    ages = {"old_done": 8, "old_pending": 30, "recent": 6}
    runs = {}
    for name, days in ages.items():
        runs[name] = ImpactRun.objects.create(
            round=september,
            content={},
            content_hash=name,
            requested_by=coordinator,
            state="pending" if name == "old_pending" else "done",
            created_at=now - dt.timedelta(days=days),
        )
    answers_before = list(Submission.objects.values_list("pk", "answers"))
    out = io.StringIO()
    call_command("send_reminders", stdout=out, stderr=io.StringIO())
    assert list(ImpactRun.objects.values_list("pk", flat=True)) == [runs["recent"].pk]
    assert "2 gamle regelvirkningskørsler slettet." in out.getvalue()
    assert list(Submission.objects.values_list("pk", "answers")) == answers_before
    settings.IMPACT_RUN_KEEP_DAYS = 5
    call_command("send_reminders", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ImpactRun.objects.exists()
