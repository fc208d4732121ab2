"""The import template of a round: the export's wide layout (the same columns, by the same
function), one row per recipient, empty or pre-filled with the submitted answers (then it is
exactly the export of the round). CSV (UTF-8 or Danish Excel) or XLSX with its codebook."""

from exports import datasets, renderers
from surveys.models import Round

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "csv-da": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}


def _rows(round_: Round, spec, prefill: bool):
    if prefill:
        yield from datasets.wide_rows([round_], include_personal=True)
        return
    width = len(datasets.value_columns(spec, include_personal=True))
    extra = [None, None] if spec.has_entries else []
    for rec in datasets.records([round_]):
        head = [rec.code, rec.name, rec.region_code, rec.region_name, rec.dst_group]
        yield head + [round_.slug, None, None, None] + extra + [None] * width


def template(round_: Round, fmt: str, *, prefill: bool = False) -> tuple[str, str, bytes]:
    """(file name, content type, bytes) of the template in `fmt` (csv, csv-da or xlsx)."""
    spec = round_.definition.spec
    columns = datasets.wide_columns(spec, include_personal=True)
    content_type, ext = FORMATS[fmt]
    suffix = "-udfyldt" if prefill else ""
    name = f"{round_.slug}-skabelon{suffix}{'-da' if fmt == 'csv-da' else ''}.{ext}"
    rows = _rows(round_, spec, prefill)
    if fmt == "xlsx":
        content = renderers.xlsx_bytes(
            [
                ("wide", columns, rows),
                (
                    "codebook",
                    renderers.codebook_columns(),
                    renderers.codebook_rows(columns, spec),
                ),
            ]
        )
        return name, content_type, renderers.as_bytes(content)
    return name, content_type, b"".join(renderers.csv_stream(columns, rows, fmt))
