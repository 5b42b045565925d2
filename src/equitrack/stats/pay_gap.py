"""Ethnicity pay gap from per-person hourly pay, as the UK government's 2023 guidance sets out.

"Ethnicity pay reporting: guidance for employers" (Department for Business and Trade, April
2023) uses the gender pay gap methods (Equality Act 2010 (Gender Pay Gap Information)
Regulations 2017, SI 2017/172, and GOV.UK's "make your calculations" guidance) with ethnic
groups in place of sexes, each compared with a reference group. Computed here:

* **mean and median hourly pay gap** of each group against each reference:
  (reference − group) / reference × 100, so a positive gap means the group is paid less, as a
  percentage of the reference's pay. The median of an even number of people is the mean of
  the middle two;
* **hourly pay quarters**: everyone with an hourly pay (known and unknown ethnicity alike) is
  ranked from lowest to highest paid and the ranking is cut into four equal parts (regulation
  13(1), steps 1-2); each group's count in each quarter and its share of the quarter (steps
  3-4), with unknown ethnicity shown as a group of its own so that the shares in a quarter add
  up;
* **bonus** (when bonus pay is supplied): mean and median bonus gap among those who received
  a bonus (bonus > 0) in each group, and the share of each group who received one;
* **the share of staff whose ethnicity is not known**, because a low declaration rate makes
  every other figure doubtful.

Every figure carries the headcounts it rests on, so that callers can apply the small-number
and disclosure rules (which are not applied here).

Ties at a quarter boundary, spread evenly. Regulation 13(2) says that where employees on the
same hourly pay fall in more than one quarter, the employer must (so far as possible) make the
proportion of each sex among those employees the same in each of those quarters; for ethnicity
read ethnic group for sex. Done exactly, that means fractional people, which this module counts
with :class:`fractions.Fraction`:

1. Lay the N ranked people along a line, person i occupying [i, i + 1); quarter q (1 to 4)
   is the stretch [(q − 1)·N/4, q·N/4), so each quarter holds exactly N/4 people.
2. The m people tied on one pay value occupy one block [s, s + m) of the line, in no
   particular order. The block's overlap with quarter q, o_q, is the number of places it
   fills there.
3. Each group with m_g people in the block gets m_g · o_q / m of them in quarter q.

So every quarter a tied block touches gets the same mix of groups as the block as a whole (the
regulation's rule, with no "so far as possible"), quarter sizes stay equal, and the result does
not depend on the order the tied people arrive in. The same rule covers a workforce whose size
is not a multiple of four: the one person straddling a boundary (a block of one) is split
between the two quarters in proportion to the places, instead of by a convention about where
the one to three people left over go (the regulation only asks for "so far as possible" equal
quarters, and employers' conventions differ). This is the one deliberate choice beyond the
guidance: a report that must show whole people per quarter will differ by under one person.
When N is a multiple of four and no tie straddles a boundary, every count is a whole number and
the quarters are the usual ones. "Tied" means exactly equal hourly pay values: round pay to the
precision it is recorded in before calling, if it is computed.

Inputs are one value per person (numpy arrays, pyarrow arrays or lists). Hourly pay may be
missing (null or NaN): such a person is left out of the hourly figures and counted in
``excluded``, but still counts for bonus and for the unknown-ethnicity share, since the GPG
bonus figures cover all relevant employees and the hourly ones only full-pay relevant ones. A
missing bonus for a person means no bonus paid (payroll extracts leave it blank); a bonus
array with no value at all for anyone means bonus pay was not supplied, and no bonus figures
are given. A label that is null, blank or one of ``unknown_labels`` is unknown ethnicity.

People who share a label, an hourly pay and a bonus may instead be given once, with their
number in ``counts``: what an engine's GROUP BY returns, so that a database need not send every
person's pay (NHS pay sits on a few dozen pay points). The figures are the same as for the
people one by one: counts and quarters exactly, medians exactly (the middle values are found
by cumulative counts), and means exactly too, since each value × count is summed without
rounding (Dekker's exact product inside ``math.fsum``).
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import numpy as np

from ._arrays import as_floats, as_labels, same_length
from .reasons import Code, Reason

if TYPE_CHECKING:
    import pyarrow as pa

#: Labels taken to mean "ethnicity not known", besides null and blank.
UNKNOWN_LABELS = ("Unknown",)
#: The row name under which unknown ethnicity is shown in quarters and bonus receipt.
UNKNOWN = "Unknown"
QUARTERS = (1, 2, 3, 4)  # 1 = lowest paid ("lower"), 4 = highest paid ("upper")

GroupSpec = str | Iterable[str] | Mapping[str, Iterable[str]]


@dataclass(frozen=True, slots=True)
class PayGap:
    """A group's mean and median pay against a reference group's, as a gap in percent.

    ``measure`` is "hourly" or "bonus" (bonus: among those who received one, so headcounts
    are recipients). A gap is (reference − group) / reference × 100: positive means the
    group is paid less. A gap is None when a side has nobody or the reference figure is 0,
    and ``reason`` then says which.
    """

    measure: str
    group: str
    reference: str
    group_headcount: int
    reference_headcount: int
    group_mean: float | None
    reference_mean: float | None
    mean_gap: float | None
    group_median: float | None
    reference_median: float | None
    median_gap: float | None
    reason: str | None = None
    why: Reason | None = None  # `reason` as data (`equitrack.stats.reasons`)


@dataclass(frozen=True, slots=True)
class QuarterShare:
    """How many of a group are in one hourly pay quarter (possibly fractional, see above).

    ``share`` = people / quarter_size, the group's share of the quarter (the GPG figure);
    ``share_of_group`` = people / group_headcount, the share of the group in that quarter.
    Both are None when their denominator is 0, and ``reason`` says so.
    """

    group: str
    quarter: int
    people: Fraction
    quarter_size: Fraction
    share: float | None
    group_headcount: int
    share_of_group: float | None
    reason: str | None = None
    why: Reason | None = None  # `reason` as data (`equitrack.stats.reasons`)


@dataclass(frozen=True, slots=True)
class BonusReceipt:
    """How many of a group received bonus pay (bonus > 0), out of everyone in the group."""

    group: str
    headcount: int
    received: int
    share: float | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class UnknownShare:
    """Staff whose ethnicity is not known, out of all staff given."""

    unknown: int
    total: int
    share: float | None


@dataclass(frozen=True, slots=True)
class PayGapReport:
    """Every pay-gap figure for one workforce snapshot, with the counts behind each.

    ``bonus_gaps`` and ``bonus_receipt`` are empty and ``bonus_reason`` says why when no bonus
    pay was supplied. ``excluded`` counts people left out of the hourly figures, by reason.
    ``options`` records the group and reference definitions used.
    """

    headcount: int
    gaps: tuple[PayGap, ...]
    quarters: tuple[QuarterShare, ...]
    bonus_gaps: tuple[PayGap, ...]
    bonus_receipt: tuple[BonusReceipt, ...]
    unknown: UnknownShare
    excluded: dict[str, int]
    bonus_reason: str | None = None
    options: dict[str, Any] = field(default_factory=dict)

    def gap(self, group: str, reference: str, measure: str = "hourly") -> PayGap:
        """The one gap of ``group`` against ``reference``."""
        rows = self.gaps if measure == "hourly" else self.bonus_gaps
        for row in rows:
            if row.group == group and row.reference == reference:
                return row
        raise KeyError(f"no {measure} gap for {group!r} against {reference!r}")

    def quarter(self, group: str) -> tuple[QuarterShare, ...]:
        """A group's four quarter rows, lowest paid first."""
        rows = tuple(row for row in self.quarters if row.group == group)
        if not rows:
            raise KeyError(f"no quarter figures for {group!r}")
        return rows

    def to_arrow(self) -> dict[str, pa.Table]:
        """Tables ``pay_gaps`` (hourly and bonus), ``pay_quarters``, ``bonus_receipt``,
        ``unknown``; each carries ``options`` and ``excluded`` as JSON schema metadata
        (key ``equitrack.pay_gap``). Fractional quarter counts are given as floats."""
        import pyarrow as pa

        metadata = {
            "equitrack.pay_gap": json.dumps(
                {
                    "options": self.options,
                    "excluded": self.excluded,
                    "headcount": self.headcount,
                    "bonus_reason": self.bonus_reason,
                },
                sort_keys=True,
            )
        }
        gap_schema, quarter_schema, receipt_schema, unknown_schema = _schemas()
        gap_rows = [_record(row) for row in (*self.gaps, *self.bonus_gaps)]
        gaps = pa.Table.from_pylist(gap_rows, schema=gap_schema)
        quarter_rows = []
        for row in self.quarters:
            record = _record(row)
            record["people"] = float(row.people)
            record["quarter_size"] = float(row.quarter_size)
            quarter_rows.append(record)
        quarters = pa.Table.from_pylist(quarter_rows, schema=quarter_schema)
        receipt = pa.Table.from_pylist(
            [_record(row) for row in self.bonus_receipt], schema=receipt_schema
        )
        unknown = pa.Table.from_pylist([_record(self.unknown)], schema=unknown_schema)
        return {
            name: table.replace_schema_metadata(metadata)
            for name, table in (
                ("pay_gaps", gaps),
                ("pay_quarters", quarters),
                ("bonus_receipt", receipt),
                ("unknown", unknown),
            )
        }


