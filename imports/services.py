"""Bulk import: upload, dry run, apply, undo. Keyword-only functions taking the acting user and
the client's address; each row is written by `submissions.services.import_row` (one
transaction, one revision, its audit row) and undone by `undo_import_row`.

The dry run reads only: the upload itself (the file, kept for applying and as the source the
revisions name) is the one thing stored before the coordinator applies."""

import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import record
from accounts.models import User
from imports.models import Import, ImportRow
from imports.plan import Plan, match_columns, max_rows, plan_rows
from imports.reader import MAX_FILE_BYTES, FileRefused, Table, read_table
from submissions import services as submission_services
from surveys.models import Round, RoundState


class ImportRefused(Exception):
    """The import cannot go ahead: a stable code and a message for the coordinator."""

    def __init__(self, code: str, message: str):
        self.code = code
        self.message = message
        super().__init__(f"{code}: {message}")


def _check_round(round_: Round):
    if round_.state == RoundState.CLOSED and not round_.is_historical:
        raise ImportRefused(
            "round_closed",
            _("Runden er lukket. Genåbn den, før der importeres svar til den."),
        )


def upload(
    round_: Round, *, actor: User, file_name: str, content: bytes, ip: str | None = None
) -> Import:
    """Store an uploaded file for a round. Refused, and nothing stored, when it is empty, over
    50 MB, cannot be read (encoding, zip bomb, too many rows, …) or does not fit the round
    (another survey's columns: said before anything else)."""
    _check_round(round_)
    if not content or not content.strip():
        raise ImportRefused("empty", _("Filen er tom."))
    if len(content) > MAX_FILE_BYTES:
        raise ImportRefused("too_large", too_large(len(content)))
    name = (file_name or "upload").replace("\\", "/").rsplit("/", 1)[-1][:200]
    # A file that cannot be read, or does not fit the round, is refused before it is stored.
    table = _read(round_, content, name)
    problem = match_columns(round_, table.headers).problem
    if problem:
        raise ImportRefused("columns", problem)
    with transaction.atomic():
        imp = Import.objects.create(
            round=round_,
            file_name=name,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content=content,
            created_by=actor,
        )
        record(
            "import.uploaded",
            actor=actor,
            ip=ip,
            obj=imp,
            detail={"round": round_.slug, "file": name, "sha256": imp.sha256, "size": imp.size},
        )
    return imp


def too_large(size: int) -> str:
    return _("Filen er for stor (%(size)s MB). Den må højst fylde 50 MB.") % {
        "size": round(size / 1024 / 1024, 1)
    }


def own_versions(round_: Round) -> dict[int, set[int]]:
    """Per municipality id, the submission versions imports of this round wrote (applied rows
    and their undos): answers at such a version are the coordinator's, not an officer's."""
    out = {}
    rows = ImportRow.objects.filter(import_run__round=round_).values_list(
        "municipality_id", "version_after", "undo_version"
    )
    for municipality_id, after, undone in rows:
        versions = out.setdefault(municipality_id, set())
        versions.update(v for v in (after, undone) if v)
    return out


def dry_run(imp: Import, *, mapping: dict | None = None) -> Plan:
    """What applying `imp` would do, row by row. Writes nothing. Raises ImportRefused when
    the file cannot be read."""
    round_ = imp.round
    table = _read(round_, bytes(imp.content), imp.file_name)
    return plan_rows(round_, table, mapping=mapping, own_versions=own_versions(round_))


def _read(round_: Round, content: bytes, name: str) -> Table:
    try:
        return read_table(
            content, name, max_rows=max_rows(round_, recipients=round_.recipients.count())
        )
    except FileRefused as exc:
        raise ImportRefused(exc.code, exc.message) from None


@dataclass
class Report:
    """What an apply or undo did: counts by outcome and the municipalities of each."""

    counts: dict
    names: dict

    def as_dict(self) -> dict[str, dict]:
        return {"counts": self.counts, "names": self.names}


def _note(actor, municipality, imp):
    who = (actor.name or actor.email) if actor else "Indberet"
    return (
        f"Indtastet af {who} på vegne af {municipality.name}; kilde {imp.file_name}, "
        f"SHA-256 {imp.sha256}"
    )


