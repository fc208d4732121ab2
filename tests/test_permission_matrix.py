"""Every URL of the project × every role, in one table.

The test walks the URL resolver, so a new URL without a rule in EXPECTED fails here until
someone decides who may see it. Roles: anonymous, the officer of the municipality (Lolland),
an officer of another municipality (Odder — the outsider), the analyst and the coordinator.
Forbidden and missing look the same (404) for web pages; the API answers 401/403/404.
"""

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role
from tests.factories import force_login, make_round, make_submission, make_user

ROLES = ("anonymous", "officer", "outsider", "analyst", "coordinator")
LOGIN = 302  # web pages send anonymous visitors to the login page

# Groups of expectations: role → allowed statuses.
PUBLIC = dict.fromkeys(ROLES, {200})
ENTRANCE = {"anonymous": {200}, **dict.fromkeys(ROLES[1:], {200, 302})}
SIGNED_IN = {"anonymous": {LOGIN}, **dict.fromkeys(ROLES[1:], {200})}
ACCOUNT_PAGE = {"anonymous": {LOGIN}, **dict.fromkeys(ROLES[1:], {200, 302})}
OWN_FORM = {
    "anonymous": {LOGIN},
    "officer": {200},
    "outsider": {404},
    "analyst": {200},
    "coordinator": {200},
}
OWN_ONLY = {
    "anonymous": {LOGIN},
    "officer": {200},
    "outsider": {404},
    "analyst": {404},
    "coordinator": {200},
}
# POST-only URLs answer a GET with 405 (revealing nothing); the POST pass below checks them.
OWN_POST_ONLY = {
    "anonymous": {LOGIN},
    "officer": {405},
    "outsider": {404, 405},
    "analyst": {404, 405},
    "coordinator": {405},
}
COORDINATOR = {
    "anonymous": {LOGIN},
    "officer": {404},
    "outsider": {404},
    "analyst": {404},
    "coordinator": {200},
}
NO_DRAFT = {**COORDINATOR, "coordinator": {302}}
COORDINATOR_POST = {"anonymous": {LOGIN}, **dict.fromkeys(ROLES[1:], {404, 405})}
READERS = {
    "anonymous": {LOGIN},
    "officer": {404},
    "outsider": {404},
    "analyst": {200},
    "coordinator": {200},
}
# Nobody in the cast is staff: anonymous is sent to log in, the rest are refused or redirected.
ADMIN = {"anonymous": {302}, **dict.fromkeys(ROLES[1:], {302, 403})}
NOT_FOUND = dict.fromkeys(ROLES, {404})
API_ALL = {"anonymous": {401}, **dict.fromkeys(ROLES[1:], {200})}
API_READERS = {
    "anonymous": {401},
    "officer": {403, 404},
    "outsider": {403, 404},
    "analyst": {200},
    "coordinator": {200},
}
API_OWN = {
    "anonymous": {401},
    "officer": {200},
    "outsider": {404},
    "analyst": {200},
    "coordinator": {200},
}
API_POST = {"anonymous": {401}, **dict.fromkeys(ROLES[1:], {405})}


# The builder's API: coordinators only; `found` is what a coordinator gets in this world
# (no draft, no impact run, no `round` given).
def api_coordinator(found):
    return {"anonymous": {401}, **dict.fromkeys(ROLES[1:4], {403}), "coordinator": {found}}


