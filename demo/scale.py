"""A reproducible synthetic dataset for benchmarks: N municipalities × R rounds.

Everything made here is marked synthetic so it can never be mistaken for real data:
- extra municipalities get codes 1001 and up (outside the official 101–860) and
  `is_synthetic=True`;
- rounds have `is_demo=True`, a slug starting with `syntetisk-` and a title starting with
  "[Syntetisk]";
- users have e-mail addresses at `syntetisk.indberet.example` and no usable password.

The same `seed` gives the same answers, states, revisions and reminders (timestamps are
relative to the moment of generation, so the newest round is always open). Rows are written
with `bulk_create` in batches, one round at a time, so memory stays bounded and N=1000 × R=40
builds in well under a minute or two on PostgreSQL.

`validate()` computes every stored finding, derived value and warning, so the data looks to
the rest of the system exactly like data typed through the form.
"""

import datetime as dt
import random
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.audit import record
from accounts.models import Membership, Role, User
from reference.models import KOMMUNER, Municipality, Register
from reference.registers import municipal_attributes
from submissions.models import ChaseNote, Reminder, Revision, Submission
from submissions.services import store_result
from submissions.validation import validate
from surveys.definition_store import import_definition
from surveys.definitions import SHIPPED_DIR, read_definition_file
from surveys.models import Round, RoundState

SLUG_PREFIX = "syntetisk"
TITLE_PREFIX = "[Syntetisk]"
EMAIL_DOMAIN = "syntetisk.indberet.example"
FIRST_SYNTHETIC_CODE = 1001
MAX_CODE = 9999
BATCH = 2000
ROUND_SPACING_DAYS = 91

COMMENTS = [
    "Opgjort pr. 5. september efter skolernes egne lister.",
    "Tallet omfatter også elever i specialklasser.",
    "Inkl. privatskoler, der har givet os deres tal.",
    "Vi har ændret opgørelsesmetode i år, se forklaring.",
    "",
]
EXPLANATIONS = {
    "pupils_8_9_change": [
        "To skoler er lagt sammen, og elevtallet er derfor opgjort anderledes.",
        "En ny privatskole indgår nu i opgørelsen.",
        "Tallet sidste år var fejlagtigt; det rigtige tal er brugt i år.",
    ],
    "share_high": [
        "Vi har en særlig indsats med juniormesterlære på alle skoler i år.",
        "Tallet er kontrolleret med skolerne og er korrekt.",
    ],
}
RETURN_REASONS = [
    "Antal elever ser ud til at være for 8. klasse alene. Ret venligst.",
    "Forklaringen mangler tal fra den ene skole.",
]
CHASE_TEXTS = [
    "Ringet til skolechefen; svar lovet inden fredag.",
    "Sendt mail direkte til sagsbehandleren.",
    "Kontaktperson på barsel — ny kontakt er ved at blive fundet.",
]
ENTRY_TITLES = [
    "Fælles vejledning for 8. klasse",
    "Praktikforløb med lokale virksomheder",
    "Ungeråd planlægger uddannelsesdag",
    "Fleksible forløb mellem FGU og EUD",
    "Tidlig indsats i 7. klasse",
]

# Distribution of submission states: closed (older) rounds and the open (newest) round.
# None = the municipality has not answered (no submission row).
CLOSED_STATES = [("accepted", 80), ("submitted", 8), ("returned", 2), ("draft", 3), (None, 7)]
OPEN_STATES = [("draft", 25), ("submitted", 30), ("accepted", 10), ("returned", 5), (None, 30)]
FORCED_OPEN = ["draft", "submitted", "accepted", "returned", None]  # every state represented


@dataclass
class Stats:
    municipalities_created: int = 0
    users_created: int = 0
    rounds: int = 0
    submissions: int = 0
    revisions: int = 0
    reminders: int = 0
    chase_notes: int = 0
    entries: int = 0
    by_state: dict = field(default_factory=dict)
    warnings_explained: int = 0

    def as_dict(self):
        return dict(self.__dict__)


def round_slug(n, index, kind="jml"):
    """Slug of the index-th round (1-based) of the dataset for n municipalities."""
    return f"{SLUG_PREFIX}-{kind}-n{n}-{index:02d}"


def _pick(rng, weighted):
    total = sum(w for _, w in weighted)
    x = rng.uniform(0, total)
    for value, weight in weighted:
        x -= weight
        if x <= 0:
            return value
    return weighted[-1][0]