def apply(
    imp: Import,
    *,
    actor: User,
    mode: str = Import.Mode.DRAFT,
    overwrite: bool = False,
    notify: bool = False,
    mapping: dict | None = None,
    ip: str | None = None,
) -> Report:
    """Apply an uploaded import: each row one transaction through `import_row`. Applying an
    applied import again changes nothing (its report is returned); applying the same file in
    a new upload finds every row unchanged; an undone import can be applied again."""
    _check_round(imp.round)
    if mode not in Import.Mode.values:
        raise ImportRefused("invalid", _("Vælg, om rækkerne bliver kladder eller indsendte."))
    plan = dry_run(imp, mapping=mapping)
    if plan.problem:
        raise ImportRefused("columns", plan.problem)
    if plan.unknown:
        raise ImportRefused(
            "unknown_columns",
            _("Vælg for hver ukendt kolonne, hvilket spørgsmål den er, eller at den ignoreres: %s")
            % ", ".join(h for h, _hints in plan.unknown[:10]),
        )
    # An uploaded import, or one undone (applying it again): claimed by one caller only.
    claimed = Import.objects.filter(
        pk=imp.pk, state__in=(Import.State.UPLOADED, Import.State.UNDONE)
    ).update(
        state=Import.State.APPLIED,
        applied_at=timezone.now(),
        applied_by=actor,
        mode=mode,
        overwrite=overwrite,
        notify=notify,
        mapping=mapping or {},
    )
    if not claimed:
        imp.refresh_from_db()
        return Report(imp.report.get("counts", {}), imp.report.get("names", {}))
    versions = own_versions(imp.round)
    counts = {o: 0 for o in ImportRow.Outcome.values}
    names = {o: [] for o in ImportRow.Outcome.values}
    audit = {"import": imp.pk, "file": imp.file_name, "sha256": imp.sha256}
    for row in plan.rows:
        if row.status != "ok":
            key = "refused" if row.status == "refused" else None
            if key:
                counts[key] += 1
                names[key].append(row.code)
            continue
        out = submission_services.import_row(
            imp.round,
            row.municipality,
            actor=actor,
            answers=row.answers,
            explanations=row.explanations,
            submit=mode == Import.Mode.SUBMITTED,
            expected_version=row.version,
            overwrite=overwrite,
            own_versions=frozenset(versions.get(row.municipality.pk, ())),
            note=_note(actor, row.municipality, imp),
            audit_detail=audit,
            language=plan.language,
            notify=notify,
            ip=ip,
            submitted_at=row.submitted_at,
        )
        ImportRow.objects.create(
            import_run=imp,
            municipality=row.municipality,
            submission=out.submission,
            outcome=out.outcome,
            version_before=out.version_before,
            version_after=out.version_after,
            before=out.before,
        )
        counts[out.outcome] += 1
        names[out.outcome].append(row.municipality.code)
    report = Report(counts, names)
    with transaction.atomic():
        Import.objects.filter(pk=imp.pk).update(report=report.as_dict())
        record(
            "import.applied",
            actor=actor,
            ip=ip,
            obj=imp,
            detail={**audit, "mode": mode, "overwrite": overwrite, "counts": counts},
        )
    imp.refresh_from_db()
    return report


def undo(imp: Import, *, actor: User, ip: str | None = None) -> Report:
    """Put every applied row of an import back as it was before, unless someone saved since
    (those are left alone and listed). Undoing twice changes nothing."""
    claimed = Import.objects.filter(pk=imp.pk, state=Import.State.APPLIED).update(
        state=Import.State.UNDONE, undone_at=timezone.now(), undone_by=actor
    )
    if not claimed:
        raise ImportRefused(
            "not_applied", _("Importen er ikke indlæst, så der er intet at fortryde.")
        )
    counts = {"restored": 0, "left": 0}
    names = {"restored": [], "left": []}
    audit = {"import": imp.pk, "file": imp.file_name, "sha256": imp.sha256}
    rows = imp.rows.filter(outcome=ImportRow.Outcome.APPLIED, undo="").select_related(
        "municipality", "submission"
    )
    for row in rows:
        restored = submission_services.undo_import_row(
            row.submission,
            actor=actor,
            version_after=row.version_after,
            before=row.before,
            note=(
                f"Import fortrudt af {(actor.name or actor.email) if actor else 'Indberet'}; "
                f"kilde {imp.file_name}, SHA-256 {imp.sha256}"
            ),
            audit_detail=audit,
            ip=ip,
        )
        key = "restored" if restored else "left"
        row.undo = key
        if restored:
            row.submission.refresh_from_db(fields=["version"])
            row.undo_version = row.submission.version
        row.save(update_fields=["undo", "undo_version"])
        counts[key] += 1
        names[key].append(row.municipality.code)
    report = Report(counts, names)
    with transaction.atomic():
        Import.objects.filter(pk=imp.pk).update(report={**imp.report, "undo": report.as_dict()})
        record("import.undone", actor=actor, ip=ip, obj=imp, detail={**audit, "counts": counts})
    imp.refresh_from_db()
    return report
