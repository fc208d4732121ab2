"""The analysis of one round: who answered, and each indicator nationally, per municipality,
by DST group and by region, against the target and thresholds and against the previous round.

`analyse_round(round)` is the one function the PDF report, the exports page and the API
(`/rounds/{slug}/summary/`) all use. It returns a plain, JSON-serialisable dict.

Conventions (documented here because the figures are published):
- *Responders* are municipalities whose submission is `submitted` or `accepted`. Drafts and
  returned submissions count as not answered.
- A municipality's indicator value is numerator / denominator when both are answered and the
  denominator is > 0; otherwise it has no value (`None`, never 0) and it is left out of every
  count and ranking. The national value is Σ numerator / Σ denominator over responders that
  have a value (so a municipality with a zero denominator adds nothing to either sum).
- Counts: "at or above target" is value ≥ target; "under threshold t" is value < t, zeros
  *included* (`count`), with how many of them are exactly 0 alongside (`zero`); "zero" is
  value == 0 exactly (a numerator of 0 over a positive denominator). So "39 under 2 %
  (heraf 5 på 0 %)": the bands below split the same 39 as 5 in `zero` and 34 in (0, 2 %).
- Bands (for the report and the map): `zero` (= 0), then (0, t₁) — labelled "Over 0, under
  t₁" so it is not read as every municipality under t₁ —, [t₁, t₂) … [tₖ, target) and
  [target, ∞). Comparisons allow 1e-12 of float rounding (5/100 is in the 5 % band).
- Top 10 / bottom 10: sorted by value (descending / ascending), ties broken by municipality
  name then code so the order is deterministic. Municipalities tied with the 10th are
  *included*, so the list may be longer than 10; each item has a competition rank
  (1, 2, 2, 4 …) so a reader sees the tie.
- Change against the previous round is in the indicator's own unit (for a share:
  0.012 = 1.2 percentage points). A municipality that was not a recipient of, did not answer,
  or had no value in the previous round has `previous_value` and `change` None.
- The result is provisional while the round is not closed.
"""

import math
from collections import OrderedDict

import pandas as pd
from django.utils import timezone

from reference.models import Organisation, Selection
from submissions.models import Submission
from surveys.definitions import text

RESPONDED = ("submitted", "accepted")
EPSILON = 1e-12
DST_GROUP_ORDER = (
    "Hovedstadskommuner",
    "Storbykommuner",
    "Provinsbykommuner",
    "Oplandskommuner",
    "Landkommuner",
)
TOP_N = 10