EXPECTED = {
    "home": SIGNED_IN,
    "set_language": {r: {302, 200, 405} for r in ROLES},
    "session_extend": {"anonymous": {LOGIN, 405}, **dict.fromkeys(ROLES[1:], {405})},
    "accessibility": PUBLIC,
    "account_login": ENTRANCE,
    "account_logout": {r: {200, 302} for r in ROLES},
    "account_inactive": PUBLIC,
    "account_signup": {r: {200, 302, 403, 404} for r in ROLES},  # closed: no sign-up form
    "account_reauthenticate": ACCOUNT_PAGE,
    "account_email": ACCOUNT_PAGE,
    "account_email_verification_sent": {r: {200, 302} for r in ROLES},
    "account_change_password": ACCOUNT_PAGE,
    "account_set_password": ACCOUNT_PAGE,
    "account_reset_password": ENTRANCE,
    "account_confirm_login_code": {r: {200, 302} for r in ROLES},
    "account_confirm_email": {r: {200, 302, 404} for r in ROLES},
    "account_reset_password_from_key_done": ENTRANCE,
    "account_reset_password_from_key": {r: {200, 302} for r in ROLES},
    "account_reset_password_done": ENTRANCE,
    "account_request_login_code": ENTRANCE,
    "mfa_index": ACCOUNT_PAGE,
    "mfa_authenticate": {r: {200, 302} for r in ROLES},
    "mfa_reauthenticate": ACCOUNT_PAGE,
    "mfa_activate_totp": ACCOUNT_PAGE,
    "mfa_deactivate_totp": {**ACCOUNT_PAGE, "officer": {302, 404}, "outsider": {302, 404}},
    "mfa_view_recovery_codes": {**ACCOUNT_PAGE, **dict.fromkeys(ROLES[1:], {200, 302, 404})},
    "mfa_generate_recovery_codes": ACCOUNT_PAGE,
    "mfa_download_recovery_codes": {**ACCOUNT_PAGE, **dict.fromkeys(ROLES[1:], {200, 302, 404})},
    "accounts:my_municipalities": SIGNED_IN,
    "accounts:invite": COORDINATOR,
    "accounts:officers": COORDINATOR,
    "accounts:deactivate": COORDINATOR_POST,
    "accounts:resend_invitation": COORDINATOR_POST,
    "accounts:withdraw_invitation": COORDINATOR_POST,
    "accounts:accept_invitation": dict.fromkeys(ROLES, {410}),  # unknown token
    "accounts:audit_log": COORDINATOR,
    "accounts:audit_log_csv": COORDINATOR,
    "accounts:api_tokens": SIGNED_IN,
    "surveys:round_list": COORDINATOR,
    "surveys:round_create": COORDINATOR,
    "surveys:round_create_historical": COORDINATOR,
    "surveys:round_detail": COORDINATOR,
    "surveys:round_edit": {**COORDINATOR, "coordinator": {302}},  # the world's round is open
    "surveys:round_delete": {**COORDINATOR, "coordinator": {302}},
    "surveys:round_open": {**COORDINATOR, "coordinator": {302}},
    "surveys:round_reopen": COORDINATOR_POST,
    # The survey builder. The world has no draft version: its pages send the coordinator to
    # the survey's page (302); everyone else gets 404.
    "builder:survey_list": COORDINATOR,
    "builder:survey_create": COORDINATOR,
    "builder:survey_detail": COORDINATOR,
    "builder:draft_open": COORDINATOR_POST,
    "builder:draft": NO_DRAFT,
    "builder:settings": NO_DRAFT,
    "builder:publish": NO_DRAFT,
    "builder:discard": NO_DRAFT,
    "builder:item_add": NO_DRAFT,
    "builder:item": NO_DRAFT,
    "builder:item_remove": NO_DRAFT,
    "builder:item_move": COORDINATOR_POST,
    "builder:item_check": COORDINATOR_POST,
    "builder:item_add_check": COORDINATOR_POST,
    "preview:draft": NO_DRAFT,
    "xlsform:download": COORDINATOR,  # version 1 of the shipped survey
    "xlsform:upload": COORDINATOR,  # the upload form (a draft is made by the upload)
    "impact:draft": NO_DRAFT,
    "impact:run": {**COORDINATOR, "coordinator": {404}},  # run 1 does not exist
    "preview:relevance": COORDINATOR_POST,
    "submissions:form": OWN_FORM,
    "submissions:entry_add": {**OWN_ONLY, "analyst": {403}},
    # The entries submission of the world is a draft, which analysts do not see (its entries
    # do not exist for them: submissions/visibility.py).
    "submissions:entry_edit": {**OWN_FORM, "analyst": {404}},
    "submissions:entry_remove": {**OWN_ONLY, "analyst": {404}},
    "submissions:receipt": OWN_FORM,
    "submissions:receipt_pdf": OWN_FORM,
    "submissions:reopen": OWN_POST_ONLY,
    "submissions:relevance": OWN_POST_ONLY,  # show-when, live: stores nothing
    "submissions:history": OWN_ONLY,
    "tracking:index": COORDINATOR,
    "tracking:board": COORDINATOR,
    "tracking:send_reminder": COORDINATOR,
    "tracking:reminder_settings": COORDINATOR,
    "tracking:nonresponders": COORDINATOR,
    "tracking:review_queue": COORDINATOR,
    "tracking:close": COORDINATOR,
    "tracking:reopen": {**COORDINATOR, "coordinator": {200, 302}},
    "tracking:municipality": COORDINATOR,
    "tracking:add_note": COORDINATOR_POST,
    "tracking:add_contact": COORDINATOR_POST,
    "tracking:review": COORDINATOR,
    "imports:index": COORDINATOR,
    "imports:template": COORDINATOR,
    "imports:detail": COORDINATOR,
    "imports:undo": COORDINATOR,
    "exports:index": READERS,
    "exports:download": {"anonymous": {LOGIN}, **dict.fromkeys(ROLES[1:], {404, 405})},
    "exports:file": {**READERS, "analyst": {404}, "coordinator": {404}},  # someone else's file
    "exports:again": {"anonymous": {LOGIN}, **dict.fromkeys(ROLES[1:], {404, 405})},
    "exports:analysis": READERS,
    "api-schema": PUBLIC,  # the API's documentation is public; its data is not
    "api-docs": PUBLIC,
    "api-municipalities": API_ALL,
    "api-surveys": API_ALL,
    "api-survey-definition": API_ALL,
    "api-rounds": API_ALL,
    "api-round": API_ALL,
    "api-round-open": API_POST,
    "api-round-close": API_POST,
    "api-round-status": API_READERS,
    "api-round-reminders": API_POST,
    "api-round-summary": API_READERS,
    "api-round-export": API_READERS,
    "api-imports": API_POST,
    "api-import": {
        "anonymous": {401},
        "officer": {403},
        "outsider": {403},
        "analyst": {403},
        "coordinator": {200},
    },
    "api-import-apply": API_POST,
    "api-import-undo": API_POST,
    "api-submission": API_OWN,
    "api-submission-submit": API_POST,
    "api-submission-accept": API_POST,
    "api-submission-return": API_POST,
    "api-survey-draft": api_coordinator(404),
    "api-survey-draft-publish": API_POST,
    "api-survey-draft-xlsform": API_POST,
    "api-survey-version-xlsform": API_ALL,
    "api-survey-version-check": API_POST,
    "api-survey-version-impact": api_coordinator(400),
    "api-impact-run": api_coordinator(404),
    "api-not-found": {"anonymous": {401, 404}, **dict.fromkeys(ROLES[1:], {404})},
    "registers:list": COORDINATOR,
    "registers:create": COORDINATOR,
    "registers:detail": COORDINATOR,
    "registers:upload": COORDINATOR,
    "registers:apply": COORDINATOR_POST,
    "registers:member_create": COORDINATOR,
    "registers:member": COORDINATOR,
    "registers:selection_create": COORDINATOR,
    "api-registers": API_READERS,
    "api-register-members": API_READERS,
}
# URLs whose `key` is a register's, not a survey's.
REGISTER_URLS = {
    "registers:detail",
    "registers:upload",
    "registers:apply",
    "registers:member_create",
    "registers:member",
    "registers:selection_create",
    "api-register-members",
}


