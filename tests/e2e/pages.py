"""Every page of every role, for the axe sweep (tests/e2e/test_every_page.py).

The list is derived from the permission matrix (tests/test_permission_matrix.py): every URL
that answers some role with 200 there is visited as each such role, in Danish and English,
and axe must find nothing. So a new page with a rule in the matrix is swept without anyone
remembering to add it. When that is not enough:

- STATES: a URL that shows its page only in another state than the matrix's world (a draft
  round, a closed round, a pending invitation), or only to some of the roles the matrix
  allows (others are redirected), or that must wait for JavaScript (the API docs).
  A page reached by steps rather than a GET (mid-login) names a flow, which
  tests/e2e/test_every_page.py walks (FLOWS).
- EXCLUDED: a URL that is not an HTML page of ours (files, JSON, POST-only actions, Django's
  admin) or that nobody here can reach, each with the reason.
- EXTRA_PAGES: pages that are no URL pattern (the error pages, a refused form).

tests/test_every_page_is_swept.py fails when a URL is in neither the sweep nor EXCLUDED.

Adding a page (a survey builder, an import …): give it a rule in the permission matrix; if
the matrix's world does not show it (it needs an object the world lacks), create the object
in `sweep_world` (tests/e2e/test_every_page.py) and add an entry in STATES with the kwargs
that reach it.
"""

from dataclasses import dataclass, field

from django.urls import get_resolver

from tests.test_permission_matrix import ROLES, concrete_url, rule_for, url_patterns

# The outsider (an officer of another municipality) sees the officer's pages with other data.
SWEEP_ROLES = tuple(r for r in ROLES if r != "outsider")

DRAFT_SLUG = "udkast-2027"
CLOSED_SLUG = "september-2025"
INVITATION_TOKEN = "sweep-invitation"
BUILDER = "/undersoegelser/juniormesterlaere/kladde"  # the draft sweep_world opens
IMPACT_RUN = 4242


@dataclass(frozen=True)
class State:
    roles: tuple = ()  # who sees the page (default: the roles the matrix answers with 200)
    kwargs: dict = field(default_factory=dict)  # replaces the matrix's KWARGS for this URL
    wait_for: str = ""  # a CSS selector to wait for (pages built by JavaScript)
    status: int = 200
    flow: str = ""  # reached by steps in the browser, not a GET (FLOWS in test_every_page.py)


STATES = {
    # The matrix's round is open; a draft round is what can be edited, deleted and opened.
    "surveys:round_edit": State(("coordinator",), {"slug": DRAFT_SLUG}),
    "surveys:round_delete": State(("coordinator",), {"slug": DRAFT_SLUG}),
    "surveys:round_open": State(("coordinator",), {"slug": DRAFT_SLUG}),
    # Reopening asks for confirmation on a closed round.
    "tracking:reopen": State(("coordinator",), {"slug": CLOSED_SLUG}),
    # A pending invitation shows the form to set a password; an unknown one a 410 page.
    "accounts:accept_invitation": State(("anonymous",), {"token": INVITATION_TOKEN}),
    "api-docs": State(("anonymous", "coordinator"), wait_for=".swagger-ui .opblock"),
    # Signed-in people are sent on from the pages for logging in and resetting a password.
    "account_login": State(("anonymous",)),
    "account_request_login_code": State(("anonymous",)),
    "account_reset_password": State(("anonymous",)),
    "account_reset_password_done": State(("anonymous",)),
    "account_reset_password_from_key_done": State(("anonymous",)),
    # The page that says an e-mail was sent (allauth); nobody in the cast is redirected.
    "account_email_verification_sent": State(("anonymous", "officer")),
    # Officers have no two-factor to log in with; the pages for it belong to those who have.
    "mfa_reauthenticate": State(("coordinator",)),
    "mfa_activate_totp": State(("officer",)),  # set-up; the others have it already
    "mfa_generate_recovery_codes": State(("coordinator",)),
    "mfa_view_recovery_codes": State(("coordinator",)),
    # The survey builder's pages need a draft of the survey (sweep_world opens one).
    **dict.fromkeys(
        [
            "builder:draft",
            "builder:settings",
            "builder:publish",
            "builder:discard",
            "builder:item_add",
            "builder:item",
            "builder:item_remove",
            "preview:draft",
            "impact:draft",
        ],
        State(("coordinator",)),
    ),
    # A rule-impact run of the draft against the matrix's round (sweep_world makes it).
    "impact:run": State(("coordinator",), {"run": IMPACT_RUN}),
    # A GET asks "log out?" (a link to it from elsewhere); only a POST logs out.
    "account_logout": State(("officer",)),
    # Pages met in the middle of a login or a password reset: the sweep walks there.
    "account_confirm_login_code": State(("anonymous",), flow="login_code"),
    "mfa_authenticate": State(("anonymous",), flow="password_then_two_factor"),
    "account_reset_password_from_key": State(("anonymous",), flow="reset_password_key"),
}