def _num(value):
    """A finite number from a stored answer, else None (bools and text are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if math.isfinite(value) else None


def _ratio(numerator, denominator):
    if numerator is None or denominator is None or denominator <= 0:
        return None
    return numerator / denominator


def _py(value):
    """Plain Python scalars (pandas/numpy types and NaN become int/float/None)."""
    if value is None:
        return None
    if isinstance(value, float | int) and not isinstance(value, bool):
        if isinstance(value, float) and math.isnan(value):
            return None
        return value
    if hasattr(value, "item"):
        return _py(value.item())
    return value


def pct(value, decimals=1, space=" "):
    """'4,3 %' — a fraction as a Danish percentage (used by the report and the page). A value
    that rounds to zero is '0,0 %', never '−0,0 %'. `space` goes between figure and unit (the
    report passes a non-breaking one)."""
    if value is None:
        return "–"
    shown = round(value * 100, decimals)
    if shown == 0:
        shown = 0.0  # no minus on a value that rounds to zero
    return f"{shown:.{decimals}f}".replace(".", ",").replace("-", "−") + space + "%"


def bands_for(indicator):
    """The bands of an indicator: [{key, lower, upper, label{da,en}}], lower inclusive."""
    edges = sorted({t for t in indicator.thresholds if t > 0})
    if indicator.target is not None and indicator.target > 0:
        edges = sorted(set(edges) | {indicator.target})
    bands = [{"key": "zero", "lower": 0, "upper": 0, "label": {"da": "0 %", "en": "0 %"}}]
    lower = 0.0
    for edge in edges:
        key = "under_target" if edge == indicator.target else f"under_{edge:g}"
        if lower == 0:
            label = {"da": f"Over 0, under {pct(edge, 0)}", "en": f"Above 0, under {pct(edge, 0)}"}
        else:
            span = f"{pct(lower, 0)[:-2]}–{pct(edge, 0)}"
            label = {"da": span, "en": span}
            key = f"{lower:g}_{edge:g}"
        bands.append({"key": key, "lower": lower, "upper": edge, "label": label})
        lower = edge
    if indicator.target is not None and lower > 0:
        top = {"da": f"{pct(lower, 0)} og derover", "en": f"{pct(lower, 0)} and above"}
        bands.append({"key": "at_or_above_target", "lower": lower, "upper": None, "label": top})
    elif lower > 0:
        top = {"da": f"{pct(lower, 0)} og derover", "en": f"{pct(lower, 0)} and above"}
        bands.append({"key": f"from_{lower:g}", "lower": lower, "upper": None, "label": top})
    else:
        bands.append(
            {"key": "above_zero", "lower": 0, "upper": None, "label": {"da": "Over 0", "en": ">0"}}
        )
    return bands


def ratio_bands(indicator):
    """The bands of a ratio indicator from its edges: (150, 300) gives `under_150` [0, 150),
    `150_300` [150, 300) and `from_300` [300, ∞) — lower inclusive, as for shares."""
    edges = list(indicator.bands)
    first = num(edges[0])
    bands = [
        {
            "key": f"under_{edges[0]:g}",
            "lower": 0,
            "upper": edges[0],
            "label": {"da": f"Under {first}", "en": f"Under {edges[0]:,g}"},
        }
    ]
    for lower, upper in zip(edges, edges[1:], strict=False):
        bands.append(
            {
                "key": f"{lower:g}_{upper:g}",
                "lower": lower,
                "upper": upper,
                "label": {"da": f"{num(lower)}–{num(upper)}", "en": f"{lower:,g}–{upper:,g}"},
            }
        )
    last = edges[-1]
    bands.append(
        {
            "key": f"from_{last:g}",
            "lower": last,
            "upper": None,
            "label": {"da": f"{num(last)} og derover", "en": f"{last:,g} and above"},
        }
    )
    return bands


def num(value, decimals=None):
    """'1.250', '2,5', '294,1' — a number in Danish (thousands point, decimal comma); with
    `decimals` rounded to that many. '–' for none. A value that rounds to zero has no minus."""
    if value is None:
        return "–"
    if decimals is not None:
        value = round(value, decimals)
        if value == 0:
            value = 0.0
        shown = f"{value:,.{decimals}f}"
    elif isinstance(value, float) and not value.is_integer():
        shown = f"{value:,.10g}" if abs(value) < 1e15 else f"{value:,.0f}"
    else:
        shown = f"{int(value):,}"
    return shown.replace(",", "\x00").replace(".", ",").replace("\x00", ".").replace("-", "−")


def band_of(value, bands):
    if value is None:
        return None
    start = 0
    if bands[0]["key"] == "zero":  # a share's own band for exactly 0
        if value == 0:
            return "zero"
        start = 1
    for band in bands[start:]:
        upper = band["upper"]
        if upper is None or value < upper - EPSILON:
            return band["key"]
    return bands[-1]["key"]


def _recipients_frame(round_):
    rows = list(
        round_.recipients.order_by("code").values(
            "id", "code", "name", "region_code", "region_name", "dst_group"
        )
    )
    return pd.DataFrame(
        rows, columns=["id", "code", "name", "region_code", "region_name", "dst_group"]
    )


def _submissions(round_id):
    return {
        s["municipality_id"]: s
        for s in Submission.objects.filter(round_id=round_id).values(
            "municipality_id", "state", "answers", "derived"
        )
    }


def _indicator_values(frame, subs, indicator):
    """Add numerator, denominator and value columns for one indicator to a copy of frame."""
    nums, dens = [], []
    for mid in frame["id"]:
        sub = subs.get(mid)
        if sub is None or sub["state"] not in RESPONDED or not isinstance(sub["answers"], dict):
            nums.append(None)
            dens.append(None)
            continue
        nums.append(_num(sub["answers"].get(indicator.numerator)))
        dens.append(_num(sub["answers"].get(indicator.denominator)))
    out = frame.copy()
    out["numerator"] = pd.Series(nums, index=frame.index, dtype="object")
    out["denominator"] = pd.Series(dens, index=frame.index, dtype="object")
    out["value"] = pd.Series(
        [_ratio(n, d) for n, d in zip(nums, dens, strict=True)], index=frame.index, dtype="object"
    )
    out["has_value"] = out["value"].map(lambda v: v is not None)
    return out


def _counts(values, indicator):
    """Counts over a sequence of (non-None) values."""
    values = list(values)
    target = indicator.target
    return {
        "with_value": len(values),
        "at_or_above_target": (
            sum(1 for v in values if v >= target - EPSILON) if target is not None else None
        ),
        "under_threshold": [
            {
                "threshold": t,
                "count": sum(1 for v in values if v < t - EPSILON),
                "zero": sum(1 for v in values if v == 0) if t > 0 else 0,
            }
            for t in indicator.thresholds
        ],
        "zero": sum(1 for v in values if v == 0),
    }


def _ranked(valued, descending):
    """Top/bottom N with ties at the cut included, competition ranks, deterministic order."""
    ordered = sorted(
        valued,
        key=lambda r: (-r["value"] if descending else r["value"], r["name"], r["code"]),
    )
    out = []
    for i, r in enumerate(ordered):
        if i == 0 or r["value"] != ordered[i - 1]["value"]:
            rank = i + 1
        if rank > TOP_N:
            break
        out.append({"rank": rank, "code": r["code"], "name": r["name"], "value": r["value"]})
    return out


def _group_order(name):
    return (DST_GROUP_ORDER.index(name), name) if name in DST_GROUP_ORDER else (99, name)


def _aggregate(df, by, indicator):
    """Σnum/Σden and counts per group of `by` columns (over all recipients of the group)."""
    groups = []
    for keys, part in df.groupby(list(by), sort=False, dropna=False):
        keys = keys if isinstance(keys, tuple) else (keys,)
        valued = part[part["has_value"]]
        num = float(sum(valued["numerator"])) if len(valued) else 0.0
        den = float(sum(valued["denominator"])) if len(valued) else 0.0
        counts = _counts(valued["value"], indicator)
        groups.append(
            {
                **{col: _py(k) for col, k in zip(by, keys, strict=True)},
                "recipients": int(len(part)),
                "responses": int(part["responded"].sum()),
                "numerator": _py(_intish(num)),
                "denominator": _py(_intish(den)),
                "value": _ratio(num, den),
                **counts,
            }
        )
    return groups


REST = {"da": "Øvrige", "en": "The rest"}


def round_groupings(round_):
    """The group-bys of a round beyond region and DST group (issue 14): each categorical
    attribute of a register other than the municipalities (its values by name), and each saved
    selection of the round's register (its members against the rest — the partnership).
    [{key, kind, label, values: {member id: group}, labels: {group: label}}]; two queries, and
    one per attribute that names members of another register."""
    register = round_.survey.register
    ids = list(round_.recipients.values_list("id", "attributes"))
    out = []
    if register.key != "kommuner":
        for spec in register.categorical_attributes():
            key = spec["key"]
            values = {mid: str((attrs or {}).get(key) or "") for mid, attrs in ids}
            labels = {v: v for v in values.values()}
            if spec.get("type") == "code" and spec.get("register"):
                labels.update(
                    Organisation.objects.filter(
                        register__key=spec["register"], code__in=list(labels)
                    ).values_list("code", "name")
                )
            label = spec.get("label") or {"da": key}
            out.append(
                {
                    "key": key,
                    "kind": "attribute",
                    "label": label,
                    "values": values,
                    "labels": labels,
                }
            )
    members = {}
    names = {}
    for sid, name, mid in Selection.members.through.objects.filter(
        selection__register=register
    ).values_list("selection_id", "selection__name", "organisation_id"):
        members.setdefault(sid, set()).add(mid)
        names[sid] = name
    for sid in sorted(members, key=lambda s: names[s]):
        out.append(
            {
                "key": f"selection:{sid}",
                "kind": "selection",
                "label": {"da": names[sid], "en": names[sid]},
                "values": {mid: "in" if mid in members[sid] else "out" for mid, _a in ids},
                "labels": {"in": names[sid], "out": REST["da"]},
            }
        )
    return out


def _grouping(df, grouping, indicator):
    """One group-by of `round_groupings` for one indicator: its groups with Σnum/Σden and
    counts, like by_region."""
    part = df.assign(group=[grouping["values"].get(mid, "") for mid in df["id"].tolist()])
    groups = []
    for g in _aggregate(part, ("group",), indicator):
        groups.append({**g, "label": grouping["labels"].get(g["group"], g["group"])})
    order = list(grouping["labels"])
    groups.sort(key=lambda g: order.index(g["group"]) if g["group"] in order else len(order))
    if grouping["kind"] == "attribute":
        groups.sort(key=lambda g: str(g["label"]))
    return {
        "key": grouping["key"],
        "kind": grouping["kind"],
        "label": grouping["label"],
        "groups": groups,
    }


def _intish(x):
    return int(x) if isinstance(x, float) and x.is_integer() else x


def _analyse_indicator(indicator, frame, subs, prev_frame, prev_subs, previous_round, groupings=()):
    df = _indicator_values(frame, subs, indicator)
    bands = ratio_bands(indicator) if indicator.is_ratio else bands_for(indicator)
    valued = df[df["has_value"]]
    num_total = _intish(float(sum(valued["numerator"]))) if len(valued) else 0
    den_total = _intish(float(sum(valued["denominator"]))) if len(valued) else 0
    national = _ratio(num_total, den_total) if len(valued) else None

    prev_values, prev_block = {}, None
    if previous_round is not None:
        pdf = _indicator_values(prev_frame, prev_subs, indicator)
        prev_values = {
            code: v for code, v in zip(pdf["code"], pdf["value"], strict=True) if v is not None
        }
        pvalued = pdf[pdf["has_value"]]
        pnum = _intish(float(sum(pvalued["numerator"]))) if len(pvalued) else 0
        pden = _intish(float(sum(pvalued["denominator"]))) if len(pvalued) else 0
        pnational = _ratio(pnum, pden) if len(pvalued) else None
        prev_block = {
            "round": previous_round.slug,
            "title": previous_round.title,
            "national": {"numerator": pnum, "denominator": pden, "value": pnational},
            "change": (
                national - pnational if national is not None and pnational is not None else None
            ),
            **_counts(pvalued["value"], indicator),
        }

    municipalities = []
    for row in df.itertuples(index=False):
        value = row.value
        previous = prev_values.get(row.code) if previous_round is not None else None
        municipalities.append(
            {
                "code": row.code,
                "name": row.name,
                "region_code": row.region_code,
                "region_name": row.region_name,
                "dst_group": row.dst_group,
                "state": row.state,
                "numerator": _py(row.numerator),
                "denominator": _py(row.denominator),
                "value": value,
                "band": band_of(value, bands),
                "previous_value": previous,
                "change": value - previous if value is not None and previous is not None else None,
            }
        )
    if prev_block is not None:
        prev_block["municipalities_compared"] = sum(
            1 for m in municipalities if m["change"] is not None
        )
    valued_rows = [m for m in municipalities if m["value"] is not None]
    band_counts = {b["key"]: 0 for b in bands}
    for m in valued_rows:
        band_counts[m["band"]] += 1

    by_group = sorted(
        _aggregate(df, ("dst_group",), indicator), key=lambda g: _group_order(g["dst_group"])
    )
    by_region = sorted(
        _aggregate(df, ("region_code", "region_name"), indicator),
        key=lambda g: g["region_code"],
    )
    with_value = len(valued_rows)
    return {
        "key": indicator.key,
        "type": indicator.type,
        "unit": indicator.unit,
        "label": indicator.label,
        "numerator": indicator.numerator,
        "denominator": indicator.denominator,
        "target": indicator.target,
        "target_label": indicator.target_label,
        "thresholds": list(indicator.thresholds),
        "national": {"numerator": num_total, "denominator": den_total, "value": national},
        "counts": _counts(valued["value"], indicator),
        "responders_without_value": [
            {"code": m["code"], "name": m["name"]}
            for m in municipalities
            if m["state"] in RESPONDED and m["value"] is None
        ],
        "bands": [
            {
                **b,
                "count": band_counts[b["key"]],
                "share": band_counts[b["key"]] / with_value if with_value else None,
            }
            for b in bands
        ],
        "stats": describe([m["value"] for m in valued_rows]),
        "top": _ranked(valued_rows, descending=True),
        "bottom": _ranked(valued_rows, descending=False),
        "by_dst_group": by_group,
        "by_region": by_region,
        "groupings": [_grouping(df, g, indicator) for g in groupings],
        "municipalities": municipalities,
        "previous": prev_block,
    }


def _entries_summary(spec, frame, subs):
    """For entries surveys: how many entries, 'nothing to report' answers, and choice counts."""
    entries, nothing = 0, 0
    choice_counts = OrderedDict(
        (q.key, OrderedDict((v, 0) for v in q.choice_values))
        for q in spec.questions
        if q.type == "single_choice"
    )
    for mid in frame["id"]:
        sub = subs.get(mid)
        if sub is None or sub["state"] not in RESPONDED or not isinstance(sub["answers"], dict):
            continue
        if sub["answers"].get("nothing_to_report"):
            nothing += 1
        for entry in sub["answers"].get("entries") or []:
            entries += 1
            for key, counts in choice_counts.items():
                if entry.get(key) in counts:
                    counts[entry[key]] += 1
    return {
        "entries": entries,
        "nothing_to_report": nothing,
        "by_choice": {k: dict(v) for k, v in choice_counts.items()},
    }


def _frame_with_states(round_, subs):
    frame = _recipients_frame(round_)
    frame["state"] = [
        subs[mid]["state"] if mid in subs else "no_response" for mid in frame["id"].tolist()
    ]
    frame["responded"] = frame["state"].isin(RESPONDED)
    return frame


def analyse_round(round_):
    """Everything the report says about a round, as a JSON-serialisable dict. Uses a constant
    number of queries (recipients and submissions of the round and of its previous round)."""
    spec = round_.definition.spec
    subs = _submissions(round_.id)
    frame = _frame_with_states(round_, subs)
    previous = round_.previous
    prev_frame = prev_subs = None
    if previous is not None:
        prev_subs = _submissions(previous.id)
        prev_frame = _frame_with_states(previous, prev_subs)

    recipients = int(len(frame))
    responses = int(frame["responded"].sum())
    states = {s: 0 for s in ("no_response", "draft", "submitted", "returned", "accepted")}
    for state, n in frame["state"].value_counts().items():
        states[str(state)] = int(n)
    non_responders = [
        {"code": r.code, "name": r.name} for r in frame[~frame["responded"]].itertuples()
    ]
    indicators = []
    if not spec.has_entries:
        groupings = round_groupings(round_)
        indicators = [
            _analyse_indicator(ind, frame, subs, prev_frame, prev_subs, previous, groupings)
            for ind in spec.indicators
        ]
    responders = _responders(frame, subs)
    return {
        "round": {
            "slug": round_.slug,
            "title": round_.title,
            "survey": round_.survey.key,
            "survey_name": text(spec.title, "da"),
            "state": round_.state,
            "deadline": round_.deadline.isoformat(),
            "previous": previous.slug if previous else None,
            "previous_title": previous.title if previous else None,
            "is_demo": round_.is_demo,
        },
        "provisional": not round_.is_closed,
        "generated_at": timezone.now().isoformat(),
        "recipients": recipients,
        "responses": responses,
        "response_rate": responses / recipients if recipients else None,
        "states": states,
        "non_responders": non_responders,
        "indicators": indicators,
        "entries": _entries_summary(spec, frame, subs) if spec.has_entries else None,
        "statistics": _statistics(spec, responders),
        "splits": _splits(spec, responders),
        "scatters": _scatters(spec, responders),
        "trend": [] if spec.has_entries else _trend(spec, round_),
        "anonymised": False,
    }


# --- Beyond a share with a target: statistics, splits, scatters (definition sections of the
# same names) and the trend across rounds. Every figure is over *responders* (submitted or
# accepted) that have the value; a missing value is left out, never counted as 0.


def describe(values):
    """{n, mean, median, min, max, total} of the values that are not None (None for each
    figure when there are none). The mean is unweighted: each respondent counts once."""
    values = [v for v in values if v is not None]
    if not values:
        return {"n": 0, "mean": None, "median": None, "min": None, "max": None, "total": None}
    ordered = sorted(values)
    mid = len(ordered) // 2
    median = ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2
    return {
        "n": len(values),
        "mean": math.fsum(values) / len(values),
        "median": median,
        "min": ordered[0],
        "max": ordered[-1],
        "total": _intish(math.fsum(values)),
    }


def pearson(pairs):
    """Pearson's correlation coefficient of (x, y) pairs; None under 3 pairs or when either
    has no spread."""
    if len(pairs) < 3:
        return None
    n = len(pairs)
    mx = math.fsum(x for x, _ in pairs) / n
    my = math.fsum(y for _, y in pairs) / n
    sxy = math.fsum((x - mx) * (y - my) for x, y in pairs)
    sxx = math.fsum((x - mx) ** 2 for x, _ in pairs)
    syy = math.fsum((y - my) ** 2 for _, y in pairs)
    if sxx <= 0 or syy <= 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def value_source(spec, key):
    """How to read one number per respondent for `key` (an indicator, a derived value or a
    number question, in that order): {key, label, kind, unit, target, read(answers, derived)}.
    `kind` says how to read the figure: `share` (a fraction, 0.43 = 43 %), `percent` (a
    percentage question as typed, 43 = 43 %) or `number`."""
    for ind in spec.indicators:
        if ind.key == key:
            return {
                "key": key,
                "label": ind.label,
                "kind": "number" if ind.is_ratio else "share",
                "unit": ind.unit,
                "target": ind.target,
                "read": lambda a, d, i=ind: _ratio(
                    _num(a.get(i.numerator)), _num(a.get(i.denominator))
                ),
            }
    for der in spec.derived:
        if der.key == key:
            return {
                "key": key,
                "label": der.label,
                "kind": "share" if der.type == "percentage" else "number",
                "unit": {},
                "target": None,
                "read": lambda a, d: _num(d.get(key)),
            }
    q = spec.question(key)
    return {
        "key": key,
        "label": q.label if q else {"da": key},
        "kind": "percent" if q is not None and q.type == "percentage" else "number",
        "unit": q.unit if q else {},
        "target": None,
        "read": lambda a, d: _num(a.get(key)),
    }


def _source_meta(source):
    return {k: source[k] for k in ("key", "label", "kind", "unit", "target")}


def _responders(frame, subs):
    """(code, name, answers, derived) of each responder, in the frame's (code) order."""
    out = []
    for row in frame.itertuples(index=False):
        sub = subs.get(row.id)
        if sub is None or sub["state"] not in RESPONDED or not isinstance(sub["answers"], dict):
            continue
        derived = sub.get("derived") if isinstance(sub.get("derived"), dict) else {}
        out.append((row.code, row.name, sub["answers"], derived))
    return out