def url_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from url_patterns(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}{p.name}" if p.name else f"{namespace}<{prefix}{p.pattern}>"), p


def rule_for(name):
    if name.startswith("admin:"):
        return ADMIN
    return EXPECTED.get(name)


def test_every_url_has_a_rule():
    missing = [name for name, _ in url_patterns() if rule_for(name) is None]
    assert missing == [], f"URLs without a permission rule in EXPECTED: {missing}"


@pytest.fixture
def world(db):
    cast = {
        "anonymous": None,
        "officer": make_user(Role.OFFICER, ["360"], email="officer@lolland.dk"),
        "outsider": make_user(Role.OFFICER, ["727"], email="officer@odder.dk"),
        "analyst": make_user(Role.ANALYST, email="analyst@indberet.dk"),
        "coordinator": make_user(Role.COORDINATOR, email="coordinator@indberet.dk"),
    }
    flat = make_round(codes=["360", "727"], slug="februar-2026")
    make_submission(flat, "360", {"pupils_8_9": 900, "enrolled": 60})
    entries = make_round("proevehandlinger", codes=["360", "727"], slug="proeve-2026")
    entry = {
        "title": "Fravær",
        "theme": "early_action",
        "goal": "Mindre fravær",
        "status": "planned",
    }
    make_submission(entries, "360", {"entries": [entry]}, state="draft")
    KWARGS["user_id"] = cast["officer"].pk
    from imports.services import upload

    KWARGS["import_id"] = upload(
        flat,
        actor=cast["coordinator"],
        file_name="svar.csv",
        content=b"municipality_code;pupils_8_9;enrolled\n727;800;20\n",
    ).pk
    from accounts.models import Invitation

    invited = make_user(Role.OFFICER, ["360"], email="invited@lolland.dk")
    KWARGS["invitation_id"] = Invitation.objects.create(
        email=invited.email,
        municipality=invited.memberships.get().municipality,
        user=invited,
        token="pending-invitation",
    ).pk
    return cast


