"""The demo (`manage.py load_demo`, run by `make run`). Idempotent: running it again changes
nothing that exists (it only moves the open rounds' deadline into the future again).

Rounds: September 2025 (historical: closed, never sent, loaded by the bulk import from a
table as a coordinator would), February 2026 (open, 96 of 98 submitted: Odder and Syddjurs
missing — the seed's figures, kept), September 2026 (open, nothing submitted: where the demo
officers try the form, with history checks against February) and the prøvehandlinger round.
Every deadline is at 23.59.

Figures come from demo/data/demo_*.csv and are synthetic (see demo/data/README.md);
the rounds are marked is_demo so every page about them says so. September 2025 goes through
the import (imports.services); the other rounds' submissions are stored directly (validated,
with one Revision each) rather than through one service call per row.
"""

import csv
import datetime as dt
import io
from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import Membership, Role, User
from demo import schools
from imports import services as imports
from imports.models import Import
from reference.models import KOMMUNER, Municipality, Register
from reference.municipalities import MUNICIPALITIES_CSV, load_municipalities
from submissions.models import Revision, Submission, SubmissionState
from submissions.services import store_result
from submissions.validation import validate
from surveys import lifecycle
from surveys.definition_store import load_shipped_definitions
from surveys.models import Round, RoundState, Survey
from surveys.registers import apply_members, save_selection

DATA = Path(__file__).resolve().parent / "data"
DEMO_TAG = "[Demo]"

DEMO_USERS = [
    ("lolland@demo.indberet.dk", "Lone Lolland (demo)", Role.OFFICER, ["360"]),
    ("gentofte@demo.indberet.dk", "Gitte Gentofte (demo)", Role.OFFICER, ["157"]),
    ("odder@demo.indberet.dk", "Ole Odder (demo)", Role.OFFICER, ["727"]),
    ("koordinator@demo.indberet.dk", "Karin Koordinator (demo)", Role.COORDINATOR, []),
    ("analytiker@demo.indberet.dk", "Anders Analytiker (demo)", Role.ANALYST, []),
]

SEP_SLUG, FEB_SLUG, TRY_SLUG, PH_SLUG = (
    "juniormesterlaere-2025-09",
    "juniormesterlaere-2026-02",
    "juniormesterlaere-2026-09",  # open, nothing submitted: for a new user to try the form
    "proevehandlinger-2026",
)
GENTOFTE = "157"  # left as a draft so the demo officer can add trial actions and submit

THEME_DEFAULTS = {
    "early_action": (["grundskole", "unge_15_17"], ["kui", "grundskole"]),
    "shared_leadership": (["unge_15_17", "unge_18_24"], ["kui", "jobcenter", "fgu"]),
    "youth_ownership": (["grundskole", "10_klasse"], ["kui", "grundskole"]),
    "flexible_paths": (["fgu", "egu", "unge_18_24"], ["fgu", "eud", "virksomheder"]),
}


def _read(name):
    with open(DATA / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _aware(*args):
    return timezone.make_aware(dt.datetime(*args))


def _deadline(date, now):
    """A deadline at 23.59 local time on `date`, or on the day three weeks from `now` when
    `date` has passed (the demo's open rounds stay open)."""
    day = max(date, timezone.localdate(now) + dt.timedelta(days=21))
    return _aware(day.year, day.month, day.day, 23, 59)


def _users(out):
    municipalities = {m.code: m for m in Municipality.objects.of_register(KOMMUNER)}
    users = {}
    for email, name, role, codes in DEMO_USERS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, settings.DEMO_PASSWORD, name=name, role=role)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        for code in codes:
            Membership.objects.get_or_create(user=user, municipality=municipalities[code])
        users[email] = user
    return users


def _round(slug, survey, title, deadline, state, recipients, previous=None, user=None):
    round_ = Round.objects.filter(slug=slug).first()
    if round_ is None:
        round_ = Round.objects.create(
            survey=survey,
            definition=survey.current_definition(),
            title=title,
            slug=slug,
            deadline=deadline,
            opens_at=min(timezone.now(), deadline - dt.timedelta(days=30)),
            opened_at=min(timezone.now(), deadline - dt.timedelta(days=30)),
            closed_at=deadline + dt.timedelta(days=7) if state == RoundState.CLOSED else None,
            state=state,
            previous=previous,
            is_demo=True,
            created_by=user,
        )
        round_.recipients.set(recipients)
    elif state == RoundState.OPEN and round_.deadline < timezone.now():
        round_.deadline = deadline
        round_.save(update_fields=["deadline"])
    return round_