def _statistics(spec, responders):
    out = []
    for item in spec.statistics:
        source = value_source(spec, item.value)
        values = [source["read"](a, d) for _, _, a, d in responders]
        out.append(
            {
                "key": item.key,
                "label": item.label or source["label"],
                "value": _source_meta(source),
                **describe(values),
                "responders_without_value": [
                    {"code": c, "name": n}
                    for (c, n, _, _), v in zip(responders, values, strict=True)
                    if v is None
                ],
            }
        )
    return out


def _splits(spec, responders):
    """Per split: the respondents that answered every part, the mean of each part across them
    (unweighted) and its range. Respondents with a part missing are listed, not counted."""
    out = []
    for split in spec.splits:
        sources = [value_source(spec, p) for p in split.parts]
        rows, missing = [], []
        for code, name, answers, derived in responders:
            values = [s["read"](answers, derived) for s in sources]
            if any(v is None for v in values):
                missing.append({"code": code, "name": name})
            else:
                rows.append({"code": code, "name": name, "values": values})
        parts = []
        for i, source in enumerate(sources):
            stats = describe([r["values"][i] for r in rows])
            parts.append({**_source_meta(source), **stats})
        out.append(
            {
                "key": split.key,
                "label": split.label,
                "respondents": len(rows),
                "parts": parts,
                "mean_total": _intish(math.fsum(p["mean"] for p in parts)) if rows else None,
                "rows": rows,
                "responders_without_value": missing,
            }
        )
    return out


