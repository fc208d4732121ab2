"""An officer saving while an import is applied, for real (PostgreSQL row locks): for every
municipality either the officer's save or the imported row lands — never both over each
other — and an officer's save that landed is what is stored. Two applies of one import at
once apply it once. Skipped on SQLite (it serialises writers), as the reminders' twin."""

import pytest
from django.db import connections

from imports import services
from imports.models import Import, ImportRow
from reference.models import Municipality
from submissions import services as submission_services
from submissions.services import StaleVersion
from tests.factories import make_round, make_user
from tests.tracking.test_reminders_concurrency import _run_concurrently, require_postgresql

CODES = ["360", "727", "101", "147", "151", "153", "155", "157"]
OFFICER = {"pupils_8_9": 42, "enrolled": 1}

pytestmark = pytest.mark.django_db(transaction=True)


def _setup():
    round_ = make_round(codes=CODES, slug="conc")
    coordinator = make_user("coordinator", email="coord@indberet.dk")
    officers = {code: make_user(email=f"o{code}@kommune.dk", codes=[code]) for code in CODES}
    lines = ["municipality_code;pupils_8_9;enrolled"] + [f"{c};1.000;10" for c in CODES]
    imp = services.upload(
        round_, actor=coordinator, file_name="svar.csv", content="\n".join(lines).encode()
    )
    return round_, coordinator, officers, imp


def test_officers_saving_during_an_apply_are_never_lost():
    require_postgresql()
    round_, coordinator, officers, imp = _setup()
    saved = {}

    def work(worker=[0]):  # noqa: B006 - a counter shared by the two threads
        worker[0] += 1
        if worker[0] == 1:
            services.apply(imp, actor=coordinator, mode="submitted", overwrite=True)
            return
        for code in reversed(CODES):
            municipality = Municipality.objects.get(code=code)
            try:
                submission_services.save_draft(
                    round_,
                    municipality,
                    actor=officers[code],
                    answers=OFFICER,
                    explanations={},
                    version=0,
                )
                saved[code] = True
            except StaleVersion:  # the import came first: the officer is told, not overwritten
                saved[code] = False
            except submission_services.NotEditable:  # already submitted by the import
                saved[code] = False

    _run_concurrently(work)
    connections.close_all()
    outcomes = dict(
        ImportRow.objects.filter(import_run=imp).values_list("municipality__code", "outcome")
    )
    for code in CODES:
        answers = round_.submissions.get(municipality__code=code).answers
        if saved[code]:
            assert outcomes[code] in ("stale", "kept"), (code, outcomes[code])
            assert answers["pupils_8_9"] == 42, code
        else:
            assert outcomes[code] == "applied", (code, outcomes[code])
            assert answers["pupils_8_9"] == 1000, code


def test_two_applies_at_once_apply_once():
    require_postgresql()
    round_, coordinator, _officers, imp = _setup()
    _run_concurrently(lambda: services.apply(imp, actor=coordinator, mode="draft"))
    assert ImportRow.objects.filter(import_run=imp).count() == len(CODES)
    assert Import.objects.get().state == "applied"
    assert all(s.version == 1 for s in round_.submissions.all())