KWARGS = {
    "slug": "februar-2026",
    "code": "360",
    "key": "juniormesterlaere",
    "token": "no-such-invitation",
    "uid": uuid.UUID(int=1),
    "fmt": "csv",
    "number": 1,
    "version": 1,
    "run": 1,
    "part": "spoergsmaal",
    "index": 0,
    "user_id": 1,
    "invitation_id": 1,
    "import_id": 1,
    "uidb36": "1",
    "object_id": "1",
    "content_type_id": "1",
    "id": "1",
    "app_label": "reference",
    "url": "x",
}
ENTRY_URLS = {"submissions:entry_add", "submissions:entry_edit", "submissions:entry_remove"}


def concrete_url(name, pattern, overrides=None):
    """The URL of a pattern with the world's objects (`overrides`: other values for some
    of its arguments, e.g. another round's slug; tests/e2e/pages.py uses them)."""
    from django.urls import reverse

    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        kwargs[key] = KWARGS[key]
    if name in ENTRY_URLS:
        kwargs["slug"] = "proeve-2026"
    if name in REGISTER_URLS:
        kwargs["key"] = "kommuner"
    for key, value in (overrides or {}).items():
        if key in kwargs:
            kwargs[key] = value
    if name.startswith("admin:<"):
        return "/admin/reference/organisation/1/"
    if name == "api-not-found":
        return "/api/v1/nope/"
    return reverse(name, kwargs=kwargs or None)


def client_for(user):
    client = Client()
    if user is not None:
        force_login(client, user)
    return client


def test_every_url_answers_each_role_as_the_rules_say(world):
    failures = []
    clients = {role: client_for(user) for role, user in world.items()}
    for name, pattern in url_patterns():
        rule = rule_for(name)
        if rule is None or name in ("account_logout",):
            continue
        url = concrete_url(name, pattern)
        if url is None:
            continue
        for role in ROLES:
            status = clients[role].get(url).status_code
            if status not in rule[role]:
                failures.append(f"{role:11} GET {url} → {status}, expected {sorted(rule[role])}")
    print("\n".join(failures))
    assert not failures, f"{len(failures)} failures"


# Writes: who may POST. Everyone else is refused and nothing is recorded as having happened.
WRITE_ALLOWED = {
    "surveys:round_open": {"coordinator"},
    "surveys:round_edit": {"coordinator"},
    "surveys:round_delete": {"coordinator"},
    "surveys:round_reopen": {"coordinator"},
    "surveys:round_create": {"coordinator"},
    "surveys:round_create_historical": {"coordinator"},
    "imports:index": {"coordinator"},
    "imports:detail": {"coordinator"},
    "imports:undo": {"coordinator"},
    "accounts:invite": {"coordinator"},
    "accounts:deactivate": {"coordinator"},
    "accounts:resend_invitation": {"coordinator"},
    "accounts:withdraw_invitation": {"coordinator"},
    "builder:survey_create": {"coordinator"},
    "builder:draft_open": {"coordinator"},
    "builder:settings": {"coordinator"},
    "builder:publish": {"coordinator"},
    "builder:discard": {"coordinator"},
    "builder:item_add": {"coordinator"},
    "builder:item": {"coordinator"},
    "builder:item_move": {"coordinator"},
    "builder:item_check": {"coordinator"},
    "builder:item_remove": {"coordinator"},
    "preview:draft": {"coordinator"},
    "xlsform:upload": {"coordinator"},
    "impact:draft": {"coordinator"},
    "preview:relevance": {"coordinator"},
    "submissions:form": {"officer", "coordinator"},
    "submissions:entry_add": {"officer", "coordinator"},
    "submissions:entry_edit": {"officer", "coordinator"},
    "submissions:entry_remove": {"officer", "coordinator"},
    "submissions:reopen": {"officer", "coordinator"},
    "submissions:relevance": {"officer", "coordinator"},
    "tracking:send_reminder": {"coordinator"},
    "tracking:reminder_settings": {"coordinator"},
    "tracking:close": {"coordinator"},
    "tracking:reopen": {"coordinator"},
    "tracking:add_note": {"coordinator"},
    "tracking:add_contact": {"coordinator"},
    "tracking:review": {"coordinator"},
    "tracking:review_queue": {"coordinator"},
    "exports:download": {"analyst", "coordinator"},
    "exports:again": set(),  # someone else's export (uid 1): refused to everyone, even readers
    "api-rounds": {"coordinator"},
    "api-surveys": {"coordinator"},
    "api-round-open": {"coordinator"},
    "api-round-close": {"coordinator"},
    "api-round-reminders": {"coordinator"},
    "api-imports": {"coordinator"},
    "api-import-apply": {"coordinator"},
    "api-import-undo": {"coordinator"},
    "api-submission-submit": {"officer", "coordinator"},
    "api-submission-accept": {"coordinator"},
    "api-submission-return": {"coordinator"},
    "api-survey-draft": {"coordinator"},
    "api-survey-draft-publish": {"coordinator"},
    "api-survey-draft-xlsform": {"coordinator"},
    "api-survey-version-check": {"coordinator"},
    "registers:create": {"coordinator"},
    "registers:upload": {"coordinator"},
    "registers:apply": {"coordinator"},
    "registers:member_create": {"coordinator"},
    "registers:member": {"coordinator"},
    "registers:selection_create": {"coordinator"},
}
REFUSED = {302, 401, 403, 404, 405}