EXCLUDED = {
    # Not HTML: files and data.
    "accounts:audit_log_csv": "a CSV file",
    "submissions:receipt_pdf": "a PDF file",
    "exports:file": "a file download",
    "mfa_download_recovery_codes": "a text file",
    "tracking:nonresponders": "a CSV file",
    "imports:template": "a CSV or XLSX template to fill in",
    "xlsform:download": "an XLSForm file (.xlsx)",
    "api-schema": "the OpenAPI schema (YAML); its page is api-docs",
    # POST-only actions: their result pages are other URLs (which are swept).
    "set_language": "POST only (the language switch)",
    "session_extend": "POST only (JavaScript's keep-alive)",
    "accounts:deactivate": "POST only",
    "accounts:resend_invitation": "POST only",
    "accounts:withdraw_invitation": "POST only",
    "surveys:round_reopen": "POST only",
    "submissions:reopen": "POST only",
    "submissions:relevance": "POST only, JSON for the form's script (show-when)",
    "submissions:entry_remove": "POST only (a confirmation inside the entries page)",
    "tracking:add_note": "POST only",
    "tracking:add_contact": "POST only",
    "exports:download": "POST only (builds an export)",
    "exports:again": "POST only",
    "registers:apply": "POST only",
    "builder:draft_open": "POST only",
    "builder:item_move": "POST only",
    "builder:item_check": "POST only, the builder's check of one item (a fragment)",
    "builder:item_add_check": "POST only, the builder's check of one item (a fragment)",
    "preview:relevance": "POST only, JSON for the preview's script (show-when)",
    # Pages nobody here reaches.
    "account_set_password": "redirects to changing the password: everyone here has one",
    "mfa_deactivate_totp": "coordinators and analysts must keep two-factor: nobody sees it",
    "account_confirm_email": "needs a signed key from an e-mail address change, which is off",
    "account_signup": "sign-up is closed (allauth answers with the error pages, swept)",
}


def _is_excluded(name):
    if name.startswith("admin:"):
        return "Django's own admin (staff only, not DKFDS)"
    if name.startswith("api-") and name != "api-docs":
        return "the API answers JSON, not pages (its documentation is api-docs)"
    return EXCLUDED.get(name)


@dataclass(frozen=True)
class Visit:
    name: str
    role: str
    url: str
    status: int = 200
    wait_for: str = ""
    flow: str = ""


# Pages that are no URL pattern: the error pages (tests/test_error_pages.py's URL conf adds
# views that fail on purpose), a refused form (CSRF) and an invitation that is no more.
EXTRA_PAGES = [
    Visit("error 404", "anonymous", "/findes-ikke/", 404),
    Visit("error 404", "officer", "/findes-ikke/", 404),
    Visit("error 403", "anonymous", "/test-forbidden/", 403),
    Visit("error 500", "anonymous", "/test-boom/", 500),
    Visit("error 400", "anonymous", "/test-bad-request/", 400),
    Visit("error 429", "officer", "/test-throttled/", 429),
    Visit("error 403 CSRF", "anonymous", "/konto/login/", 403, flow="csrf_failure"),
    Visit("invitation no longer valid", "anonymous", "/konto/invitation/no-such-token/", 410),
    # The builder's other parts (the URL patterns are swept with the questions).
    *(
        Visit(f"builder {part}", "coordinator", f"{BUILDER}/{part}/{index}/")
        for part, index in (("afledte", 0), ("regler", 0), ("historik", 0), ("indikatorer", 0))
    ),
    Visit("builder new section", "coordinator", f"{BUILDER}/afsnit/ny/"),
]


def sweep():
    """(visits, unswept): the pages to check, and the URL names neither swept nor excluded."""
    visits, unswept = [], []
    for name, pattern in url_patterns(get_resolver("backend.urls")):
        if _is_excluded(name):
            continue
        state = STATES.get(name, State())
        rule = rule_for(name) or {}
        roles = state.roles or tuple(r for r in SWEEP_ROLES if 200 in rule.get(r, ()))
        if not roles:
            unswept.append(name)
            continue
        url = concrete_url(name, pattern, state.kwargs)
        visits += [
            Visit(name, role, url, state.status, state.wait_for, state.flow) for role in roles
        ]
    return visits + EXTRA_PAGES, unswept


def excluded():
    return {
        name: _is_excluded(name)
        for name, _ in url_patterns(get_resolver("backend.urls"))
        if _is_excluded(name)
    }
