"""Issue 15: the dry run, apply, idempotent re-apply, undo, the overwrite policy, concurrency
with an officer's save, and the Danish Excel file written by hand."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from imports import services
from imports.models import Import
from reference.models import Municipality
from submissions import services as submission_services
from submissions.models import Revision, Submission
from tests.factories import make_round, make_submission

CODES = ["101", "147", "151", "153", "157", "360", "727"]
HEADER = "municipality_code;municipality_name;pupils_8_9;enrolled;comment;share_high_explanation"
# Written as Danish Excel writes it: ';', thousands points, cp1252 (æ ø å), CRLF.
DANISH = (
    HEADER
    + "\r\n101;København;10.567;88;Tæt på målet;\r\n"
    + "147;Frederiksberg;1.826;8;;\r\n"
    + "151;Ballerup;869;900;enrolled > pupils: en fejl;\r\n"
    + "360;Lolland;690;150;;Ny ordning på to skoler\r\n"
    + "153;Brøndby;613;6;Økonomi og årgang;\r\n"
).encode("cp1252")


# UTF-8 (Tæt) with two cp1252 bytes (æø) after it: a file saved by two programs.
MIXED = "municipality_code;pupils_8_9;enrolled;comment\n101;5;1;Tæt\n".encode() + b"\xe6\xf8"


def _upload(round_, coordinator, content=DANISH, name="svar.csv"):
    return services.upload(round_, actor=coordinator, file_name=name, content=content)


@pytest.fixture
def round_():
    return make_round(codes=CODES)


def test_a_hand_written_danish_excel_file_dry_run_shows_changes_errors_and_warnings(
    round_, coordinator
):
    audit_before = AuditEvent.objects.count()
    imp = _upload(round_, coordinator)
    assert AuditEvent.objects.count() == audit_before + 1  # the upload itself
    plan = services.dry_run(imp)
    assert plan.language == "da" and not plan.problem and not plan.unknown
    rows = {r.code: r for r in plan.rows}
    assert rows["101"].answers["pupils_8_9"] == "10.567"
    assert rows["101"].result.answers["pupils_8_9"] == 10567
    assert rows["101"].result.answers["comment"] == "Tæt på målet"
    assert [c.new for c in rows["101"].changes if c.key == "pupils_8_9"] == ["10.567"]
    assert rows["151"].errors and rows["151"].status == "ok" and not rows["151"].submittable
    [warning] = rows["360"].warnings
    assert warning["explained"] and rows["360"].submittable
    assert plan.counts()["submittable"] == 4
    # The dry run wrote nothing: no submission, no revision, no audit row.
    assert not Submission.objects.exists() and not Revision.objects.exists()
    assert AuditEvent.objects.count() == audit_before + 1


def test_apply_as_submitted_then_reapply_is_idempotent_then_undo_and_apply_again(
    round_, coordinator, mailoutbox
):
    imp = _upload(round_, coordinator)
    report = services.apply(imp, actor=coordinator, mode=Import.Mode.SUBMITTED)
    assert report.counts["applied"] == 4 and report.counts["blocked"] == 1
    assert report.names["blocked"] == ["151"]
    subs = {s.municipality.code: s for s in round_.submissions.select_related("municipality")}
    assert set(subs) == {"101", "147", "153", "360"}
    assert all(s.state == "submitted" for s in subs.values())
    assert subs["360"].explanations == {"share_high": "Ny ordning på to skoler"}
    [revision] = subs["101"].revisions.all()
    assert revision.on_behalf and revision.author == coordinator
    assert "svar.csv" in revision.note and imp.sha256 in revision.note
    assert coordinator.name in revision.note and "på vegne af København" in revision.note
    event = AuditEvent.objects.filter(action="submission.imported").first()
    assert event.detail["sha256"] == imp.sha256 and event.detail["file"] == "svar.csv"
    assert mailoutbox == []  # nobody e-mailed unless asked

    # The same upload again: the first report; the same file in a new upload: all unchanged.
    assert services.apply(imp, actor=coordinator).counts == report.counts
    again = services.apply(_upload(round_, coordinator), actor=coordinator, mode="submitted")
    assert again.counts["applied"] == 0 and again.counts["unchanged"] == 4
    assert Revision.objects.count() == 4

    undone = services.undo(imp, actor=coordinator)
    assert undone.counts == {"restored": 4, "left": 0}
    for sub in round_.submissions.all():
        assert sub.state == "draft" and sub.answers == {} and sub.explanations == {}
    with pytest.raises(services.ImportRefused):
        services.undo(imp, actor=coordinator)

    third = services.apply(_upload(round_, coordinator), actor=coordinator, mode="submitted")
    assert third.counts["applied"] == 4
    assert round_.submissions.filter(state="submitted").count() == 4


def test_undo_leaves_a_submission_an_officer_saved_since(round_, coordinator, lolland):
    imp = _upload(round_, coordinator)
    services.apply(imp, actor=coordinator, mode=Import.Mode.DRAFT)
    lolland_mun = Municipality.objects.get(code="360")
    sub = round_.submissions.get(municipality=lolland_mun)
    submission_services.save_draft(
        round_,
        lolland_mun,
        actor=lolland,
        answers={"pupils_8_9": "700", "enrolled": "10"},
        explanations={},
        version=sub.version,
    )
    report = services.undo(imp, actor=coordinator)
    assert report.names["left"] == ["360"] and report.counts["restored"] == 4
    sub.refresh_from_db()
    assert sub.answers["pupils_8_9"] == 700 and sub.updated_by == lolland


def test_an_officers_saved_answers_are_kept_unless_overwrite(round_, coordinator):
    make_submission(round_, "101", {"pupils_8_9": 1, "enrolled": 0}, state="draft")
    plan = services.dry_run(_upload(round_, coordinator))
    assert {r.code for r in plan.rows if r.saved_by_others} == {"101"}
    report = services.apply(_upload(round_, coordinator), actor=coordinator)
    assert report.names["kept"] == ["101"]
    assert round_.submissions.get(municipality__code="101").answers["pupils_8_9"] == 1
    report = services.apply(_upload(round_, coordinator), actor=coordinator, overwrite=True)
    assert report.names["applied"] == ["101"]
    assert round_.submissions.get(municipality__code="101").answers["pupils_8_9"] == 10567


def test_an_officer_saving_during_apply_is_never_lost(round_, coordinator, lolland, monkeypatch):
    """The officer saves after the dry run read the row and before the row is written: the
    optimistic version check leaves the row alone ("stale")."""
    from imports import services as import_services

    real = submission_services.import_row
    lolland_mun = Municipality.objects.get(code="360")

    def officer_saves_first(round_arg, municipality, **kwargs):
        if municipality.code == "360":
            submission_services.save_draft(
                round_arg,
                lolland_mun,
                actor=lolland,
                answers={"pupils_8_9": "42", "enrolled": "1"},
                explanations={},
                version=0,
            )
        return real(round_arg, municipality, **kwargs)

    monkeypatch.setattr(import_services.submission_services, "import_row", officer_saves_first)
    report = services.apply(_upload(round_, coordinator), actor=coordinator, overwrite=True)
    assert report.names["stale"] == ["360"]
    sub = round_.submissions.get(municipality=lolland_mun)
    assert sub.answers["pupils_8_9"] == 42 and sub.updated_by == lolland


@pytest.mark.parametrize(
    "content, code",
    [
        (b"", "empty"),
        (b"   \r\n", "empty"),
        (b"municipality_code;title;theme\n101;x;y\n", "columns"),
        (b"kommune;antal\n101;5\n", "columns"),
        (b"municipality_code;pupils_8_9\n", "no_rows"),
        (
            "municipality_code;pupils_8_9;enrolled;comment\n101;5;1;Tæt\n".encode() + b"\xe6\xf8",
            "mixed_encoding",
        ),
    ],
)
def test_bad_files_are_refused_with_a_message_and_nothing_stored(
    round_, coordinator, content, code
):
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, content)
    assert exc.value.code == code and exc.value.message
    assert not Import.objects.exists() and not Submission.objects.exists()


def test_another_surveys_file_says_so_before_anything_else(round_, coordinator):
    content = b"municipality_code;entry_no;title;theme\n101;1;Brobygning;early_action\n"
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, content)
    assert exc.value.code == "columns" and "anden undersøgelse" in exc.value.message
    assert not Import.objects.exists()


def test_each_refusal_reason(round_, coordinator):
    content = (
        b"municipality_code,pupils_8_9,enrolled\n"
        b"999,10,1\n"  # unknown code
        b"461,10,1\n"  # a municipality, not a recipient of this round
        b"101,10,1\n101,11,1\n"  # duplicate row
        b"147,ti,1\n"  # a value the type cannot hold
        b"153,12.5,1\n"  # decimals in an integer
        b",5,5\n"
    )
    plan = services.dry_run(_upload(round_, coordinator, content))
    reasons = {r.code: r.reasons[0][0] for r in plan.rows}
    assert reasons == {
        "999": "unknown_code",
        "461": "not_recipient",
        "101": "duplicate",
        "147": "value",
        "153": "value",
        "": "no_code",
    }
    assert "»t«" in dict(plan.rows[4].reasons)["value"] or "t" in plan.rows[4].reasons[0][1]


def test_unknown_column_is_offered_a_mapping_and_labels_match_in_either_language(
    round_, coordinator
):
    content = (
        "Kommunekode;Elever i 8. og 9. klasse;"
        "pupils enrolled in  junior apprenticeship;Bemærkningen\n"
        "101;100;5;hej\n"
    ).encode()
    imp = _upload(round_, coordinator, content)
    plan = services.dry_run(imp)
    read = {h: k for h, k, _how in plan.mapped}
    assert read.get("Kommunekode") == "municipality_code"
    assert [h for h, _s in plan.unknown] == ["Bemærkningen"]
    with pytest.raises(services.ImportRefused) as exc:
        services.apply(imp, actor=coordinator)
    assert exc.value.code == "unknown_columns"
    report = services.apply(imp, actor=coordinator, mapping={"Bemærkningen": "comment"})
    assert report.counts["applied"] == 1
    assert round_.submissions.get().answers["comment"] == "hej"


def test_too_many_rows_are_refused_before_reading_them_all(round_, coordinator):
    content = ("municipality_code,pupils_8_9,enrolled\n" + "101,1,0\n" * 100_000).encode()
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, content)
    assert exc.value.code == "too_many_rows" and "flere end" in exc.value.message
    assert not Import.objects.exists()


def test_a_file_over_50_mb_is_refused_and_not_stored(round_, coordinator):
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, b"x" * (50 * 1024 * 1024 + 1))
    assert exc.value.code == "too_large" and not Import.objects.exists()


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(round_, coordinator):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (210 * 1024 * 1024))
    assert len(buffer.getvalue()) < 1024 * 1024
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, buffer.getvalue(), "bomb.xlsx")
    assert exc.value.code == "zip_bomb" and not Import.objects.exists()


def test_utf8_bom_tab_separated_and_english_yes_no_and_choice_labels(coordinator):
    round_ = make_round("proevehandlinger", codes=CODES)
    content = "\ufeffmunicipality_code\tentry_no\ttitle\ttheme\tgoal\tstatus\ttarget_groups\n" + (
        "101\t1\tBro\tTidlig indsats og bedre datagrundlag\tMål\tplanned\tgrundskole;fgu\n"
        "101\t2\tTo\tflexible_paths\tMål 2\tPlanlagt\t\n"
    )
    plan = services.dry_run(_upload(round_, coordinator, content.encode("utf-8")))
    [row] = plan.rows
    assert row.status == "ok", row.reasons
    entries = row.result.answers["entries"]
    assert [e["theme"] for e in entries] == ["early_action", "flexible_paths"]
    assert entries[0]["target_groups"] == ["grundskole", "fgu"]


def test_page_flow_upload_dry_run_apply_undo(round_, as_coordinator):
    base = f"/opfoelgning/{round_.slug}/import/"
    page = as_coordinator.get(base)
    assert page.status_code == 200
    template = as_coordinator.get(base + "skabelon/csv-da/")
    assert template.status_code == 200 and template.content.startswith(b"\xef\xbb\xbf")
    assert b"municipality_code;municipality_name" in template.content
    response = as_coordinator.post(base, {"file": SimpleUploadedFile("svar.csv", DANISH)})
    assert response.status_code == 302
    imp = Import.objects.get()
    html = as_coordinator.get(response["Location"]).content.decode()
    assert "Prøvekørsel" in html and "10.567" in html and "Lolland" in html
    assert not Submission.objects.exists()
    response = as_coordinator.post(response["Location"], {"mode": "submitted"})
    assert response.status_code == 302
    assert round_.submissions.filter(state="submitted").count() == 4
    board = as_coordinator.get(f"/opfoelgning/{round_.slug}/").content.decode()
    assert "Importér svar fra en fil" in board
    response = as_coordinator.post(f"{base}{imp.pk}/fortryd/")
    assert response.status_code == 302
    assert not round_.submissions.filter(state="submitted").exists()


def test_bad_upload_on_the_page_says_why(round_, as_coordinator):
    base = f"/opfoelgning/{round_.slug}/import/"
    html = as_coordinator.post(base, {}).content.decode()
    assert "Vælg en fil" in html
    response = as_coordinator.post(base, {"file": SimpleUploadedFile("x.csv", b"kommune;x\n1;2\n")})
    assert response.status_code == 200 and "passer ikke" in response.content.decode()
    assert not Import.objects.exists()


def test_the_history_shows_where_an_imported_row_came_from(round_, coordinator, as_coordinator):
    imp = _upload(round_, coordinator)
    services.apply(imp, actor=coordinator, mode=Import.Mode.SUBMITTED)
    html = as_coordinator.get(f"/indberet/{round_.slug}/360/historik/").content.decode()
    assert "svar.csv" in html and imp.sha256 in html and "på vegne af kommunen" in html


def test_officers_get_a_receipt_only_when_asked(
    round_, coordinator, lolland, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.apply(_upload(round_, coordinator), actor=coordinator, mode="submitted")
    assert mailoutbox == []
    round2 = make_round(codes=CODES)
    with django_capture_on_commit_callbacks(execute=True):
        services.apply(
            _upload(round2, coordinator), actor=coordinator, mode="submitted", notify=True
        )
    assert [lolland.email] in [m.to for m in mailoutbox]


def test_long_layout_refuses_an_unknown_question_and_a_duplicate(round_, coordinator):
    content = (
        b"municipality_code,round,entry_no,question,value\n"
        b"101,x,,pupils_8_9,100\n101,x,,enrolled,5\n101,x,,share,0.05\n"
        b"147,x,,pupils_8_9,100\n147,x,,elever,5\n"
        b"151,x,,pupils_8_9,100\n151,x,,pupils_8_9,101\n"
    )
    plan = services.dry_run(_upload(round_, coordinator, content))
    assert plan.layout == "long"
    status = {r.code: (r.status, r.reasons[0][0] if r.reasons else "") for r in plan.rows}
    assert status == {
        "101": ("ok", ""),  # `share` is derived: computed, never read
        "147": ("refused", "unknown_column"),
        "151": ("refused", "duplicate"),
    }


def test_formulas_in_a_csv_are_text_never_evaluated(round_, coordinator):
    content = b'municipality_code,pupils_8_9,enrolled,comment\n101,=1+2,1,"=HYPERLINK(""x"")"\n'
    [row] = services.dry_run(_upload(round_, coordinator, content)).rows
    assert row.status == "refused" and "=" in row.reasons[0][1]
    content = b'municipality_code,pupils_8_9,enrolled,comment\n101,3,1,"=HYPERLINK(""x"")"\n'
    services.apply(_upload(round_, coordinator, content), actor=coordinator)
    assert round_.submissions.get().answers["comment"] == '=HYPERLINK("x")'


@pytest.mark.parametrize("fmt", ["csv", "csv-da", "xlsx"])
def test_the_templates_are_importable_and_a_prefilled_one_carries_the_answers(
    round_, coordinator, fmt
):
    from imports.template import template

    make_submission(round_, "360", {"pupils_8_9": 1250, "enrolled": 40, "comment": "Ja; nej"})
    name, _type, empty = template(round_, fmt)
    imp = _upload(round_, coordinator, empty, name)
    plan = services.dry_run(imp)
    assert len(plan.rows) == len(CODES) and {r.status for r in plan.rows} == {"empty"}
    name, _type, filled = template(round_, fmt, prefill=True)
    target = make_round(codes=CODES)
    services.apply(_upload(target, coordinator, filled, name), actor=coordinator)
    assert target.submissions.get().answers == round_.submissions.get().answers


def test_the_dry_run_reads_a_constant_number_of_queries(coordinator):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reference.models import Municipality

    codes = list(Municipality.objects.municipalities().values_list("code", flat=True)[:40])
    round_ = make_round(codes=codes)
    previous_round = make_round(codes=codes)
    round_.previous = previous_round
    round_.save()

    for code in codes:
        make_submission(previous_round, code, {"pupils_8_9": 100, "enrolled": 1})

    def queries(n):
        lines = ["municipality_code;pupils_8_9;enrolled"] + [f"{c};120;2" for c in codes[:n]]
        imp = _upload(round_, coordinator, "\n".join(lines).encode())
        with CaptureQueriesContext(connection) as ctx:
            plan = services.dry_run(imp)
        assert len(plan.ok_rows) == n
        return len(ctx.captured_queries)

    assert queries(5) == queries(40)


def test_the_page_offers_a_mapping_previews_it_and_applies_it(round_, as_coordinator):
    base = f"/opfoelgning/{round_.slug}/import/"
    content = b"municipality_code;Elever i alt;enrolled\n101;1.000;10\n"
    response = as_coordinator.post(base, {"file": SimpleUploadedFile("a.csv", content)})
    detail = response["Location"]
    html = as_coordinator.get(detail).content.decode()
    assert "Kolonnen »Elever i alt«" in html and 'value="pupils_8_9"' in html
    preview = as_coordinator.post(
        detail, {"action": "preview", "mode": "draft", "map_0": "pupils_8_9"}
    ).content.decode()
    assert "1.000" in preview and "»Elever i alt« → <code>pupils_8_9</code>" in preview
    assert not Submission.objects.exists()
    as_coordinator.post(detail, {"action": "apply", "mode": "draft", "map_0": "pupils_8_9"})
    assert round_.submissions.get().answers["pupils_8_9"] == 1000


def test_the_separator_is_the_headers_even_when_texts_hold_others(round_, coordinator):
    content = (
        b"municipality_code\tpupils_8_9\tenrolled\tcomment\n"
        b"101\t1.250\t5\tEt; to, tre; fire, fem\n"
        b"147\t900\t4\ta,b,c,d,e,f,g\n"
    )
    plan = services.dry_run(_upload(round_, coordinator, content))
    rows = {r.code: r for r in plan.rows}
    assert rows["101"].result.answers["comment"] == "Et; to, tre; fire, fem"
    assert rows["101"].result.answers["pupils_8_9"] == 1250  # tab: read as Danish


def test_an_xlsx_with_an_xml_entity_bomb_is_refused(round_, coordinator):
    import io
    import zipfile

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    source = zipfile.ZipFile(io.BytesIO(buffer.getvalue()))
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode()
            target.writestr(item, data)
    with pytest.raises(services.ImportRefused) as exc:
        _upload(round_, coordinator, out.getvalue(), "bomb.xlsx")
    assert exc.value.code == "not_xlsx" and not Import.objects.exists()


def test_a_too_long_explanation_refuses_its_row_rather_than_being_cut(round_, coordinator):
    from submissions.validation import MAX_EXPLANATION_LENGTH

    long_text = "x" * (MAX_EXPLANATION_LENGTH + 1)
    content = (HEADER + f"\n360;Lolland;690;150;;{long_text}\n101;;10;1;;\n").encode()
    plan = services.dry_run(_upload(round_, coordinator, content))
    rows = {r.code: r for r in plan.rows}
    assert rows["360"].status == "refused"
    code, message = rows["360"].reasons[0]
    assert code == "explanation"
    assert f"Forklaringen er for lang (højst {MAX_EXPLANATION_LENGTH} tegn)." in message
    assert rows["101"].status == "ok"


@pytest.mark.parametrize(
    "cell,number",
    [("1", 1), (3.0, 3), ("10000", 10_000), ("0", -1), ("10001", -1), ("²", -1)],
)
def test_an_entry_number_is_ascii_digits_within_the_cap(cell, number):
    """ "²".isdigit() is true but int("²") raises: an unreadable entry number, not a 500."""
    from imports.plan import _entry_no

    assert _entry_no(cell) == number