def gap_percent(group_value: float, reference_value: float) -> float | None:
    """(reference − group) / reference × 100; None when the reference figure is 0."""
    if reference_value == 0:
        return None
    return (reference_value - group_value) / reference_value * 100


def pay_gap(
    hourly_pay: Any,
    ethnicity: Any,
    *,
    references: GroupSpec,
    groups: GroupSpec | None = None,
    bonus: Any = None,
    unknown_labels: Iterable[str] = UNKNOWN_LABELS,
    counts: Any = None,
) -> PayGapReport:
    """The ethnicity pay gap figures for one snapshot, one value per person in each input (or
    per row of people alike, with ``counts`` saying how many each row stands for).

    ``references`` and ``groups`` name sets of ethnicity labels: a mapping from a name to its
    labels (``{"White": ["White British", "White Irish", "Any other White"]}``), or labels,
    each its own group. Every group is compared with every reference of another name; groups
    and references may overlap (White British against White is allowed). ``groups`` defaults to
    each known label on its own. Labels of unknown ethnicity are never in a group or reference,
    whatever the definitions say. Quarter and bonus-receipt rows are given for each group and
    for unknown ethnicity (put an aggregate such as "White" in ``groups`` to have its rows too).
    A group or reference with nobody in it gives rows whose figures are None and whose
    ``reason`` starts "no data", never an error.
    """
    unknown_set = {str(label) for label in unknown_labels}
    pay = as_floats(hourly_pay, "hourly_pay")
    labels = as_labels(ethnicity, "ethnicity")
    lengths = [("hourly_pay", len(pay)), ("ethnicity", len(labels))]
    bonus_values = None if bonus is None else as_floats(bonus, "bonus")
    if bonus_values is not None:
        lengths.append(("bonus", len(bonus_values)))
    weights = None if counts is None else _as_counts(counts)
    if weights is not None:
        lengths.append(("counts", len(weights)))
    same_length(lengths)
    if weights is None:
        weights = np.ones(len(pay), np.int64)
    elif not weights.all():  # a row of nobody is no row
        kept = weights > 0
        pay, weights = pay[kept], weights[kept]
        labels = [label for label, keep in zip(labels, kept, strict=True) if keep]
        bonus_values = None if bonus_values is None else bonus_values[kept]
    total = int(weights.sum())
    if np.any(np.isinf(pay)) or np.any(pay < 0):
        raise ValueError("hourly pay must be finite and zero or more")
    if bonus_values is not None and (np.any(np.isinf(bonus_values)) or np.any(bonus_values < 0)):
        raise ValueError("bonus pay must be finite and zero or more")

    # each distinct label looked at once, whatever the number of rows
    index: dict[str | None, int] = dict.fromkeys(labels, 0)
    named = list(index)
    index.update((lab, i) for i, lab in enumerate(named))
    which = np.fromiter(map(index.__getitem__, labels), np.int64, len(labels))
    known_label = np.array([lab is not None and lab not in unknown_set for lab in named], bool)
    known = known_label[which]
    group_defs = (
        _definitions(sorted(lab for lab, k in zip(named, known_label, strict=True) if k), "groups")
        if groups is None
        else _definitions(groups, "groups")
    )
    reference_defs = _definitions(references, "references")
    if UNKNOWN in group_defs:
        raise ValueError(f"{UNKNOWN!r} names the unknown-ethnicity row; name the group otherwise")

    def members(label_set: frozenset[str]) -> np.ndarray:
        inside = np.array([lab in label_set for lab in named], bool)
        return (known_label & inside)[which]

    group_masks = {name: members(labs) for name, labs in group_defs.items()}
    reference_masks = {name: members(labs) for name, labs in reference_defs.items()}
    has_pay = ~np.isnan(pay)

    def people(mask: np.ndarray, values: np.ndarray = pay) -> Weighted:
        return values[mask], weights[mask]

    gaps = tuple(
        _gap("hourly", g, r, people(gm & has_pay), people(rm & has_pay))
        for r, rm in reference_masks.items()
        for g, gm in group_masks.items()
        if g != r
    )

    shown = {**group_masks, UNKNOWN: ~known}
    quarters = _quarter_rows(*people(has_pay), {name: m[has_pay] for name, m in shown.items()})

    bonus_gaps: tuple[PayGap, ...] = ()
    receipt: tuple[BonusReceipt, ...] = ()
    bonus_reason: str | None
    if bonus_values is None:
        bonus_reason = "no bonus pay supplied"
    elif total == 0 or np.all(np.isnan(bonus_values)):
        bonus_reason = "bonus pay not recorded for anyone"
    else:
        bonus_reason = None
        paid = np.nan_to_num(bonus_values, nan=0.0)
        got = paid > 0
        bonus_gaps = tuple(
            _gap("bonus", g, r, people(gm & got, paid), people(rm & got, paid))
            for r, rm in reference_masks.items()
            for g, gm in group_masks.items()
            if g != r
        )
        receipt = tuple(
            _receipt(name, int(weights[mask].sum()), int(weights[mask & got].sum()))
            for name, mask in shown.items()
        )

    unknown_count = int(weights[~known].sum())
    missing_pay = int(weights[~has_pay].sum())
    return PayGapReport(
        headcount=total,
        gaps=gaps,
        quarters=quarters,
        bonus_gaps=bonus_gaps,
        bonus_receipt=receipt,
        unknown=UnknownShare(unknown_count, total, unknown_count / total if total else None),
        excluded={"no hourly pay": missing_pay} if missing_pay else {},
        bonus_reason=bonus_reason,
        options={
            "groups": {name: sorted(labs) for name, labs in group_defs.items()},
            "references": {name: sorted(labs) for name, labs in reference_defs.items()},
            "unknown_labels": sorted(unknown_set),
        },
    )


