"""The 98 municipalities as reference data (reference/data/municipalities.csv; sources there):
the members of the `kommuner` register."""

import csv
from pathlib import Path

from reference.registers import (
    ensure_shipped_registers,
    load_regions,
    municipal_attributes,
    read_population,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
MUNICIPALITIES_CSV = DATA_DIR / "municipalities.csv"
GEOJSON = DATA_DIR / "municipalities.geojson"
FIELDS = ("name", "region_code", "region_name", "dst_group")


def read_municipalities(path=MUNICIPALITIES_CSV):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def load_municipalities(municipality_model, path=MUNICIPALITIES_CSV) -> tuple[int, int]:
    """Insert or update every row; idempotent. Returns (created, updated).

    With today's model (it has a register) the rows are the members of the `kommuner`
    register, with their attributes, and the 5 regions are loaded too; the migration
    surveys.0002 calls it with the historical model of before registers."""
    fields = {f.name for f in municipality_model._meta.get_fields()}
    rows = municipality_model.objects.all()
    extra = {}
    if "register" in fields:
        register_model = municipality_model._meta.get_field("register").related_model
        load_regions(register_model, municipality_model)
        register = ensure_shipped_registers(register_model, ("kommuner",))["kommuner"]
        rows = rows.filter(register=register)
        extra = {"register": register}
    created = updated = 0
    existing = {m.code: m for m in rows}
    population = read_population() if extra else {}
    for row in read_municipalities(path):
        values = {k: row[k] for k in FIELDS}
        if extra:
            values["attributes"] = municipal_attributes(
                row["region_code"], row["dst_group"], population.get(row["code"])
            )
        current = existing.get(row["code"])
        if current is None:
            municipality_model.objects.create(code=row["code"], **extra, **values)
            created += 1
        elif any(getattr(current, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(current, k, v)
            current.save(update_fields=list(values))
            updated += 1
    return created, updated
