"""The survey builder's pages for coordinators, under /undersoegelser/: the surveys with their
versions and rounds, creating a survey, and editing a draft version part by part. Every
action is a form post (no JavaScript needed); every write is one call to surveys.builder.
The preview lives in submissions (it uses the officer's form renderer)."""

import functools

from django import forms
from django.contrib import messages
from django.core.exceptions import TooManyFieldsSent
from django.db.models import Prefetch
from django.http import Http404, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh, reswap, retarget

from accounts.audit import client_ip
from accounts.permissions import coordinator_required, is_coordinator
from lib.query import whole_number
from surveys import builder
from surveys.builder_forms import FORMS, TYPE_LABELS, GeneralForm
from surveys.definitions import MAX_CHOICES, text
from surveys.models import Definition, Round, Survey

# URL names of the parts (Danish, as the rest of the site's addresses).
PART_SLUGS = {
    "afsnit": "sections",
    "spoergsmaal": "questions",
    "afledte": "derived",
    "regler": "rules",
    "historik": "history_checks",
    "indikatorer": "indicators",
}
SLUG_OF = {v: k for k, v in PART_SLUGS.items()}
PART_TITLES = {
    "sections": gettext_lazy("Afsnit"),
    "questions": gettext_lazy("Spørgsmål"),
    "derived": gettext_lazy("Afledte værdier"),
    "rules": gettext_lazy("Regler"),
    "history_checks": gettext_lazy("Historikkontroller"),
    "indicators": gettext_lazy("Indikatorer"),
}
PART_ONE = {
    "sections": gettext_lazy("afsnit"),
    "questions": gettext_lazy("spørgsmål"),
    "derived": gettext_lazy("afledt værdi"),
    "rules": gettext_lazy("regel"),
    "history_checks": gettext_lazy("historikkontrol"),
    "indicators": gettext_lazy("indikator"),
}


def _lang():
    return (get_language() or "da")[:2]


def _survey(key):
    survey = Survey.objects.filter(key=key).first()
    if survey is None:
        raise Http404
    return survey


def survey_and_draft(request, key):
    """The survey and its draft (None when it has none) for a coordinator. The coordinator
    check comes first, so a survey that does not exist and one that is not yours to see give
    the same answer (404)."""
    if not is_coordinator(request.user):
        raise Http404
    survey = _survey(key)
    return survey, builder.draft_for(survey)


def draft_view(view=None, *, without_draft="redirect"):
    """A page of the draft: `view(request, survey, draft, ...)`. Without a draft (published or
    discarded meanwhile) the page goes back to the survey page with a message
    (`without_draft="redirect"`; an htmx request is told to go there), or answers 404
    (`"404"`: the live check, which must not take the page away while someone types)."""
    if view is None:
        return functools.partial(draft_view, without_draft=without_draft)

    @coordinator_required
    @functools.wraps(view)
    def wrapper(request, key, *args, **kwargs):
        survey, draft_ = survey_and_draft(request, key)
        if draft_ is None:
            if without_draft == "404":
                raise Http404
            messages.info(request, str(builder.MSG_NO_DRAFT))
            url = reverse("builder:survey_detail", args=[survey.key])
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        return view(request, survey, draft_, *args, **kwargs)

    return wrapper


# The fields at the start of an item's form (csrf token, revision, item key): what is read of a
# post that has more fields than Django takes (settings.DATA_UPLOAD_MAX_NUMBER_FIELDS).
FIRST_FIELDS = 10
MSG_TOO_MANY_CHOICES = gettext_lazy(
    "Der blev sendt %(rows)s rækker med valgmuligheder, men et spørgsmål kan have højst "
    "%(max)s – på denne side og i en XLSForm eller JSON-definition. Intet er gemt; her er "
    "spørgsmålet, som det er gemt. Del en længere liste op i flere spørgsmål, eller brug et "
    "tekstspørgsmål."
)


