#!/usr/bin/env python3
"""Generate trainer/synth/src/marginals.rs from the Home Credit column profiles.

The profiles ($CREDIT_SHARED_DATA/homecredit-profiles/*_profile.csv, default
$CREDIT_SHARED_DATA) hold per-column summary statistics of real samples: dtype,
missing rate, quantiles (min, p01, p05, p25, p50, p75, p95, p99, max), mean and
the top categories with their shares. This script turns them into a Rust table
the synthetic generator samples from; it copies no rows of the real data.

For every column it writes:
  * `missing`    the share of empty fields;
  * `sentinel`   the share of non-missing values equal to 365243 (the "no date"
                 marker of DAYS_EMPLOYED and the previous-application dates),
                 solved from the mean since the quantiles only bound it;
  * `decimals`   how many decimals the values carry (0 = whole numbers);
  * `knots`      the quantile function of the non-sentinel values as
                 (cumulative share, value) points, sampled piecewise-linearly;
                 0/1 columns get a step at 1 - mean so their rate is exact;
  * `categories` the listed categories with shares renormalised to sum to 1.

Usage: python3 trainer/synth/scripts/gen_marginals.py [--profiles DIR] [--out FILE]
"""

import argparse
import csv
import os
import sys
from pathlib import Path

SENTINEL = 365243.0
PROBS = [0.0, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 1.0]
QUANTILE_COLUMNS = ["min", "p01", "p05", "p25", "p50", "p75", "p95", "p99", "max"]
TABLES = [
    ("APPLICATION", "application_train"),
    ("BUREAU", "bureau"),
    ("BUREAU_BALANCE", "bureau_balance"),
    ("PREVIOUS_APPLICATION", "previous_application"),
    ("POS_CASH_BALANCE", "POS_CASH_balance"),
    ("INSTALLMENTS_PAYMENTS", "installments_payments"),
    ("CREDIT_CARD_BALANCE", "credit_card_balance"),
]


def decimals_of(text):
    if "." not in text:
        return 0
    return len(text.split(".", 1)[1].rstrip("0"))


def piecewise_mean(knots):
    """Mean of the piecewise-linear quantile function through `knots`."""
    return sum((p1 - p0) * (v0 + v1) / 2 for (p0, v0), (p1, v1) in zip(knots, knots[1:]))


def sentinel_knots(quantiles, mean):
    """Split a column with 365243 markers into (sentinel share, knots of the rest)."""
    points = [(p, v) for p, v in zip(PROBS, quantiles) if v != SENTINEL]
    share = 0.5
    knots = []
    for _ in range(50):
        rest = 1.0 - share
        knots = [(min(p / rest, 1.0), v) for p, v in points if p < rest]
        if knots[-1][0] < 1.0:
            # Extend the last segment's slope to the end; dates stay in the past
            # when every known value is.
            (p0, v0), (p1, v1) = knots[-2], knots[-1]
            end = v1 + (v1 - v0) / (p1 - p0) * (1.0 - p1)
            if v1 <= 0.0:
                end = min(end, 0.0)
            knots.append((1.0, end))
        other = piecewise_mean(knots)
        share = min(max((mean - other) / (SENTINEL - other), 0.0), 0.999)
    return share, knots


def column_entry(row):
    name = row["column"]
    missing = float(row["missing_rate"] or 0.0)
    top = (row.get("top_values") or "").strip()
    if row["dtype"] in ("str", "object"):
        pairs = []
        for item in top.split("; "):
            label, _, share = item.rpartition("=")
            if label and float(share) > 0.0:
                pairs.append((label, float(share)))
        total = sum(s for _, s in pairs)
        categories = [(label, s / total) for label, s in pairs]
        return dict(column=name, missing=missing, sentinel=0.0, decimals=0,
                    knots=[], categories=categories)
    texts = [row[c] for c in QUANTILE_COLUMNS]
    quantiles = [float(t) for t in texts]
    mean = float(row["mean"])
    n_unique = int(row["n_unique"])
    # Interpolated quantiles (p01, p99, ...) of whole-number columns can carry
    # decimals; a column counts as whole when most of its quantiles are.
    whole = sum(decimals_of(t) == 0 for t in texts) >= 6
    decimals = 0 if whole or row["dtype"].startswith("int") else min(max(map(decimals_of, texts)), 4)
    sentinel = 0.0
    if n_unique <= 2 and quantiles[0] == 0.0 and quantiles[-1] == 1.0:
        knots = [(0.0, 0.0), (1.0 - mean, 0.0), (1.0 - mean, 1.0), (1.0, 1.0)]
    elif quantiles[-1] == SENTINEL:
        sentinel, knots = sentinel_knots(quantiles, mean)
    else:
        knots = list(zip(PROBS, quantiles))
    return dict(column=name, missing=missing, sentinel=sentinel, decimals=decimals,
                knots=knots, categories=[])


def rust_float(x):
    text = repr(float(round(x, 6)))
    return text if ("." in text or "e" in text) else text + ".0"


def rust_entry(e):
    knots = ", ".join(f"({rust_float(p)}, {rust_float(v)})" for p, v in e["knots"])
    cats = ", ".join(f"({label!r}, {rust_float(s)})".replace("'", '"') for label, s in e["categories"])
    return (f'    m("{e["column"]}", {rust_float(e["missing"])}, {rust_float(e["sentinel"])}, '
            f'{e["decimals"]}, &[{knots}], &[{cats}]),')


def main():
    here = Path(__file__).resolve().parent
    default_profiles = Path(os.environ.get("CREDIT_SHARED_DATA", "/work/shared/data")) / "homecredit-profiles"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=Path, default=default_profiles)
    parser.add_argument("--out", type=Path, default=here.parent / "src" / "marginals.rs")
    args = parser.parse_args()

    lines = [
        "//! Per-column statistics of the real Home Credit files: missing rate, share of",
        "//! the 365243 date sentinel, decimals, quantile knots and category shares.",
        "//!",
        "//! Generated by `trainer/synth/scripts/gen_marginals.py` from the column profiles;",
        "//! derived statistics only, no rows of the original data. Do not edit by hand.",
        "",
        "use super::sample::Marginal;",
        "",
        "const fn m(",
        "    column: &'static str,",
        "    missing: f64,",
        "    sentinel: f64,",
        "    decimals: u8,",
        "    knots: &'static [(f64, f64)],",
        "    categories: &'static [(&'static str, f64)],",
        ") -> Marginal {",
        "    Marginal {",
        "        column,",
        "        missing,",
        "        sentinel,",
        "        decimals,",
        "        knots,",
        "        categories,",
        "    }",
        "}",
        "",
        "#[rustfmt::skip]",
        "pub(super) static TABLES: &[(&str, &[Marginal])] = &[",
    ]
    body = []
    for const, stem in TABLES:
        path = args.profiles / f"{stem}_profile.csv"
        try:
            with open(path, newline="", encoding="utf-8") as f:
                rows = list(csv.DictReader(f))
        except OSError as err:
            sys.exit(f"{path}: cannot read profile: {err}")
        lines.append(f'    ("{stem}", {const}),')
        body.append("")
        body.append("#[rustfmt::skip]")
        body.append(f"static {const}: &[Marginal] = &[")
        body.extend(rust_entry(column_entry(r)) for r in rows)
        body.append("];")
    lines.append("];")
    args.out.write_text("\n".join(lines + body) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