def ensure_municipalities(n, stats):
    """The first n municipalities: the real ones by code, then synthetic ones (1001+)."""
    real = list(Municipality.objects.municipalities().order_by("code")[:n])
    missing = n - len(real)
    if missing <= 0:
        return real
    if FIRST_SYNTHETIC_CODE + missing - 1 > MAX_CODE:
        raise ValueError(
            f"at most {MAX_CODE - FIRST_SYNTHETIC_CODE + 1 + len(real)} municipalities"
        )
    regions = list(
        Municipality.objects.municipalities()
        .values_list("region_code", "region_name", "dst_group")
        .distinct()
        .order_by("region_code", "dst_group")
    ) or [("1084", "Region Hovedstaden", "Bykommuner")]
    codes = [str(FIRST_SYNTHETIC_CODE + i) for i in range(missing)]
    kommuner = Register.objects.get(key=KOMMUNER)
    existing = set(
        Municipality.objects.filter(register=kommuner, code__in=codes).values_list(
            "code", flat=True
        )
    )
    new = []
    for i, code in enumerate(codes):
        if code in existing:
            continue
        region_code, region_name, group = regions[i % len(regions)]
        new.append(
            Municipality(
                register=kommuner,
                attributes=municipal_attributes(region_code, group),
                code=code,
                name=f"Syntetisk Kommune {code}",
                region_code=region_code,
                region_name=region_name,
                dst_group=group,
                is_synthetic=True,
            )
        )
    Municipality.objects.bulk_create(new, batch_size=BATCH)
    stats.municipalities_created += len(new)
    synthetic = list(
        Municipality.objects.filter(register=kommuner, code__in=codes).order_by("code")
    )
    return real + synthetic


def ensure_users(municipalities, stats):
    """One officer per municipality (every tenth also serves its neighbour, like a shared
    service centre), plus a synthetic coordinator and analyst with TOTP set up.
    Returns ({municipality_id: officer}, coordinator)."""
    unusable = make_password(None)
    wanted = {f"officer-{m.code}@{EMAIL_DOMAIN}": m for m in municipalities}
    staff = {
        f"koordinator@{EMAIL_DOMAIN}": ("Syntetisk Koordinator", Role.COORDINATOR),
        f"analytiker@{EMAIL_DOMAIN}": ("Syntetisk Analytiker", Role.ANALYST),
    }
    emails = list(wanted) + list(staff)
    existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
    new_users = []
    for email, m in wanted.items():
        if email not in existing:
            new_users.append(
                User(
                    email=email,
                    name=f"Sagsbehandler {m.name}",
                    role=Role.OFFICER,
                    password=unusable,
                )
            )
    for email, (name, role) in staff.items():
        if email not in existing:
            new_users.append(User(email=email, name=name, role=role, password=unusable))
    User.objects.bulk_create(new_users, batch_size=BATCH)
    stats.users_created += len(new_users)
    users = {u.email: u for u in User.objects.filter(email__in=emails)}
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=users[u.email], email=u.email, verified=True, primary=True)
            for u in new_users
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    memberships = []
    ordered = list(municipalities)
    for i, m in enumerate(ordered):
        officer = users[f"officer-{m.code}@{EMAIL_DOMAIN}"]
        memberships.append(Membership(user=officer, municipality=m))
        if i % 10 == 0 and i + 1 < len(ordered):
            memberships.append(Membership(user=officer, municipality=ordered[i + 1]))
    Membership.objects.bulk_create(memberships, batch_size=BATCH, ignore_conflicts=True)
    for email in staff:
        user = users[email]
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
    officers = {m.pk: users[f"officer-{m.code}@{EMAIL_DOMAIN}"] for m in municipalities}
    return officers, users[f"koordinator@{EMAIL_DOMAIN}"]


def _juniormester_answers(rng, base, state):
    """Answers for one municipality in one round; drafts may be incomplete or wrong."""
    pupils = max(20, round(base * (1 + rng.gauss(0, 0.04))))
    if rng.random() < 0.03:
        pupils = round(pupils * rng.choice([0.55, 1.5]))  # a jump: history warning
    share = rng.uniform(0.005, 0.09)
    if rng.random() < 0.02:
        share = rng.uniform(0.21, 0.3)  # share warning
    answers = {"pupils_8_9": pupils, "enrolled": round(pupils * share)}
    comment = rng.choice(COMMENTS) if rng.random() < 0.1 else ""
    if comment:
        answers["comment"] = comment
    if state == "draft":
        roll = rng.random()
        if roll < 0.15:
            answers.pop("enrolled")  # not finished yet
        elif roll < 0.22:
            answers["enrolled"] = pupils + rng.randint(1, 50)  # error: more enrolled than pupils
        elif roll < 0.27:
            answers["pupils_8_9"] = f"{pupils} elever"  # error: not a number, kept as typed
    return answers


