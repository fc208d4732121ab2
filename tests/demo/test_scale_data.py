"""The synthetic benchmark dataset: marked synthetic, every state present, reproducible."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from accounts.models import Membership
from reference.models import Municipality
from submissions.models import ChaseNote, Reminder, Revision, Submission
from submissions.validation import Result
from surveys.models import Round

pytestmark = pytest.mark.django_db


def build(n=110, rounds=3, **kwargs):
    call_command(
        "generate_scale_data",
        municipalities=n,
        rounds=rounds,
        stdout=StringIO(),
        **kwargs,
    )


def snapshot():
    return sorted(
        (
            s.round.slug,
            s.municipality.code,
            s.state,
            s.version,
            repr(s.answers),
            repr(s.explanations),
        )
        for s in Submission.objects.select_related("round", "municipality")
    )


def test_marked_synthetic_outside_the_official_range():
    build(n=110, rounds=2)
    synthetic = Municipality.objects.filter(is_synthetic=True)
    assert synthetic.count() == 12
    assert all(int(m.code) >= 1001 for m in synthetic)
    assert Municipality.objects.municipalities().count() == 98
    rounds = Round.objects.all()
    assert rounds.count() == 2
    for r in rounds:
        assert r.is_demo and r.slug.startswith("syntetisk-") and r.title.startswith("[Syntetisk]")
        assert r.recipients.count() == 110
    open_rounds = rounds.filter(state="open")
    assert open_rounds.count() == 1
    assert rounds.get(state="closed").pk == open_rounds.get().previous_id


def test_every_state_warnings_revisions_reminders_and_officers():
    build(n=150, rounds=4, entries=3)
    newest = Round.objects.get(slug="syntetisk-jml-n150-04")
    states = set(Submission.objects.filter(round=newest).values_list("state", flat=True))
    assert states == {"draft", "submitted", "accepted", "returned"}
    assert newest.recipients.count() > Submission.objects.filter(round=newest).count()
    # Responded answers pass validation: no errors, every warning explained.
    for s in Submission.objects.filter(state__in=("submitted", "accepted")):
        result = Result(s.answers, s.findings)
        assert not result.errors
        assert not result.unexplained(s.explanations)
    assert Submission.objects.filter(warning_count__gt=0).exclude(explanations={}).exists()
    assert Submission.objects.filter(state="draft", error_count__gt=0).exists()
    # One revision per version, the last one in the submission's state.
    total_versions = Submission.objects.aggregate(v=Sum("version"))["v"]
    assert Revision.objects.count() == total_versions
    for s in Submission.objects.filter(round=newest)[:30]:
        assert s.revisions.order_by("-number").first().state == s.state
    assert Reminder.objects.filter(round=newest, claim_key="schedule:-7").exists()
    assert ChaseNote.objects.filter(round=newest).exists()
    assert (
        Membership.objects.filter(user__email__endswith="syntetisk.indberet.example").count() > 150
    )
    entries_round = Round.objects.get(slug="syntetisk-proeve-n150-01")
    s = Submission.objects.filter(round=entries_round, answers__nothing_to_report=False).first()
    assert 1 <= len(s.answers["entries"]) <= 3


def test_reproducible_with_the_same_seed_and_refuses_to_overwrite():
    build(n=100, rounds=2, seed=5)
    first = snapshot()
    with pytest.raises(CommandError):
        build(n=100, rounds=2, seed=5)
    build(n=100, rounds=2, seed=5, replace=True)
    assert snapshot() == first
    build(n=100, rounds=2, seed=6, replace=True)
    assert snapshot() != first


def test_datasets_of_two_sizes_live_side_by_side():
    build(n=98, rounds=2)
    build(n=105, rounds=1)
    assert Round.objects.filter(slug__contains="-n98-").count() == 2
    assert Round.objects.filter(slug__contains="-n105-").count() == 1
    assert Municipality.objects.filter(is_synthetic=True).count() == 7