def _store(round_, rows, author, previous=None):
    """Create the missing submissions of a round (rows: code → (answers, state, at))."""
    spec = round_.definition.spec
    municipalities = {m.code: m for m in round_.recipients.all()}
    existing = set(
        Submission.objects.filter(round=round_).values_list("municipality__code", flat=True)
    )
    subs = []
    for code, (answers, state, at) in rows.items():
        if code in existing or code not in municipalities:
            continue
        result = validate(spec, answers, (previous or {}).get(code))
        explanations = {
            w["explain"]: f"{DEMO_TAG} Tallet er kontrolleret og korrekt." for w in result.warnings
        }
        responded = state in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)
        submission = Submission(
            round=round_,
            municipality=municipalities[code],
            state=state,
            version=1,
            answers=result.answers,
            explanations=explanations if responded else {},
            created_at=at,
            last_activity_at=at,
            updated_by=author,
            submitted_at=at if responded else None,
            submitted_by=author if responded else None,
        )
        subs.append(store_result(submission, result))
    Submission.objects.bulk_create(subs)
    created = Submission.objects.filter(
        round=round_, municipality__code__in=[s.municipality.code for s in subs]
    )
    Revision.objects.bulk_create(
        Revision(
            submission=s,
            number=1,
            action=Revision.Action.SUBMIT if s.has_responded else Revision.Action.SAVE,
            state=s.state,
            author=author,
            on_behalf=True,
            created_at=s.last_activity_at,
            answers=s.answers,
            explanations=s.explanations,
            changed_keys=sorted(k for k in spec.question_keys if k in s.answers)
            if not spec.has_entries
            else ["entries"],
            note=f"{DEMO_TAG} Indlæst af load_demo.",
        )
        for s in created
    )
    return len(subs)