def pay_quarters(
    hourly_pay: Any, masks: Mapping[str, Any], counts: Any = None
) -> dict[str, tuple[Fraction, ...]]:
    """People of each named set in each hourly pay quarter, lowest paid first.

    ``masks`` maps a name to a boolean array over the same people as ``hourly_pay`` (which
    must have no missing values); ``counts``, when given, how many people each value stands
    for. Ties at a boundary are spread evenly, as the module docstring explains; counts are
    exact fractions and each quarter holds N/4 people.
    """
    pay = as_floats(hourly_pay, "hourly_pay")
    if np.any(np.isnan(pay)):
        raise ValueError("pay quarters need an hourly pay for everyone ranked")
    weights = np.ones(len(pay), np.int64) if counts is None else _as_counts(counts)
    same_length([("hourly_pay", len(pay)), ("counts", len(weights))])
    n = int(weights.sum())
    result: dict[str, tuple[Fraction, ...]] = {}
    if n == 0:
        return {name: (Fraction(0),) * 4 for name in masks}
    _, block = np.unique(pay, return_inverse=True)
    sizes = _summed(block, weights)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    # positions in quarter-person units, so that the boundaries q·N/4 are the integers q·N
    begin, end = 4 * starts, 4 * (starts + sizes)
    overlap = np.stack(
        [
            np.clip(np.minimum(end, (q + 1) * n) - np.maximum(begin, q * n), 0, None)
            for q in range(4)
        ],
        axis=1,
    )
    whole = overlap == 4 * sizes[:, None]  # block wholly inside quarter q
    split = np.flatnonzero(~whole.any(axis=1))
    for name, raw in masks.items():
        mask = np.asarray(raw, dtype=bool)
        if mask.shape != pay.shape:
            raise ValueError(f"mask {name!r} must have one value per person")
        per_block = _summed(block[mask], weights[mask], len(sizes))
        placed = [Fraction(int(per_block[whole[:, q]].sum())) for q in range(4)]
        for b in split:
            if per_block[b]:
                for q in range(4):
                    placed[q] += Fraction(int(per_block[b]) * int(overlap[b, q]), 4 * int(sizes[b]))
        result[name] = tuple(placed)
    return result


