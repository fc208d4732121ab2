"""The 98 municipalities as reference data (reference/data/municipalities.csv; sources there)."""

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
GEOJSON = DATA_DIR / "municipalities.geojson"
FIELDS = ("name", "region_code", "region_name", "dst_group")


def read_municipalities(path=MUNICIPALITIES_CSV):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_municipalities(municipality_model, path=MUNICIPALITIES_CSV) -> tuple[int, int]:
    """Insert or update every row; idempotent. Returns (created, updated)."""
    created = updated = 0
    existing = {m.code: m for m in municipality_model.objects.all()}
    for row in read_municipalities(path):
        current = existing.get(row["code"])
        if current is None:
            municipality_model.objects.create(code=row["code"], **{k: row[k] for k in FIELDS})
            created += 1
        elif any(getattr(current, k) != row[k] for k in FIELDS):
            for k in FIELDS:
                setattr(current, k, row[k])
            current.save(update_fields=list(FIELDS))
            updated += 1
    return created, updated
