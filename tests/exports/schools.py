"""The vocational-school survey for tests of the analysis, asked of municipalities.

The analysis reads respondents generically (the code and name of whatever a submission
answers for), so its figures are tested with the shipped school definition under a key of its
own, asked of municipalities: each synthetic school (demo/data/demo_erhvervsskoler.csv) answers
as the municipality it sits in — 27 different ones. The school register's own round is tested
where the register lives."""

from demo.schools import school_answers
from surveys.definition_store import import_definition
from surveys.definitions import SHIPPED_DIR, read_definition_file
from surveys.models import Round
from tests.factories import make_round, make_submission

KEY = "erhvervsskoler_kommuner"


def school_definition():
    content = read_definition_file(SHIPPED_DIR / "erhvervsskoler.json")
    content = {k: v for k, v in content.items() if k != "register"}
    return import_definition({**content, "key": KEY})[0]


def make_school_round(**kwargs):
    """A round of the school survey (make_round's arguments: codes, slug, state, previous …)."""
    round_ = make_round(**kwargs)
    definition = school_definition()
    Round.objects.filter(pk=round_.pk).update(survey=definition.survey, definition=definition)
    round_.refresh_from_db()
    return round_


def make_study_round(slug="skoler-2023", answered=None, **kwargs):
    """The study's round: the 27 schools as recipients and the 26 answers (or those of the
    schools whose index `answered` accepts)."""
    schools = school_answers()
    round_ = make_school_round(codes=[s["municipality_code"] for s in schools], slug=slug, **kwargs)
    for i, school in enumerate(schools):
        if school["state"] == "submitted" and (answered is None or answered(i)):
            make_submission(round_, school["municipality_code"], school["answers"])
    return round_
