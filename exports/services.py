"""The one entry point for every export: the exports page, the REST API and the management
command all call `build_export`. It checks the rounds, picks the renderer, logs the export
(who, when, format, query, SHA-256, size, rows) and, for big PDF reports, queues the work.
"""

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django_tasks import task

from accounts.models import User
from accounts.permissions import can_read_all
from exports import datasets, pgcopy, renderers
from exports.models import Export
from surveys.models import Round, RoundState
from surveys.selectors import rounds_for

FORMATS = {
    # key: (label da, label en, content type, file suffix)
    "csv": ("CSV (bred)", "CSV (wide)", "text/csv; charset=utf-8", ".csv"),
    "csv-da": (
        "CSV til dansk Excel (semikolon, decimalkomma)",
        "CSV for Danish Excel (semicolon, decimal comma)",
        "text/csv; charset=utf-8",
        "_da.csv",
    ),
    "long": ("CSV (lang/tidy)", "CSV (long/tidy)", "text/csv; charset=utf-8", "_long.csv"),
    "xlsx": (
        "Excel (XLSX) med kodebog",
        "Excel (XLSX) with codebook",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "datapackage": (
        "Datapakke (ZIP: datapackage.json + CSV)",
        "Data package (ZIP: datapackage.json + CSV)",
        "application/zip",
        "_datapackage.zip",
    ),
    "pdf": ("Rapport (PDF)", "Report (PDF)", "application/pdf", "_rapport.pdf"),
    "pdf-anonym": (
        "Rapport (PDF), anonymiseret: koder i stedet for navne",
        "Report (PDF), anonymised: codes instead of names",
        "application/pdf",
        "_rapport_anonym.pdf",
    ),
}
PDF_FORMATS = ("pdf", "pdf-anonym")  # the report of one round
STREAMING = ("csv", "csv-da", "long")
# What an export's content is: streamed chunks (CSV), whole bytes, or None (built later).
ExportContent = Iterator[bytes] | bytes | None


class RowCount(Protocol):
    """What counts a streamed export's data rows: `count` is final once the chunks are read."""

    count: int


def exportable_rounds(user: User | None) -> QuerySet[Round]:
    """The one rule of what may leave: the rounds the user may see that have been opened
    (drafts have nothing to export). The exports page, the API's export and analysis and
    "make again" all look their rounds up here; `build_export` refuses a draft whoever asks."""
    return (
        rounds_for(user)
        .exclude(state=RoundState.DRAFT)
        .select_related("survey__register")
        .order_by("survey__name", "-deadline")
    )


def get_exportable_round(user: User | None, slug: str) -> Round:
    """One exportable round by its slug, or 404 (a draft, a round the user may not see and a
    missing one answer alike)."""
    round_ = exportable_rounds(user).filter(slug=slug).first()
    if round_ is None:
        raise Http404
    return round_


def background_threshold() -> int:
    """PDF reports of rounds with more recipients than this are built by a background task."""
    return getattr(settings, "EXPORTS_BACKGROUND_RECIPIENTS", 200)


def _slugify(value):
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "export"


def _round_part(round_, survey):
    """A round's slug without the survey's key in front of it: `juniormesterlaere-2026-02` of
    the survey `juniormesterlaere` is `2026-02` (the key is already the file name's first part)."""
    slug = round_.slug
    for sep in ("-", "_"):
        if slug.startswith(survey + sep) and len(slug) > len(survey) + 1:
            return slug[len(survey) + 1 :]
    return slug


def filename_for(rounds: Sequence[Round], fmt: str) -> str:
    """`<survey key>_<round>` + the format's suffix, e.g. `juniormesterlaere_2026-02.csv`,
    `juniormesterlaere_2026-02_rapport.pdf`, `juniormesterlaere_2-runder.xlsx`."""
    rounds = datasets.ordered_rounds(rounds)
    survey = rounds[0].survey.key
    if fmt in PDF_FORMATS:
        part = _round_part(rounds[-1], survey)
    elif len(rounds) == 1:
        part = _round_part(rounds[0], survey)
    else:
        part = f"{len(rounds)}-runder"
    return _slugify(f"{survey}_{part}") + FORMATS[fmt][3]


def _include_personal(user, include_personal):
    if include_personal is not None:
        return include_personal
    from submissions.visibility import sees_personal_data

    return bool(
        user is not None
        and user.is_authenticated
        and user.can_read_all  # exports are for coordinators and analysts
        and sees_personal_data(user)
    )


def _logged_stream(chunks, export, counter):
    """Pass chunks through, hashing and counting, and complete the log row at the end."""
    digest, size = hashlib.sha256(), 0
    for chunk in chunks:
        digest.update(chunk)
        size += len(chunk)
        yield chunk
    Export.objects.filter(pk=export.pk).update(
        status=Export.Status.READY,
        checksum=digest.hexdigest(),
        size=size,
        rows=counter.count,
        finished_at=timezone.now(),
    )


def csv_chunks(
    rounds: Sequence[Round],
    fmt: str,
    include_personal: bool = False,
    *,
    use_copy: bool | None = None,
) -> tuple[Iterator[bytes], RowCount]:
    """The bytes of a csv, csv-da or long export as an iterator of chunks, and an object whose
    `count` is the number of data rows once the iterator is exhausted.

    On PostgreSQL the rows are written by PostgreSQL's own COPY (exports.pgcopy); elsewhere
    (SQLite) by the Python row generators and renderers.csv_stream. Both give the same bytes;
    `use_copy` forces one path (tests compare them). Rounds of another register than the
    municipalities always take the Python path (COPY writes the municipal columns only)."""
    register = datasets.register_of(rounds)
    if use_copy is None:
        use_copy = pgcopy.applies(register)
    if use_copy:
        stream = pgcopy.csv_stream(rounds, fmt, include_personal)
        return iter(stream), stream
    spec = datasets.spec_of(rounds)
    if fmt == "long":
        columns = datasets.long_columns(register)
        rows = datasets.long_rows(rounds, include_personal)
    else:
        columns = datasets.wide_columns(spec, include_personal, register)
        rows = datasets.wide_rows(rounds, include_personal)
    counter = renderers.Counter(rows)
    variant = "csv-da" if fmt == "csv-da" else "csv"
    return renderers.csv_stream(columns, counter, variant), counter


def render_bytes(
    rounds: Sequence[Round],
    fmt: str,
    include_personal: bool = False,
    *,
    use_copy: bool | None = None,
) -> tuple[bytes, int]:
    """Build a non-streaming format in full: (bytes, number of data rows).

    XLSX: on PostgreSQL the rows of the wide, long and non-responders sheets are made by
    PostgreSQL (exports.pgcopy, the SELECTs of the CSV exports with typed cells); elsewhere
    by the Python row generators. Both give the same cells; `use_copy` forces one path (tests
    compare them). Rounds of another register than the municipalities take the Python path."""
    spec = datasets.spec_of(rounds)
    register = datasets.register_of(rounds)
    if fmt == "xlsx":
        if use_copy is None:
            use_copy = pgcopy.applies(register)
        if use_copy:
            wide, long_rows, non_responders = pgcopy.xlsx_sheets(rounds, include_personal)
        else:
            wide = renderers.Counter(datasets.wide_rows(rounds, include_personal))
            long_rows = datasets.long_rows(rounds, include_personal)
            non_responders = datasets.non_responder_rows(rounds)
        wide_cols = datasets.wide_columns(spec, include_personal, register)
        content = renderers.xlsx_bytes(
            [
                ("wide", wide_cols, wide),
                ("long", datasets.long_columns(register), long_rows),
                ("non-responders", datasets.non_responder_columns(register), non_responders),
                (
                    "codebook",
                    renderers.codebook_columns(spec),
                    renderers.codebook_rows(wide_cols, spec),
                ),
            ]
        )
        return content, wide.count
    if fmt == "datapackage":
        return datapackage(rounds, include_personal=include_personal)
    if fmt in PDF_FORMATS:
        # Loaded on first use, not at start-up: it imports pandas and WeasyPrint (slow).
        from exports.report import report_pdf

        round_ = datasets.ordered_rounds(rounds)[-1]
        return report_pdf(round_, anonymised=fmt == "pdf-anonym"), round_.recipients.count()
    raise ValueError(f"not a bytes format: {fmt}")


def datapackage(rounds: Sequence[Round], include_personal: bool = False) -> tuple[bytes, int]:
    """The datapackage ZIP (datapackage.json with a wide and a long CSV): (bytes, rows)."""
    rounds = datasets.ordered_rounds(rounds)
    spec = datasets.spec_of(rounds)
    register = datasets.register_of(rounds)
    wide = renderers.Counter(datasets.wide_rows(rounds, include_personal))
    title = f"{spec.title.get('da')} — " + ", ".join(r.title for r in rounds)
    if datasets.is_municipal(register):
        description = (
            "Indberet: én række pr. modtagerkommune × runde (wide) og én pr. besvaret værdi "
            "(long). Tomme celler er manglende svar, aldrig nul."
        )
    else:
        description = (
            f"Indberet: én række pr. modtager (registret »{register.name}«) × runde (wide) og "
            "én pr. besvaret værdi (long). Tomme celler er manglende svar, aldrig nul."
        )
    if any(not r.is_closed for r in rounds):
        description += " Foreløbige tal: mindst én runde er ikke lukket."
    if any(r.is_demo for r in rounds):
        description += " Syntetiske demodata."

    primary = None if spec.has_entries else [datasets.code_column(register), "round"]
    content = renderers.datapackage_zip(
        name=_slugify(f"{spec.key}-{rounds[-1].slug}").lower().replace("_", "-"),
        title=title,
        description=description,
        tables=[
            (
                "wide",
                "Bred tabel",
                datasets.wide_columns(spec, include_personal, register),
                wide,
                primary,
            ),
            (
                "long",
                "Lang (tidy) tabel",
                datasets.long_columns(register),
                datasets.long_rows(rounds, include_personal),
                None,
            ),
        ],
    )
    return content, wide.count


def build_export(
    user: User | None,
    rounds: Iterable[Round],
    *,
    fmt: str,
    include_personal: bool | None = None,
    via: str = "web",
    again_of: Export | None = None,
) -> tuple[str, str, ExportContent, Export]:
    """Build one export of one or more rounds of the same survey and log it.

    Arguments:
      user   — who asks (an analyst, a coordinator or an admin; `None` for the management
               command). Anyone else raises PermissionDenied — callers answer 404 before that.
      rounds — Round objects (or a queryset) of one survey; stacked by deadline. For `pdf` the
               report is of the newest of them (compared with its own previous round).
      fmt    — one of FORMATS: csv, csv-da, long, xlsx, datapackage, pdf, pdf-anonym (the
               report with respondents as codes, no names and no map).
      include_personal — keep `email` questions (contact persons); default: only coordinators.
      again_of — the Export this one makes again (its uid is kept in the new row's query).

    Returns `(filename, content_type, content, export)`:
      - csv, csv-da, long: `content` is an iterator of bytes — give it to a
        StreamingHttpResponse. The Export row is `pending` until the iterator is exhausted, then
        `ready` with checksum, size and rows.
      - xlsx, datapackage, pdf: `content` is bytes; the Export row is `ready` and complete.
      - pdf of a round with more than `background_threshold()` recipients: `content` is None;
        the Export row is `pending` and a background task fills `Export.content` (serve it from
        `exports:file` / poll `export.status`; it becomes `ready` or `failed`).
    Raises ValueError for an unknown format, no rounds, or rounds of different surveys.
    """
    if user is not None and not can_read_all(user):
        raise PermissionDenied
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    rounds = datasets.ordered_rounds(list(rounds))
    drafts = [r.slug for r in rounds if r.state == RoundState.DRAFT]
    if drafts:
        raise ValueError(f"round(s) not opened: {', '.join(drafts)}")
    spec = datasets.spec_of(rounds)
    personal = _include_personal(user, include_personal)
    filename = filename_for(rounds, fmt)
    content_type = FORMATS[fmt][2]
    export = Export.objects.create(
        requested_by=user if user is not None and user.is_authenticated else None,
        format=fmt,
        filename=filename,
        status=Export.Status.PENDING,
        query={
            "survey": spec.key,
            "rounds": [r.slug for r in rounds],
            "format": fmt,
            "include_personal": personal,
            "provisional": any(not r.is_closed for r in rounds),
            "via": via,
            **({"again_of": str(again_of.uid)} if again_of is not None else {}),
        },
    )
    if fmt in STREAMING:
        chunks, counter = csv_chunks(rounds, fmt, include_personal=personal)
        return filename, content_type, _logged_stream(chunks, export, counter), export

    if fmt in PDF_FORMATS and rounds[-1].recipients.count() > background_threshold():
        export_id = export.id
        transaction.on_commit(lambda: build_export_task.enqueue(export_id))
        return filename, content_type, None, export

    content, rows = render_bytes(rounds, fmt, include_personal=personal)
    complete(export, content, rows=rows, store=False)
    return filename, content_type, content, export


def rebuild_export(
    *, user: User, export: Export, via: str = "web"
) -> tuple[str, str, ExportContent, Export]:
    """Make an earlier export again for the person who asked for it: the same rounds and
    format, with today's data and the user's permissions *now* (personal data only for a
    coordinator), logged as a new export. Returns what `build_export` returns.

    Raises Export.DoesNotExist if the export is not the user's own, and ValueError if a round
    of it no longer exists or is back to draft (the caller says so in its own words)."""
    if export.requested_by_id is None or export.requested_by_id != user.pk:
        raise Export.DoesNotExist
    slugs = export.query.get("rounds") or []
    rounds = list(exportable_rounds(user).filter(slug__in=slugs))
    if not slugs or len(rounds) != len(set(slugs)):
        raise ValueError("rounds gone")
    return build_export(user, rounds, fmt=export.format, via=via, again_of=export)


def complete(export: Export, content: bytes, *, rows: int, store: bool) -> None:
    """Mark an export ready with its checksum, size and rows (and its bytes if `store`)."""
    export.status = Export.Status.READY
    export.checksum = hashlib.sha256(content).hexdigest()
    export.size = len(content)
    export.rows = rows
    export.finished_at = timezone.now()
    fields = ["status", "checksum", "size", "rows", "finished_at"]
    if store:
        export.content = content
        fields.append("content")
    export.save(update_fields=fields)


def run_background_export(export_id: int) -> str:
    """Build a pending export's bytes and store them in the row (called by the task)."""
    export = Export.objects.get(pk=export_id)
    if export.status != Export.Status.PENDING:
        return export.status
    try:
        rounds = list(
            Round.objects.select_related("survey__register", "definition").filter(
                slug__in=export.query["rounds"]
            )
        )
        content, rows = render_bytes(
            rounds, export.format, include_personal=export.query.get("include_personal", False)
        )
    except Exception as exc:
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    complete(export, content, rows=rows, store=True)
    return export.status


@task()
def build_export_task(export_id: int) -> str:
    """Build a pending Export (e.g. the PDF report of a big round) and store its bytes.
    Background work (django-tasks); it takes the export's ID, never the object."""
    return run_background_export(export_id)