def _scatters(spec, responders):
    out = []
    for scatter in spec.scatters:
        xs, ys = value_source(spec, scatter.x), value_source(spec, scatter.y)
        points, missing = [], []
        for code, name, answers, derived in responders:
            x, y = xs["read"](answers, derived), ys["read"](answers, derived)
            if x is None or y is None:
                missing.append({"code": code, "name": name})
            else:
                points.append({"code": code, "name": name, "x": x, "y": y})
        out.append(
            {
                "key": scatter.key,
                "label": scatter.label,
                "x": _source_meta(xs),
                "y": _source_meta(ys),
                "n": len(points),
                "correlation": pearson([(p["x"], p["y"]) for p in points]),
                "points": points,
                "responders_without_value": missing,
            }
        )
    return out


def trend_rounds(round_):
    """The rounds of the round's survey up to and including it (by deadline), leaving out
    rounds that were never opened: the trend's columns, oldest first."""
    from surveys.models import Round, RoundState

    rounds = list(
        Round.objects.filter(survey_id=round_.survey_id, deadline__lte=round_.deadline)
        .exclude(state=RoundState.DRAFT)
        .order_by("deadline", "id")
    )
    if round_.pk not in {r.pk for r in rounds}:
        rounds.append(round_)
    return rounds


def _trend(spec, round_):
    """Per indicator (share and ratio): the national value (Σ numerator / Σ denominator) and
    each respondent's value in every round of the survey up to this one. Two queries."""
    if not spec.indicators:
        return []
    rounds = trend_rounds(round_)
    index = {r.pk: i for i, r in enumerate(rounds)}
    rows = Submission.objects.filter(round_id__in=list(index), state__in=RESPONDED).values_list(
        "round_id", "municipality__code", "municipality__name", "answers"
    )
    by_respondent = {}
    for round_id, code, name, answers in rows:
        if isinstance(answers, dict):
            by_respondent.setdefault((code, name), {})[index[round_id]] = answers
    out = []
    for ind in spec.indicators:
        respondents = []
        sums = [[0.0, 0.0, 0] for _ in rounds]
        for (code, name), answers_by_round in sorted(by_respondent.items()):
            values = []
            for i in range(len(rounds)):
                answers = answers_by_round.get(i)
                n = _num(answers.get(ind.numerator)) if answers else None
                d = _num(answers.get(ind.denominator)) if answers else None
                value = _ratio(n, d)
                if value is not None:
                    sums[i][0] += n
                    sums[i][1] += d
                    sums[i][2] += 1
                values.append(value)
            if any(v is not None for v in values):
                respondents.append({"code": code, "name": name, "values": values})
        out.append(
            {
                "indicator": ind.key,
                "type": ind.type,
                "label": ind.label,
                "unit": ind.unit,
                "target": ind.target,
                "rounds": [
                    {
                        "slug": r.slug,
                        "title": r.title,
                        "deadline": r.deadline.isoformat(),
                        "provisional": not r.is_closed,
                        "national": _ratio(num_, den) if k else None,
                        "with_value": k,
                    }
                    for r, (num_, den, k) in zip(rounds, sums, strict=True)
                ],
                "respondents": respondents,
            }
        )
    return out