def september_2025_csv(rows) -> bytes:
    """The September 2025 figures as the table of the source report's appendix would be typed
    into a spreadsheet: Danish Excel's CSV (`;`, thousands points, cp1252), in the columns of
    the round's import template (the export's names)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        ["municipality_code", "municipality_name", "pupils_8_9", "enrolled", "comment"]
        + ["share_high_explanation", "submitted_at"]
    )
    start = _aware(2025, 9, 2, 9, 0)
    for i, r in enumerate(x for x in rows if x["round"] == "2025-09"):
        if r["state"] != "submitted":
            continue
        # When each municipality answered, spread over September as the table's source had it.
        at = (start + dt.timedelta(hours=7 * i)).astimezone(dt.UTC)
        pupils = f"{int(r['pupils_8_9']):,}".replace(",", ".")
        explanation = f"{DEMO_TAG} Tallet er kontrolleret og korrekt."  # kept where raised
        writer.writerow(
            [r["municipality_code"], r["municipality_name"], pupils, r["enrolled"]]
            + [r.get("comment") or "", explanation, at.strftime("%Y-%m-%d %H:%M:%S+00:00")]
        )
    return out.getvalue().encode("cp1252")


def _september_2025(survey, rows, coordinator):
    """September 2025: an earlier round whose figures exist only as a table. Created as a
    historical round (surveys.lifecycle) and filled by the bulk import, as a coordinator
    would (issue 15). Returns (round, submissions created)."""
    sep = Round.objects.filter(slug=SEP_SLUG).first()
    if sep is not None:
        return sep, 0
    sep = lifecycle.create_historical_round(
        actor=coordinator,
        survey=survey,
        title="September 2025",
        slug=SEP_SLUG,
        reference_date=dt.date(2025, 9, 30),
        recipients=list(Municipality.objects.municipalities().values_list("code", flat=True)),
        is_demo=True,
    )
    upload = imports.upload(
        sep,
        actor=coordinator,
        file_name="september-2025-bilagstabel.csv",
        content=september_2025_csv(rows),
    )
    report = imports.apply(upload, actor=coordinator, mode=Import.Mode.SUBMITTED)
    return sep, report.counts["applied"]


def _juniormesterlaere(survey, coordinator, now):
    rows = _read("demo_juniormesterlaere.csv")
    everyone = list(Municipality.objects.municipalities())
    sep, sep_created = _september_2025(survey, rows, coordinator)
    feb = _round(
        FEB_SLUG,
        survey,
        "Februar 2026",
        _deadline(dt.date(2026, 3, 13), now),
        RoundState.OPEN,
        everyone,
        previous=sep,
        user=coordinator,
    )

    def answers_of(round_key, start):
        out = {}
        for i, r in enumerate(x for x in rows if x["round"] == round_key):
            if r["state"] != "submitted":
                continue
            answers = {"pupils_8_9": int(r["pupils_8_9"]), "enrolled": int(r["enrolled"])}
            if r.get("comment"):
                answers["comment"] = r["comment"]
            at = min(start + dt.timedelta(hours=7 * i), now)
            out[r["municipality_code"]] = (answers, SubmissionState.SUBMITTED, at)
        return out

    previous = dict(sep.submissions.values_list("municipality__code", "answers"))
    created = sep_created
    created += _store(feb, answers_of("2026-02", _aware(2026, 2, 16, 9, 0)), coordinator, previous)
    # Nothing submitted: the demo officers fill it in, see the checks (history against
    # February), explain a warning and submit, without changing February's figures.
    trial = _round(
        TRY_SLUG,
        survey,
        "September 2026",
        _deadline(dt.date(2026, 9, 30), now),
        RoundState.OPEN,
        everyone,
        previous=feb,
        user=coordinator,
    )
    return [sep, feb, trial], created


def _proevehandlinger(survey, coordinator, now):
    codes = [r["municipality_code"] for r in _read("demo_partnership_municipalities.csv")]
    round_ = _round(
        PH_SLUG,
        survey,
        "Partnerskab om stærkere overgange 2026",
        _deadline(dt.date(2026, 6, 30), now),
        RoundState.OPEN,
        list(Municipality.objects.municipalities().filter(code__in=codes)),
        user=coordinator,
    )
    by_code = {}
    statuses = ["running", "completed", "evaluated", "planned"]
    for i, r in enumerate(_read("demo_proevehandlinger.csv")):
        targets, partners = THEME_DEFAULTS.get(r["theme"], ([], []))
        status = statuses[i % len(statuses)]
        start = dt.date(2025, 1 + i % 9, 1)
        entry = {
            "title": r["title"],
            "theme": r["theme"],
            "target_groups": targets,
            "partners": partners,
            "goal": f"{DEMO_TAG} Syntetisk eksempeltekst: målet med »{r['title']}« beskrives her.",
            "activities": f"{DEMO_TAG} Syntetisk eksempeltekst om aktiviteterne.",
            "status": status,
            "start_date": start.isoformat(),
            "end_date": (start + dt.timedelta(days=300)).isoformat(),
        }
        if status == "evaluated":
            entry["learning"] = f"{DEMO_TAG} Syntetisk eksempeltekst om læringen."
        by_code.setdefault(r["municipality_code"], []).append(entry)
    rows = {}
    for i, (code, entries) in enumerate(sorted(by_code.items())):
        state = SubmissionState.DRAFT if code == GENTOFTE else SubmissionState.SUBMITTED
        at = min(_aware(2026, 4, 1, 10, 0) + dt.timedelta(hours=9 * i), now)
        rows[code] = ({"entries": entries, "nothing_to_report": False}, state, at)
    return round_, _store(round_, rows, coordinator)


SCHOOL_SLUG = "erhvervsskoler-2023"
SCHOOL_OFFICER = ("skole@demo.indberet.dk", "Søren Skole (demo)")
PARTNERSHIP = "Partnerskab om stærkere overgange"


def _schools(survey, coordinator, now):
    """The 27 synthetic schools (demo.schools) as the members of the survey's register, a
    round to all of them with the 26 answers of the study, and a demo officer for the school
    that did not answer (it can answer now)."""
    register = survey.register
    apply_members(register, schools.register_table(), actor=None, remove_missing=False)
    members = {m.code: m for m in register.members.filter(is_active=True)}
    rows = schools.school_answers()
    round_ = _round(
        SCHOOL_SLUG,
        survey,
        "Lærepladsopsøgende arbejde 2023",
        _deadline(dt.date(2026, 6, 30), now),
        RoundState.OPEN,
        [members[r["code"]] for r in rows],
        user=coordinator,
    )
    answers = {}
    for i, row in enumerate(r for r in rows if r["state"] == "submitted"):
        at = min(_aware(2026, 3, 2, 9, 0) + dt.timedelta(hours=5 * i), now)
        answers[row["code"]] = (row["answers"], SubmissionState.SUBMITTED, at)
    created = _store(round_, answers, coordinator)
    missing = next(r["code"] for r in rows if r["state"] != "submitted")
    email, name = SCHOOL_OFFICER
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, settings.DEMO_PASSWORD, name=name, role=Role.OFFICER)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    Membership.objects.get_or_create(user=user, municipality=members[missing])
    return round_, created, missing


def _partnership():
    """The partnership's municipalities as a saved selection (a round's recipients)."""
    kommuner = Register.objects.get(key=KOMMUNER)
    if kommuner.selections.filter(name=PARTNERSHIP).exists():
        return
    codes = [r["municipality_code"] for r in _read("demo_partnership_municipalities.csv")]
    save_selection(kommuner, actor=None, name=PARTNERSHIP, codes=codes)


def load_demo(out=print):
    now = timezone.now()
    if not Municipality.objects.municipalities().exists():
        load_municipalities(Municipality, str(MUNICIPALITIES_CSV))
    with transaction.atomic():
        load_shipped_definitions()
        users = _users(out)
        coordinator = users["koordinator@demo.indberet.dk"]
        jml = Survey.objects.get(key="juniormesterlaere")
        ph = Survey.objects.get(key="proevehandlinger")
        (sep, feb, trial), created = _juniormesterlaere(jml, coordinator, now)
        ph_round, ph_created = _proevehandlinger(ph, coordinator, now)
        _partnership()
        school_round, school_created, school_missing = _schools(
            Survey.objects.get(key=schools.SURVEY_KEY), coordinator, now
        )
        ph_created += school_created
        if created or ph_created:
            record("demo.loaded", actor=None, detail={"submissions": created + ph_created})
    answered = feb.submissions.filter(
        state__in=(SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)
    ).count()
    out("Demo indlæst (tal og tekster er syntetiske og markeret som demo).")
    out(
        f"  {sep.title}: lukket. {feb.title}: åben, frist {feb.deadline:%d-%m-%Y}, "
        f"{answered} af {feb.recipients.count()} har svaret."
    )
    out(
        f"  {trial.title}: åben, frist {trial.deadline:%d-%m-%Y}, intet indsendt endnu — "
        "til at prøve skemaet (historikkontroller sammenligner med februar)."
    )
    out(f"  {ph_round.title}: åben, {ph_round.recipients.count()} partnerskabskommuner.")
    school_answered = school_round.submissions.filter(
        state__in=(SubmissionState.SUBMITTED, SubmissionState.ACCEPTED)
    ).count()
    out(
        f"  {school_round.title}: åben, {school_answered} af {school_round.recipients.count()} "
        f"erhvervsskoler har svaret (registret »{school_round.survey.register.name}«)."
    )
    out(f"  Udvalg: »{PARTNERSHIP}« (kommuner), til at vælge som modtagere af en runde.")
    out(f"  Nye besvarelser i denne kørsel: {created + ph_created}.")
    out("")
    out("Demobrugere (adgangskode for alle: settings.DEMO_PASSWORD):")
    for email, _name, role, codes in DEMO_USERS:
        where = f" — {', '.join(codes)}" if codes else ""
        out(f"  {email:32} {settings.DEMO_PASSWORD}   {Role(role).label}{where}")
    officer = f"Sagsbehandler på en erhvervsskole — {school_missing}"
    out(f"  {SCHOOL_OFFICER[0]:32} {settings.DEMO_PASSWORD}   {officer}")
    out("")
    out(
        "Prøv som sagsbehandler: log ind som lolland@demo.indberet.dk, åbn »September 2026«, "
        "skriv 690 elever og 150 tilmeldte (over 20 % giver en advarsel), skriv en "
        "forklaring, og indsend. Februar-rundens tal ændres ikke."
    )
    out("")
    out(
        "Koordinator og analytiker skal sætte tofaktorgodkendelse (TOTP) op ved første login "
        "(en autentificerings-app, fx Microsoft Authenticator eller Google Authenticator)."
    )
    return {
        "sep": sep,
        "feb": feb,
        "trial": trial,
        "proevehandlinger": ph_round,
        "schools": school_round,
        "created": created + ph_created,
    }