def test_every_write_is_refused_to_everyone_else_and_leaves_no_trace(world):
    from accounts.models import AuditEvent
    from reference.models import Organisation, Register, Selection
    from submissions.models import ChaseNote, Reminder, Submission

    def state():
        return (
            AuditEvent.objects.exclude(action__startswith="login").count(),
            list(Organisation.objects.order_by("pk").values_list("name", "is_active")),
            Register.objects.count(),
            Selection.objects.count(),
            list(Submission.objects.order_by("pk").values_list("state", "version")),
            ChaseNote.objects.count(),
            Reminder.objects.count(),
        )

    patterns = dict(url_patterns())
    failures = []
    for name, allowed in WRITE_ALLOWED.items():
        url = concrete_url(name, patterns[name])
        for role in ROLES:
            if role in allowed:
                continue
            client = client_for(world[role])
            before = state()
            status = client.post(url, {"reason": "x", "text": "x", "action": "accept"}).status_code
            if status not in REFUSED:
                failures.append(f"{role:11} POST {url} → {status}")
            if state() != before:
                failures.append(f"{role:11} POST {url} changed data")
    assert failures == [], "\n" + "\n".join(failures)


# --- Analysts read results, not drafts and not personal data (submissions/visibility.py) ----
DRAFT_SECRET = "Kladde-hemmelighed"
EMAIL_SECRET = "kontakt.person@odder.dk"


def test_an_analyst_reading_every_url_never_gets_an_email_answer_or_a_draft(world):
    entries = make_round("proevehandlinger", codes=["360", "727"], slug="proeve-2027")
    entry = {"title": DRAFT_SECRET, "theme": "early_action", "goal": "x", "status": "planned"}
    make_submission(entries, "360", {"entries": [entry]}, state="draft")
    submitted = {**entry, "title": "Indsendt", "contact_email": EMAIL_SECRET}
    make_submission(entries, "727", {"entries": [submitted]}, state="submitted")
    analyst = client_for(world["analyst"])
    coordinator = client_for(world["coordinator"])
    leaks, checked = [], 0
    for name, pattern in url_patterns():
        if name.startswith("admin:") or name == "account_logout":
            continue
        for code in ("360", "727"):
            saved = dict(KWARGS)
            KWARGS.update(slug="proeve-2027", code=code)
            try:
                url = concrete_url(name, pattern)
            finally:
                KWARGS.clear()
                KWARGS.update(saved)
            if url is None or ("slug" not in pattern.pattern.regex.groupindex and code == "727"):
                continue
            response = analyst.get(url)
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode("utf-8", "replace")
            checked += 1
            for secret in (DRAFT_SECRET, EMAIL_SECRET):
                if secret in body:
                    leaks.append(f"GET {url} shows {secret!r}")
    # The page and API do show both to the coordinator: the check can see a leak.
    page = coordinator.get("/api/v1/rounds/proeve-2027/submissions/727/").content.decode()
    assert EMAIL_SECRET in page
    draft = coordinator.get("/api/v1/rounds/proeve-2027/submissions/360/").content.decode()
    assert DRAFT_SECRET in draft
    assert checked > 20
    assert leaks == [], "\n" + "\n".join(leaks)