# --- helpers ------------------------------------------------------------------------------

#: Values and how many people hold each.
Weighted = tuple[np.ndarray, np.ndarray]


def _as_counts(counts: Any) -> np.ndarray:
    """How many people each row stands for: whole numbers, zero or more."""
    values = as_floats(counts, "counts")
    if np.any(~np.isfinite(values)) or np.any(values < 0) or np.any(values != np.floor(values)):
        raise ValueError("counts must be whole numbers, zero or more")
    return values.astype(np.int64)


def _summed(block: np.ndarray, weights: np.ndarray, blocks: int = 0) -> np.ndarray:
    """People in each block: the counts of its rows added up, as whole numbers."""
    out = np.zeros(max(blocks, int(block.max(initial=-1)) + 1), np.int64)
    np.add.at(out, block, weights)
    return out


def _receipt(name: str, headcount: int, received: int) -> BonusReceipt:
    return BonusReceipt(
        name,
        headcount,
        received,
        None if not headcount else received / headcount,
        None if headcount else f"no data: no staff in {name}",
    )


def _definitions(spec: GroupSpec, what: str) -> dict[str, frozenset[str]]:
    if isinstance(spec, str):
        return {spec: frozenset({spec})}
    if isinstance(spec, Mapping):
        defs = {}
        for name, labels in spec.items():
            if isinstance(labels, str):
                labels = [labels]
            defs[str(name)] = frozenset(str(label) for label in labels)
    else:
        defs = {str(label): frozenset({str(label)}) for label in spec}
    if not defs and what == "references":
        raise ValueError("at least one reference group is needed")
    return defs