def _entry(rng, index, round_start):
    start = round_start + dt.timedelta(days=rng.randint(0, 120))
    status = rng.choice(["planned", "running", "completed", "evaluated"])
    entry = {
        "title": f"{rng.choice(ENTRY_TITLES)} ({index + 1})",
        "theme": rng.choice(
            ["early_action", "shared_leadership", "youth_ownership", "flexible_paths"]
        ),
        "target_groups": rng.sample(
            ["grundskole", "10_klasse", "fgu", "egu", "eud"], rng.randint(1, 3)
        ),
        "partners": rng.sample(
            ["kui", "fgu", "eud", "jobcenter", "virksomheder"], rng.randint(0, 3)
        ),
        "goal": "Flere unge skal vælge en ungdomsuddannelse, der passer til dem.",
        "status": status,
        "start_date": start.isoformat(),
    }
    if status in ("completed", "evaluated"):
        entry["end_date"] = (start + dt.timedelta(days=rng.randint(30, 200))).isoformat()
        entry["learning"] = "Tæt samarbejde med virksomhederne var afgørende."
    return entry


def _entries_answers(rng, entries_max, round_start):
    if rng.random() < 0.1:
        return {"entries": [], "nothing_to_report": True}
    n = rng.randint(1, max(1, entries_max))
    return {"entries": [_entry(rng, i, round_start) for i in range(n)], "nothing_to_report": False}


def _revision_plan(state, rng):
    """The actions that led to a state, oldest first: [(action, state_after), ...]."""
    saves = [("save", "draft")] * (2 if rng.random() < 0.4 else 1)
    if state == "draft":
        return saves
    plan = saves + [("submit", "submitted")]
    if state == "accepted":
        plan.append(("accept", "accepted"))
    elif state == "returned":
        plan.append(("return", "returned"))
    return plan