def tolerate_too_many_fields(view):
    """A post of an item's page with more fields than Django parses (a choice list of 10,000
    rows; DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000) would be a bare 400 before the view runs.
    Instead only the form's first fields are read (the csrf token, the revision: the CSRF
    check runs on them as always), `request.too_many_fields` says how many choice rows came,
    and the view answers its page with a message at the choice list; nothing is saved. The
    limit itself stays: a choice row is 3 fields (value, Danish and English text) and the rest
    of the form about 18, so the cap is about 330 rows, and MAX_CHOICES choices (with the
    EXTRA_CHOICE_ROWS empty ones) take about 330 fields."""

    protected = csrf_protect(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        request.too_many_fields = None
        if request.method == "POST":
            # The body first (at most DATA_UPLOAD_MAX_MEMORY_SIZE), so it can be read again.
            body = request.body
            try:
                request.POST  # noqa: B018 (parsing it is the point)
            except TooManyFieldsSent:
                if request.content_type != "application/x-www-form-urlencoded":
                    raise  # not the page's own form (it posts urlencoded): Django's 400
                request._post = QueryDict(b"&".join(body.split(b"&", FIRST_FIELDS)[:FIRST_FIELDS]))
                request._files = MultiValueDict()
                request.too_many_fields = body.count(b"-label_da=")
        return protected(request, *args, **kwargs)

    # The CSRF middleware would read the whole post first; csrf_protect checks it instead.
    return csrf_exempt(wrapper)


def _part(slug):
    part = PART_SLUGS.get(slug)
    if part is None:
        raise Http404
    return part


def _revision(request):
    """The revision the page was made from; -1 (a stale page: refused) for anything but a
    whole number, so a posted "²" is a conflict, not a crash."""
    return -1 if (n := whole_number(request.POST.get("revision", ""))) is None else n


def _draft_url(survey):
    return reverse("builder:draft", args=[survey.key])


# --- Surveys -------------------------------------------------------------------------------


@coordinator_required
def survey_list(request):
    surveys = Survey.objects.select_related("draft").prefetch_related(
        Prefetch(
            "definitions",
            queryset=Definition.objects.order_by("-version")
            .only("id", "survey_id", "version", "created_at")
            .prefetch_related(
                Prefetch(
                    "rounds",
                    queryset=Round.objects.only("id", "definition_id", "title", "slug", "state"),
                )
            ),
        )
    )
    return render(request, "surveys/builder/survey_list.html", {"surveys": surveys})


class CreateSurveyForm(forms.Form):
    title_da = forms.CharField(label=gettext_lazy("Titel (dansk)"), max_length=200)
    title_en = forms.CharField(
        label=gettext_lazy("Titel (engelsk)"), max_length=200, required=False
    )
    key = forms.CharField(
        label=gettext_lazy("Nøgle"),
        max_length=60,
        help_text=gettext_lazy(
            "Undersøgelsens navn i data og adresser: små bogstaver a–z, tal og _, fx "
            "»erhvervsskoler«. Kan ikke ændres senere."
        ),
    )


@require_http_methods(["GET", "POST"])
@coordinator_required
def survey_create(request):
    form = CreateSurveyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = builder.create_survey(
                key=form.cleaned_data["key"],
                title_da=form.cleaned_data["title_da"],
                title_en=form.cleaned_data["title_en"],
                actor=request.user,
                ip=client_ip(request),
            )
        except builder.BuilderError as exc:
            for p in exc.problems:
                form.add_error(p.path if p.path in form.fields else None, p.message)
        else:
            messages.success(
                request, _("Undersøgelsen er oprettet med en kladde. Tilføj spørgsmålene.")
            )
            return redirect(_draft_url(draft.survey))
    return render(request, "surveys/builder/survey_create.html", {"form": form})


@coordinator_required
def survey_detail(request, key):
    survey, draft_ = survey_and_draft(request, key)
    versions = survey.definitions.select_related("created_by").prefetch_related("rounds")
    return render(
        request,
        "surveys/builder/survey_detail.html",
        {"survey": survey, "versions": versions, "draft": draft_},
    )


@coordinator_required
@require_POST
def draft_open(request, key):
    survey, draft_ = survey_and_draft(request, key)
    existed = draft_ is not None
    builder.open_draft(survey=survey, actor=request.user, ip=client_ip(request))
    if existed:
        messages.info(request, str(builder.MSG_DRAFT_EXISTS))
    else:
        messages.success(request, _("Kladden er oprettet som en kopi af den nyeste version."))
    return redirect(_draft_url(survey))


# --- The draft -----------------------------------------------------------------------------


def _item_rows(content, part, problems, lang):
    rows = []
    items = content.get(part) or []
    for i, item in enumerate(items):
        label = item.get("label") or item.get("title") or item.get("message")
        row_problems = builder.problems_under(problems, f"{part}[{i}]")
        rows.append(
            {
                "index": i,
                "key": item.get("key") or "—",
                "label": text(label, lang) if isinstance(label, dict) else "",
                "detail": _item_detail(part, item),
                "problems": row_problems,
                # Only a change to confirm (not an error): said, but not marked as an error.
                "error": any(not p.confirmable for p in row_problems),
                "first": i == 0,
                "last": i == len(items) - 1,
            }
        )
    return rows


def _item_detail(part, item):
    if part == "questions":
        kind = TYPE_LABELS.get(item.get("type"), item.get("type") or "")
        parts = [str(kind)]
        if item.get("required"):
            parts.append(_("skal udfyldes"))
        if item.get("section"):
            parts.append(_("afsnit %(key)s") % {"key": item["section"]})
        if item.get("relevant_when"):
            parts.append(_("vises når %(expr)s") % {"expr": item["relevant_when"]})
        return " · ".join(parts)
    if part == "sections":
        return item.get("relevant_when") or ""
    if part in ("derived", "rules"):
        return item.get("expression") or ""
    if part == "history_checks":
        return f"{item.get('question', '')} ± {item.get('max_change_percent', '')} %"
    if part == "indicators":
        return f"{item.get('numerator', '')} / {item.get('denominator', '')}"
    return ""


def _problem_links(survey, problems):
    """The error summary: each problem links to the page (and field) that causes it."""
    rows = []
    for p in problems:
        m = builder._PATH.match(p.path)
        if m and m.group(1) in SLUG_OF:
            href = reverse("builder:item", args=[survey.key, SLUG_OF[m.group(1)], int(m.group(2))])
            label = f"{PART_ONE[m.group(1)].capitalize()} {int(m.group(2)) + 1}"
        elif not p.path:  # about the whole draft ("there may be more")
            href, label = "", ""
        elif p.path in SLUG_OF:  # the list itself (no questions yet)
            href = reverse("builder:item_add", args=[survey.key, SLUG_OF[p.path]])
            label = str(PART_TITLES[p.path])
        else:
            href = reverse("builder:settings", args=[survey.key])
            label = _("Generelt")
        rows.append({"href": href, "label": label, "message": p.message})
    return rows


def _part_context(survey, content, part, problems, lang):
    return {
        "part": part,
        "slug": SLUG_OF[part],
        "title": PART_TITLES[part],
        "one": PART_ONE[part],
        "rows": _item_rows(content, part, problems, lang),
    }


def _state_context(survey, draft_, problems):
    """What the draft page says about the whole draft (its problems, when it was saved): the
    part of the page an htmx answer replaces besides the list it changed."""
    blocking = [p for p in problems if not p.confirmable]
    # A published choice value given another meaning is not an error: the draft can be
    # published once that is confirmed on the publish page, so it is said apart.
    confirmable = [p for p in problems if p.confirmable]
    return {
        "survey": survey,
        "draft": draft_,
        "problems": problems,
        "blocking": blocking,
        "summary": _problem_links(survey, blocking),
        "problem_count": sum(1 for p in blocking if p.path),
        "confirm_summary": _problem_links(survey, confirmable),
        "confirm_count": len(confirmable),
    }


@draft_view
def draft(request, survey, draft_):
    lang = _lang()
    content = draft_.content
    problems = builder.draft_problems(content, survey=survey)
    parts = [_part_context(survey, content, part, problems, lang) for part in builder.PARTS]
    return render(
        request,
        "surveys/builder/draft.html",
        {
            **_state_context(survey, draft_, problems),
            "content": content,
            "title": text(content.get("title"), lang),
            "description": text(content.get("description"), lang),
            "entries": content.get("entries"),
            "parts": parts,
        },
    )


def _part_swap(request, survey, part, *, announce, focus=None, close_panel=True):
    """The answer to an htmx add, move or remove on the draft page: the part's list as it is
    now (it replaces the one on the page), the draft's state (problems, revision) out of band,
    and `announce` for the page's live region. `focus`: (row index, what) — the element that
    gets focus after the swap (static/js/builder.js), e.g. (3, "down") for a moved row's button;
    None: the part's heading. `close_panel`: empty the part's panel (its form was saved); a
    move leaves it, so an add form open with typed text stays as it is."""
    draft_ = builder.draft_for(survey)
    if draft_ is None:
        messages.info(request, str(builder.MSG_NO_DRAFT))
        return HttpResponseClientRedirect(reverse("builder:survey_detail", args=[survey.key]))
    problems = builder.draft_problems(draft_.content, survey=survey)
    p = _part_context(survey, draft_.content, part, problems, _lang())
    if focus is not None:
        index, what = focus
        for row in p["rows"]:
            if row["index"] == index:
                # A row's first or last has no "up" or "down" button: the other one gets focus.
                if (what == "up" and row["first"]) or (what == "down" and row["last"]):
                    what = "down" if what == "up" else "up"
                if row["first"] and row["last"]:
                    what = "edit"
                row["focus"] = what
    response = render(
        request,
        "surveys/builder/_part_swap.html",
        {
            **_state_context(survey, draft_, problems),
            "p": p,
            "focus_heading": focus is None,
            "announce": announce,
            "close_panel": close_panel,
        },
    )
    # Whichever element asked (a move button, the add form, the remove confirmation), the
    # answer replaces the part's block.
    return reswap(retarget(response, f"#part-{SLUG_OF[part]}"), "outerHTML")


@require_http_methods(["GET", "POST"])
@draft_view
def draft_settings(request, survey, draft_):
    conflict = None
    if request.method == "POST":
        form = GeneralForm(request.POST)
        if form.is_valid():
            try:
                builder.update_settings(
                    survey=survey,
                    revision=_revision(request),
                    actor=request.user,
                    ip=client_ip(request),
                    **form.settings(),
                )
            except builder.BuilderError as exc:
                conflict = _refusal(request, exc, form)
                if conflict:
                    now = exc.draft.content
                    saved = {k: now[k] for k in ("title", "description", "entries") if k in now}
                    typed = form.settings()
                    if typed["entries"]:
                        typed["entries"] = builder.clean_item(typed["entries"])
                    conflict["rows"] = _conflict_rows(saved, builder.clean_item(typed))
                    form = GeneralForm(form.data)
                    form.is_valid()
            else:
                return _saved(request, reverse("builder:settings", args=[survey.key]))
    else:
        form = GeneralForm.from_content(draft_.content, draft_.revision)
        form.is_valid()
        problems = builder.draft_problems(draft_.content, survey=survey)
        form.add_problems(
            [
                p
                for p in problems
                if p.path and not builder._PATH.match(p.path) and p.path not in builder.PARTS
            ]
        )
    return render(
        request,
        "surveys/builder/settings.html",
        {"survey": survey, "draft": draft_, "form": form, "conflict": conflict},
    )


def _saved(request, url):
    messages.success(request, _("Kladden er gemt."))
    return redirect(url)


def _refusal(request, exc, form, prefix=None):
    """A refused write on an item or settings page: the typed values stay on the page; a stale
    revision also shows what is saved now (both versions) and takes the new revision, so
    saving again is a choice made knowingly. Other refusals (a key still in use) are shown at
    their field when they have one on this page (`prefix`: the item's path)."""
    if exc.code == "stale":
        data = request.POST.copy()
        data["revision"] = str(exc.draft.revision)
        form.data = data
        return {"message": exc.problems[0].message, "draft": exc.draft}
    for p in exc.problems:
        if prefix and (p.path == prefix or p.path.startswith(prefix + ".")):
            form.add_problems([p], prefix)
        else:
            form.add_error(None, p.message)
    return None


def _form_for(part, data, content, survey):
    cls = FORMS[part]
    keys = [q.get("key") for q in content.get("questions", []) if q.get("key")]
    kwargs = {}
    if part == "rules":
        kwargs["question_keys"] = keys
    if part in ("history_checks", "indicators"):
        kwargs["number_keys"] = builder.numeric_question_keys(content)
    if part == "questions":
        sections = [s.get("key") for s in content.get("sections", []) if s.get("key")]
        return cls(data, **kwargs, published_choices={}, section_keys=sections)
    return cls(data, **kwargs)


def _conflict_rows(saved, yours):
    """What is saved now against what you typed, property by property, in words."""
    rows = []
    saved = saved or {}
    for prop in dict.fromkeys([*saved, *yours]):
        a, b = saved.get(prop), yours.get(prop)
        if (a or None) != (b or None):
            rows.append(
                {
                    "label": str(builder.PROPERTY_NAMES.get(prop, prop)),
                    "saved": _readable(a),
                    "yours": _readable(b),
                }
            )
    return rows


def _readable(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict) and set(value) <= {"da", "en"}:
        return " / ".join(v for v in (value.get("da"), value.get("en")) if v)
    if isinstance(value, list):
        return ", ".join(_readable(v) for v in value)
    if isinstance(value, dict) and "value" in value:
        return f"{value['value']} ({_readable(value.get('label'))})"
    if isinstance(value, bool):
        return _("ja") if value else _("nej")
    return str(value)


@tolerate_too_many_fields
@require_http_methods(["GET", "POST"])
@draft_view
def item(request, survey, draft_, part, index=None):
    """Add (index None) or edit one question, derived value, rule, history check or
    indicator. Saved even when it makes the draft invalid; the problems show at the fields.

    With htmx (the draft page, adding): a GET answers the form alone, put under the part's
    list; a save answers the part's list with the new item (`_part_swap`), a refused save the
    form again with its messages, in its place."""
    part = _part(part)
    inline = bool(request.htmx) and index is None
    content = draft_.content
    items = content.get(part) or []
    if index is not None and index >= len(items) and request.method != "POST":
        messages.info(request, str(builder.MSG_NO_ITEM))
        return redirect(_draft_url(survey))
    published = builder.published_choice_labels(survey) if part == "questions" else {}
    # A POST for an item that is gone meanwhile keeps what was typed; put_item refuses it.
    current = items[index] if index is not None and index < len(items) else None
    # The key the item had when the page was opened, posted back: the draft may have changed.
    item_key = request.POST.get("item_key") if request.method == "POST" else None
    if item_key is None and current is not None:
        item_key = current.get("key") or ""
    conflict = None

    def make_form(data):
        form = _form_for(part, data, content, survey)
        if part == "questions":
            question_key = (current or {}).get("key") or (data or {}).get("key")
            form.published_choices = published.get(question_key, {})
            form.choice_rows = form._choice_rows()
        return form

    too_many = request.method == "POST" and request.too_many_fields is not None
    if too_many:  # the page as saved, the message at the choice list; nothing saved
        form = make_form(FORMS[part].data_from(current, draft_.revision) if current else None)
        if current:
            form.is_valid()
        else:
            form.initial = FORMS[part].data_from(_new_item(part), draft_.revision)
        message = MSG_TOO_MANY_CHOICES % {"rows": request.too_many_fields, "max": MAX_CHOICES}
        if part == "questions":
            form.choice_problems.append(message)
        else:
            form.add_error(None, message)
    elif request.method == "POST":
        form = make_form(request.POST)
        if form.is_valid():
            move = _choice_move(request)
            if part == "questions" and _locked_choice_changed(form, current, published):
                form.choice_problems.append(
                    _(
                        "En valgmulighed, der er brugt i en udgivet version, kan ikke få en ny "
                        "værdi. Tilføj en ny valgmulighed i stedet."
                    )
                )
            else:
                new_item = form.to_item(move) if part == "questions" else form.to_item()
                try:
                    saved = builder.put_item(
                        survey=survey,
                        revision=_revision(request),
                        part=part,
                        index=index,
                        item=new_item,
                        actor=request.user,
                        ip=client_ip(request),
                        expected_key=item_key if index is not None else None,
                    )
                except builder.BuilderError as exc:
                    prefix = f"{part}[{index}]" if index is not None else None
                    conflict = _refusal(request, exc, form, prefix)
                    if conflict:
                        now = exc.draft.content.get(part) or []
                        saved_item = now[index] if index is not None and index < len(now) else None
                        conflict["rows"] = _conflict_rows(saved_item, builder.clean_item(new_item))
                        form = make_form(form.data)
                        form.is_valid()
                else:
                    new_index = index if index is not None else len(saved.content[part]) - 1
                    url = reverse("builder:item", args=[survey.key, SLUG_OF[part], new_index])
                    more_choices = move is not None or request.POST.get("action") == "stay"
                    if inline and more_choices:  # the choices are edited on the item's page
                        return HttpResponseClientRedirect(url + "#valgmuligheder")
                    if inline:
                        what = f"{PART_ONE[part]} {new_item.get('key') or ''}".strip()
                        return _part_swap(
                            request,
                            survey,
                            part,
                            announce=_("%(what)s er tilføjet.") % {"what": what.capitalize()},
                            focus=(new_index, "edit"),
                        )
                    if move is not None:  # the page comes back at the choices
                        return redirect(url + "#valgmuligheder")
                    return _saved(request, url)
    elif index is None:  # a new item: an empty form, no "required" messages before typing
        form = make_form(None)
        form.initial = FORMS[part].data_from(_new_item(part), draft_.revision)
    else:
        form = make_form(FORMS[part].data_from(current, draft_.revision))
        form.is_valid()
        if index is not None:
            problems = builder.draft_problems(content, survey=survey)
            form.add_problems(
                builder.problems_under(problems, f"{part}[{index}]"), f"{part}[{index}]"
            )
    check_args = [survey.key, SLUG_OF[part]] + ([index] if index is not None else [])
    response = render(
        request,
        "surveys/builder/_item_panel.html" if inline else "surveys/builder/item.html",
        {
            "check_url": reverse(
                "builder:item_check" if index is not None else "builder:item_add_check",
                args=check_args,
            ),
            "survey": survey,
            "draft": draft_,
            "form": form,
            "part": part,
            "part_slug": SLUG_OF[part],
            "part_title": PART_TITLES[part],
            "one": PART_ONE[part],
            "index": index,
            "number": (index + 1) if index is not None else None,
            "conflict": conflict,
            "names": _names(content),
            "item_key": item_key,
            "inline": inline,
            "choice_hx": not inline and index is not None,
        },
    )
    if inline and request.method == "POST":  # refused: the form again, in its place
        return reswap(retarget(response, f"#panel-{SLUG_OF[part]}"), "innerHTML")
    if request.htmx and request.method == "POST":
        # A choice button's save refused (a stale page, a locked value): the whole content,
        # with the conflict or the message, replaces the page's, not just the choices.
        response = reswap(retarget(response, "#main-content"), "outerHTML")
        response["HX-Reselect"] = "#main-content"
    if too_many and not request.htmx:  # htmx swaps only a 2xx answer
        response.status_code = 400
    return response


@coordinator_required  # first: an outsider's GET is 404 (or the login), not 405
@require_POST
@draft_view(without_draft="404")
def item_check(request, survey, draft_, part, index=None):
    """Live checking (static/js/builder.js, on leaving a changed field): the item as typed, put
    into a copy of the draft, checked as a save would check it. Nothing is stored. An htmx
    request gets each field's message slot (empty when the field is fine) to swap out of band;
    another gets the messages per form field as JSON."""
    part = _part(part)
    content = draft_.content
    items = content.get(part) or []
    if index is not None and index >= len(items):
        raise Http404
    form = _form_for(part, request.POST, content, survey)
    if form.is_valid():
        trial = builder.with_item(content, part=part, index=index, item=form.to_item())
        position = index if index is not None else len(trial[part]) - 1
        prefix = f"{part}[{position}]"
        form.add_problems(
            builder.problems_under(builder.draft_problems(trial, survey=survey), prefix), prefix
        )
    if request.htmx:
        return render(request, "surveys/builder/_check.html", {"form": form})
    errors = {name: [str(m) for m in messages_] for name, messages_ in form.errors.items()}
    errors.pop("revision", None)
    return JsonResponse(
        {
            "errors": {name: m for name, m in errors.items() if name != "__all__"},
            "general": errors.get("__all__", [])
            + list(form.choice_problems)
            + list(form.choice_changes),
        }
    )


def _new_item(part):
    return {
        "sections": {},
        "questions": {"type": "integer"},
        "derived": {"type": "decimal"},
        "rules": {"severity": "error"},
        "history_checks": {"severity": "warning"},
        "indicators": {},
    }[part]


def _names(content):
    """The names an expression may use, shown beside the expression fields."""
    return [q.get("key") for q in content.get("questions", []) if q.get("key")] + [
        d.get("key") for d in content.get("derived", []) if d.get("key")
    ]


def _choice_move(request):
    raw = request.POST.get("choice_move", "")
    index, _sep, direction = raw.partition(":")
    n = whole_number(index)
    if n is not None and direction in ("up", "down"):
        return n, (-1 if direction == "up" else 1)
    return None


def _locked_choice_changed(form, current, published):
    """A published choice value typed over with another value (surveys.builder's rule)."""
    return any(
        c.kind == "value"
        for c in builder.changed_meanings({"questions": [form.to_item()]}, published)
    )


@coordinator_required
@require_POST
@draft_view
def item_move(request, survey, draft_, part, index):
    """Up or down one place. With htmx: the part's list as it is now, focus on the moved item's
    button; refused (changed meanwhile): the page is reloaded to show the message and the
    draft as it is."""
    part = _part(part)
    up = request.POST.get("direction") == "up"
    offset = -1 if up else 1
    try:
        builder.move_item(
            survey=survey,
            revision=_revision(request),
            part=part,
            index=index,
            offset=offset,
            actor=request.user,
            ip=client_ip(request),
        )
    except builder.BuilderError as exc:
        messages.error(request, exc.problems[0].message)
        if request.htmx:
            return HttpResponseClientRefresh()
    else:
        if request.htmx:
            moved = (draft_.content.get(part) or [])[index]
            what = f"{PART_ONE[part]} {moved.get('key') or ''}".strip().capitalize()
            return _part_swap(
                request,
                survey,
                part,
                announce=(_("%(what)s er flyttet op.") if up else _("%(what)s er flyttet ned."))
                % {"what": what},
                focus=(index + offset, "up" if up else "down"),
                close_panel=False,
            )
    return redirect(_draft_url(survey) + f"#{SLUG_OF[part]}")


@require_http_methods(["GET", "POST"])
@draft_view
def item_remove(request, survey, draft_, part, index):
    """The confirmation, then the removal. With htmx (the draft page): the confirmation alone,
    put under the part's list; after the removal, the part's list as it is now."""
    part = _part(part)
    items = draft_.content.get(part) or []
    if index >= len(items):
        messages.info(request, str(builder.MSG_NO_ITEM))
        if request.htmx:
            return HttpResponseClientRefresh()
        return redirect(_draft_url(survey))
    refusal = None
    if request.method == "POST":
        try:
            builder.remove_item(
                survey=survey,
                revision=_revision(request),
                part=part,
                index=index,
                actor=request.user,
                ip=client_ip(request),
            )
        except builder.BuilderError as exc:
            if exc.code == "stale":
                messages.error(request, exc.problems[0].message)
                if request.htmx:
                    return HttpResponseClientRefresh()
                return redirect(_draft_url(survey))
            refusal = exc.problems[0].message
        else:
            done = _("%(what)s er fjernet.") % {"what": items[index].get("key")}
            if request.htmx:
                return _part_swap(request, survey, part, announce=done)
            messages.success(request, done)
            return redirect(_draft_url(survey) + f"#{SLUG_OF[part]}")
    return render(
        request,
        f"surveys/builder/{'_remove_panel' if request.htmx else 'item_remove'}.html",
        {
            "survey": survey,
            "draft": draft_,
            "item": items[index],
            "one": PART_ONE[part],
            "part_slug": SLUG_OF[part],
            "index": index,
            "refusal": refusal,
        },
        # htmx swaps only a 2xx answer: the refusal is shown in the confirmation's place.
        status=409 if refusal and not request.htmx else 200,
    )


@require_http_methods(["GET", "POST"])
@draft_view
def draft_publish(request, survey, draft_):
    refusal = None
    if request.method == "POST":
        try:
            definition = builder.publish_draft(
                survey=survey,
                revision=_revision(request),
                actor=request.user,
                ip=client_ip(request),
                confirm_changed_meaning=request.POST.get("confirm_changed_meaning") == "1",
            )
        except builder.BuilderError as exc:
            refusal = exc.problems[0].message if exc.problems else str(exc)
            draft_ = builder.draft_for(survey)
            if draft_ is None:
                messages.info(request, refusal)
                return redirect("builder:survey_detail", key=survey.key)
        else:
            messages.success(
                request,
                _(
                    "Version %(version)s er udgivet. Nye runder bruger den; eksisterende runder "
                    "beholder deres version."
                )
                % {"version": definition.version},
            )
            return redirect("builder:survey_detail", key=survey.key)
    current = survey.current_definition()
    problems = builder.draft_problems(draft_.content, survey=survey, blocking_only=True)
    changes = builder.describe_changes(
        current.content if current else None, draft_.content, language=_lang()
    )
    newer = (
        current is not None and draft_.based_on_id is not None and draft_.based_on_id != current.pk
    )
    return render(
        request,
        "surveys/builder/publish.html",
        {
            "survey": survey,
            "draft": draft_,
            "current": current,
            "next_version": (current.version + 1) if current else 1,
            "problems": problems,
            "summary": _problem_links(survey, problems),
            "problem_count": sum(1 for p in problems if p.path),
            "changes": changes,
            "reused": builder.reused_choice_values(survey, draft_.content, language=_lang()),
            "newer": newer,
            "refusal": refusal,
        },
        status=409 if refusal else 200,
    )


@require_http_methods(["GET", "POST"])
@draft_view
def draft_discard(request, survey, draft_):
    if request.method == "POST":
        try:
            builder.discard_draft(
                survey=survey,
                revision=_revision(request),
                actor=request.user,
                ip=client_ip(request),
            )
        except builder.BuilderError as exc:
            messages.error(request, exc.problems[0].message)
            return redirect(_draft_url(survey))
        messages.success(request, _("Kladden er kasseret."))
        return redirect("builder:survey_detail", key=survey.key)
    return render(request, "surveys/builder/discard.html", {"survey": survey, "draft": draft_})