def _gap(
    measure: str, group: str, reference: str, group_pay: Weighted, reference_pay: Weighted
) -> PayGap:
    ng, nr = int(group_pay[1].sum()), int(reference_pay[1].sum())
    who = "receiving a bonus" if measure == "bonus" else "with hourly pay"
    if ng == 0 or nr == 0:
        missing = [name for name, n in ((group, ng), (reference, nr)) if n == 0]
        why: Reason | None = Reason(Code.PAY_NO_DATA, {"who": who, "groups": " or ".join(missing)})
    else:
        why = None
    g_mean, g_median = _centre(group_pay)
    r_mean, r_median = _centre(reference_pay)
    mean_gap = median_gap = None
    if why is None:
        assert g_mean is not None and g_median is not None
        assert r_mean is not None and r_median is not None
        mean_gap = gap_percent(g_mean, r_mean)
        median_gap = gap_percent(g_median, r_median)
        zero = [kind for kind, gap in (("mean", mean_gap), ("median", median_gap)) if gap is None]
        if zero:
            why = Reason(Code.PAY_REFERENCE_ZERO, {"which": " and ".join(zero)})
    return PayGap(
        measure,
        group,
        reference,
        ng,
        nr,
        g_mean,
        r_mean,
        mean_gap,
        g_median,
        r_median,
        median_gap,
        None if why is None else why.words,
        why,
    )


def _centre(people: Weighted) -> tuple[float | None, float | None]:
    """Mean and median of the values, each held by as many people as its count."""
    values, weights = people
    n = int(weights.sum())
    if n == 0:
        return None, None
    return _total(values, weights) / n, _median(values, weights)