def _build_round(
    *,
    rng,
    round_,
    municipalities,
    officers,
    coordinator,
    is_open,
    answers_for,
    previous_by_mun,
    stats,
    now,
):
    """Submissions, revisions, reminders and chase notes of one round. Returns the responded
    answers by municipality id (the next round compares with them)."""
    spec = round_.definition.spec
    weights = OPEN_STATES if is_open else CLOSED_STATES
    opens = round_.opens_at
    window = (round_.deadline - opens).total_seconds()
    submissions, plans, responded = [], [], {}
    non_responders = []
    for i, m in enumerate(municipalities):
        state = FORCED_OPEN[i] if is_open and i < len(FORCED_OPEN) else _pick(rng, weights)
        if state is None:
            non_responders.append(m)
            continue
        answers = answers_for(m, state)
        previous = previous_by_mun.get(m.pk)
        result = validate(spec, answers, previous)
        explanations = {}
        if state != "draft" or rng.random() < 0.5:
            for w in result.warnings:
                pool = EXPLANATIONS.get(w["key"], ["Tallet er kontrolleret og korrekt."])
                explanations[w["explain"]] = rng.choice(pool)
        if state != "draft" and (result.errors or result.unexplained(explanations)):
            # A submitted answer has passed validation; this one cannot have been submitted.
            state = "draft"
        plan = _revision_plan(state, rng)
        officer = officers[m.pk]
        created = opens + dt.timedelta(seconds=rng.uniform(0, window * 0.8))
        late = state != "draft" and rng.random() < 0.1
        submitted = (
            round_.deadline + dt.timedelta(hours=rng.uniform(1, 24 * 10))
            if late
            else created + dt.timedelta(seconds=rng.uniform(60, max(120, window * 0.2)))
        )
        submitted = min(submitted, now - dt.timedelta(minutes=5))
        s = Submission(
            round=round_,
            municipality=m,
            state=state,
            version=len(plan),
            answers=result.answers,
            explanations=explanations,
            created_at=created,
            last_activity_at=submitted if state != "draft" else created,
            updated_by=officer,
        )
        store_result(s, result)
        if state != "draft":
            s.submitted_at = submitted
            s.submitted_by = officer
            s.late = submitted > round_.deadline
        if state == "accepted":
            s.accepted_at = submitted + dt.timedelta(days=rng.uniform(0.5, 5))
            s.accepted_by = coordinator
        if state == "returned":
            s.returned_at = submitted + dt.timedelta(days=rng.uniform(0.5, 5))
            s.returned_reason = rng.choice(RETURN_REASONS)
        submissions.append(s)
        plans.append(plan)
        stats.by_state[state] = stats.by_state.get(state, 0) + 1
        stats.warnings_explained += len(explanations)
        if state in ("submitted", "accepted"):
            responded[m.pk] = result.answers
    Submission.objects.bulk_create(submissions, batch_size=BATCH)
    stats.submissions += len(submissions)

    revisions = []
    for s, plan in zip(submissions, plans, strict=True):
        at = s.created_at
        for number, (action, state_after) in enumerate(plan, start=1):
            partial = action == "save" and number == 1 and len(plan) > 1 and plan[1][0] == "save"
            answers = (
                {k: v for k, v in s.answers.items() if k != "enrolled"} if partial else (s.answers)
            )
            if action == "submit":
                at = s.submitted_at
            elif action == "accept":
                at = s.accepted_at
            elif action == "return":
                at = s.returned_at
            author = coordinator if action in ("accept", "return") else s.updated_by
            revisions.append(
                Revision(
                    submission=s,
                    number=number,
                    action=action,
                    state=state_after,
                    author=author,
                    created_at=at,
                    answers=answers,
                    explanations=s.explanations if action != "save" or not partial else {},
                    changed_keys=sorted(answers) if number == 1 else [],
                    note=s.returned_reason if action == "return" else "",
                )
            )
            at = at + dt.timedelta(minutes=rng.uniform(2, 60))
        if len(revisions) >= BATCH:
            Revision.objects.bulk_create(revisions, batch_size=BATCH)
            stats.revisions += len(revisions)
            revisions = []
    Revision.objects.bulk_create(revisions, batch_size=BATCH)
    stats.revisions += len(revisions)

    # Reminders: the scheduled ones already due went to everyone who had not responded
    # (drafts and returned included); in closed rounds also the one after the deadline.
    chasers = non_responders + [
        s.municipality for s in submissions if s.state in ("draft", "returned")
    ]
    steps = [o for o in round_.reminder_offsets if round_.deadline + dt.timedelta(days=o) <= now]
    reminders = []
    for m in chasers:
        email = officers[m.pk].email
        for offset in steps:
            sent = round_.deadline + dt.timedelta(days=offset)
            failed = rng.random() < 0.01
            reminders.append(
                Reminder(
                    round=round_,
                    municipality=m,
                    claim_key=f"schedule:{offset}",
                    kind="scheduled",
                    recipients=[email],
                    subject=f"Påmindelse: {round_.title}",
                    body="Husk at indberette inden fristen.",
                    outcome=Reminder.Outcome.FAILED if failed else Reminder.Outcome.SENT,
                    error="SMTP 451 midlertidig fejl" if failed else "",
                    created_at=sent,
                    sent_at=None if failed else sent,
                )
            )
    Reminder.objects.bulk_create(reminders, batch_size=BATCH)
    stats.reminders += len(reminders)

    notes = [
        ChaseNote(
            round=round_,
            municipality=m,
            noted_on=timezone.localdate(now) - dt.timedelta(days=rng.randint(0, 5)),
            text=rng.choice(CHASE_TEXTS),
            author=coordinator,
        )
        for m in non_responders
        if is_open and rng.random() < 0.33
    ]
    ChaseNote.objects.bulk_create(notes, batch_size=BATCH)
    stats.chase_notes += len(notes)
    return responded


def existing_rounds(n):
    return Round.objects.filter(slug__startswith=f"{SLUG_PREFIX}-", slug__contains=f"-n{n}-")


def delete_rounds(rounds):
    """Remove synthetic rounds and everything hanging off them (refuses non-synthetic ones)."""
    rounds = rounds.filter(is_demo=True, slug__startswith=f"{SLUG_PREFIX}-")
    ids = list(rounds.values_list("pk", flat=True))
    Revision.objects.filter(submission__round_id__in=ids).delete()
    Reminder.objects.filter(round_id__in=ids).delete()
    ChaseNote.objects.filter(round_id__in=ids).delete()
    Submission.objects.filter(round_id__in=ids).delete()
    rounds.model.objects.filter(previous_id__in=ids).update(previous=None)
    rounds.model.recipients.through.objects.filter(round_id__in=ids).delete()
    return rounds.model.objects.filter(pk__in=ids).delete()[0]