def latest_rounds(trend, count):
    """One indicator's trend (an item of `analyse_round(...)["trend"]`) over only its newest
    `count` rounds — the round itself and the `count - 1` before it, oldest first — for a page
    too narrow for them all: those rounds, each respondent's values in them, and only the
    respondents with a value in one of them (as `_trend` keeps only those with one).
    `all_rounds` is how many rounds the whole trend has. The one rule for which rounds a
    shortened trend shows."""
    total = len(trend["rounds"])
    if count >= total:
        return {**trend, "all_rounds": total}
    count = max(count, 1)
    respondents = []
    for r in trend["respondents"]:
        values = r["values"][-count:]
        if any(v is not None for v in values):
            respondents.append({**r, "values": values})
    return {
        **trend,
        "rounds": trend["rounds"][-count:],
        "respondents": respondents,
        "all_rounds": total,
    }


# --- Anonymised reporting: respondents as codes R01, R02 … instead of names.


def pseudonyms(codes, salt):
    """{code: 'R01', …}: the respondents numbered in an order that says nothing about them
    (by an HMAC of the survey and the code under SECRET_KEY), so the same respondent keeps its
    code in every round and report of the survey while SECRET_KEY stays the same."""
    import hashlib
    import hmac

    from django.conf import settings

    key = settings.SECRET_KEY.encode()

    def digest(code):
        return hmac.new(key, f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()

    ordered = sorted(set(codes), key=digest)
    width = max(2, len(str(len(ordered))))
    return {code: f"R{i + 1:0{width}d}" for i, code in enumerate(ordered)}


PERSONAL_KEYS = ("region_code", "region_name", "dst_group")


def anonymise(summary, survey_key, respondents=()):
    """A copy of `analyse_round`'s dict with every respondent as a pseudonym (code and name
    alike), and no region or municipality group next to a single respondent (aggregates by
    group stay). Returns (summary, key): the key maps each pseudonym to its code and name —
    for the coordinator, never for publication. `respondents` ((code, name) pairs, e.g. every
    recipient) get pseudonyms too, so the key also covers those the figures do not name."""
    import copy

    names = dict(respondents)

    def collect(node):
        if isinstance(node, dict):
            if isinstance(node.get("code"), str) and "name" in node:
                names[node["code"]] = node["name"]
            for v in node.values():
                collect(v)
        elif isinstance(node, list):
            for v in node:
                collect(v)

    collect(summary)
    codes = pseudonyms(names, survey_key)

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("code"), str) and "name" in node:
                code = codes[node["code"]]
                node["code"] = node["name"] = code
                for k in PERSONAL_KEYS:
                    if k in node:
                        node[k] = ""
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    out = copy.deepcopy(summary)
    walk(out)
    for ind in out["indicators"]:
        for part in ("top", "bottom"):  # ties were ordered by name: by pseudonym now
            ind[part].sort(key=lambda r: (r["rank"], r["code"]))
        ind["municipalities"].sort(key=lambda m: m["code"])
    for trend in out.get("trend") or []:
        trend["respondents"].sort(key=lambda r: r["code"])
    for part in ("splits", "scatters"):
        for item in out.get(part) or []:
            item["rows" if part == "splits" else "points"].sort(key=lambda r: r["code"])
    out["non_responders"].sort(key=lambda r: r["code"])
    out["anonymised"] = True
    key = sorted(
        ({"pseudonym": p, "code": c, "name": names[c]} for c, p in codes.items()),
        key=lambda r: r["pseudonym"],
    )
    return out, key