def _total(values: np.ndarray, weights: np.ndarray) -> float:
    """Σ value × count, correctly rounded: `math.fsum` of each value repeated count times.

    Each product is split into its rounded value and the rounding error (Dekker's exact
    product, with Veltkamp's split), and `math.fsum` adds both exactly. Values too large or
    too small for the split to stay exact are added as fractions instead.
    """
    w = weights.astype(np.float64)
    nonzero = np.abs(values[values != 0])
    if len(nonzero) and (nonzero.max() > 2.0**500 or nonzero.min() < 2.0**-500):
        pairs = zip(values.tolist(), weights.tolist(), strict=True)
        return float(sum(Fraction(v) * int(c) for v, c in pairs))
    product = values * w
    v_hi, v_lo = _split(values)
    w_hi, w_lo = _split(w)
    error = ((v_hi * w_hi - product) + v_hi * w_lo + v_lo * w_hi) + v_lo * w_lo
    return math.fsum(np.concatenate([product, error]).tolist())


def _split(x: np.ndarray) -> Weighted:
    """x as a high part of 26 significant bits and the exact remainder (Veltkamp)."""
    scaled = x * 134217729.0  # 2**27 + 1
    high = scaled - (scaled - x)
    return high, x - high


def _median(values: np.ndarray, weights: np.ndarray) -> float:
    """The middle value of everyone (the mean of the middle two for an even number, as
    `np.median`), found by cumulative counts over the sorted values."""
    order = np.argsort(values, kind="stable")
    ranked, reach = values[order], np.cumsum(weights[order])
    n = int(reach[-1])
    low = np.searchsorted(reach, (n - 1) // 2, side="right")
    high = np.searchsorted(reach, n // 2, side="right")
    if low == high:
        return float(ranked[low])
    return float((ranked[low] + ranked[high]) / 2)


def _quarter_rows(
    pay: np.ndarray, weights: np.ndarray, masks: dict[str, np.ndarray]
) -> tuple[QuarterShare, ...]:
    counts = pay_quarters(pay, masks, weights)
    size = Fraction(int(weights.sum()), 4)
    rows = []
    for name, mask in masks.items():
        headcount = int(weights[mask].sum())
        for quarter, people in zip(QUARTERS, counts[name], strict=True):
            if size == 0:
                why: Reason | None = Reason(Code.PAY_NO_DATA, {"who": "with hourly pay"})
            elif headcount == 0:
                why = Reason(Code.PAY_NO_DATA, {"who": "with hourly pay", "groups": name})
            else:
                why = None
            rows.append(
                QuarterShare(
                    name,
                    quarter,
                    people,
                    size,
                    None if size == 0 else float(people / size),
                    headcount,
                    None if headcount == 0 else float(people / headcount),
                    None if why is None else why.words,
                    why,
                )
            )
    return tuple(rows)


def _record(row: Any) -> dict[str, Any]:
    return {name: getattr(row, name) for name in row.__slots__}


@functools.cache
def _schemas() -> tuple[Any, Any, Any, Any]:
    """The four table schemas (built on first use, so importing stats needs no pyarrow)."""
    import pyarrow as pa

    s, i, f = pa.string(), pa.int64(), pa.float64()
    gap = pa.schema(
        [
            ("measure", s),
            ("group", s),
            ("reference", s),
            ("group_headcount", i),
            ("reference_headcount", i),
            ("group_mean", f),
            ("reference_mean", f),
            ("mean_gap", f),
            ("group_median", f),
            ("reference_median", f),
            ("median_gap", f),
            ("reason", s),
        ]
    )
    quarter = pa.schema(
        [
            ("group", s),
            ("quarter", i),
            ("people", f),
            ("quarter_size", f),
            ("share", f),
            ("group_headcount", i),
            ("share_of_group", f),
            ("reason", s),
        ]
    )
    receipt = pa.schema(
        [("group", s), ("headcount", i), ("received", i), ("share", f), ("reason", s)]
    )
    unknown = pa.schema([("unknown", i), ("total", i), ("share", f)])
    return gap, quarter, receipt, unknown