def generate(n, rounds, *, entries=0, seed=1, replace=False, log=None):
    """Build the dataset; returns Stats. Raises ValueError if it exists and not `replace`."""
    log = log or (lambda msg: None)
    if n < 1 or rounds < 1:
        raise ValueError("--municipalities and --rounds must be at least 1")
    rng = random.Random(seed)
    stats = Stats()
    now = timezone.now()
    with transaction.atomic():
        old = existing_rounds(n)
        if old.exists():
            if not replace:
                raise ValueError(
                    f"synthetic rounds for {n} municipalities exist already (use --replace)"
                )
            log(f"Sletter {delete_rounds(old)} rækker fra tidligere syntetiske runder …")
        definitions = {
            key: import_definition(read_definition_file(SHIPPED_DIR / f"{key}.json"))[0]
            for key in ("juniormesterlaere", "proevehandlinger")
        }
        municipalities = ensure_municipalities(n, stats)
        officers, coordinator = ensure_users(municipalities, stats)
        log(f"{len(municipalities)} kommuner, {len(officers)} sagsbehandlere klar.")
        bases = {m.pk: rng.randint(150, 4000) for m in municipalities}

        def jml_answers(m, state):
            return _juniormester_answers(rng, bases[m.pk], state)

        def make_round(definition, index, kind, deadline, previous, is_open, label):
            round_ = Round.objects.create(
                survey=definition.survey,
                definition=definition,
                title=f"{TITLE_PREFIX} {label} — {n} kommuner, runde {index}",
                slug=round_slug(n, index, kind),
                opens_at=deadline - dt.timedelta(days=30),
                opened_at=deadline - dt.timedelta(days=30),
                deadline=deadline,
                closes_at=None if is_open else deadline + dt.timedelta(days=30),
                closed_at=None if is_open else deadline + dt.timedelta(days=30),
                state=RoundState.OPEN if is_open else RoundState.CLOSED,
                previous=previous,
                is_demo=True,
                created_by=coordinator,
            )
            through = Round.recipients.through
            through.objects.bulk_create(
                [through(round_id=round_.pk, municipality_id=m.pk) for m in municipalities],
                batch_size=BATCH,
            )
            stats.rounds += 1
            return round_

        newest_deadline = now + dt.timedelta(days=3)  # the -7 reminder has gone out
        previous_round, previous_answers = None, {}
        for index in range(1, rounds + 1):
            deadline = newest_deadline - dt.timedelta(days=ROUND_SPACING_DAYS * (rounds - index))
            is_open = index == rounds
            round_ = make_round(
                definitions["juniormesterlaere"],
                index,
                "jml",
                deadline,
                previous_round,
                is_open,
                "Juniormesterlære",
            )
            previous_answers = _build_round(
                rng=rng,
                round_=round_,
                municipalities=municipalities,
                officers=officers,
                coordinator=coordinator,
                is_open=is_open,
                answers_for=jml_answers,
                previous_by_mun=previous_answers,
                stats=stats,
                now=now,
            )
            previous_round = round_
            if index % 10 == 0 or index == rounds:
                log(f"  runde {index}/{rounds}: {stats.submissions} besvarelser i alt")

        if entries:
            round_ = make_round(
                definitions["proevehandlinger"],
                1,
                "proeve",
                newest_deadline,
                None,
                True,
                "Prøvehandlinger",
            )

            def entry_answers(m, state):
                answers = _entries_answers(rng, entries, round_.opens_at.date())
                if answers["entries"]:
                    stats.entries += len(answers["entries"])
                return answers

            _build_round(
                rng=rng,
                round_=round_,
                municipalities=municipalities,
                officers=officers,
                coordinator=coordinator,
                is_open=True,
                answers_for=entry_answers,
                previous_by_mun={},
                stats=stats,
                now=now,
            )
        record(
            "scale_data.generated",
            object_type="dataset",
            object_ref=f"{SLUG_PREFIX}-n{n}",
            detail={"municipalities": n, "rounds": rounds, "entries": entries, "seed": seed},
        )
    return stats
