"""The methods appendix of a report, as data: what each measure counts and how it is judged.

Why: a figure in a committee paper must be traceable to a definition and to the choices made
in computing it, and the definitions printed must be the ones that ran. So each measure's title
and definition come from its declaration (`equitrack.measures.registry`), with the same wording
docs/measures.md is generated from (`equitrack.measures.docs`); the options come from the
results themselves, so an appendix shows the choices that were actually made (a two-year
window, what counts as appointed); and the statistical methods are written here once, with
their numbers taken from the code that applies them (`equitrack.stats`), so the text cannot
drift from the arithmetic. Rendering (HTML, PDF) is the report's job.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from equitrack.measures.categories import Categorised
from equitrack.measures.declare import Kind, Measure
from equitrack.measures.docs import FAMILY_TITLES, KIND_TEXT, ORIENTATION_TEXT
from equitrack.measures.registry import MEASURES, kind_of
from equitrack.measures.result import Result
from equitrack.measures.survey import FEWEST_RESPONDENTS
from equitrack.model import codes
from equitrack.reports.narrative import PARITY_RANGE, TREND_RULE
from equitrack.stats import Z95, Verdict, compare
from equitrack.stats.rounding import RATIO_PLACES, SHARE_PLACES, format_ratio
from equitrack.stats.verdicts import ALPHA, MIN_EVENTS, MIN_POPULATION, PARITY_HIGH, PARITY_LOW

#: Recorded with every result, but not a choice of method (which organisations, which
#: snapshot dates, which disclosure rule: that has its own place in the appendix).
NOT_METHOD = frozenset({"scope", "snapshots", "disclosure"})
#: Recorded options that every measure grouped by ethnicity has, with their default.
GROUPING = "ethnic_grouping"
#: The expected count below which Fisher's exact test replaces the z test: `compare`'s default.
MIN_EXPECTED: float = inspect.signature(compare).parameters["min_expected"].default
#: Kinds whose results carry a relative likelihood and a verdict.
COMPARED = frozenset({Kind.COMPARISON, Kind.CATEGORIES, Kind.SURVEY})


@dataclass(frozen=True)
class Method:
    """One statistical method, named, in words a committee member can read."""

    name: str
    text: str


@dataclass(frozen=True)
class OptionUsed:
    """One option of a measure: the values the results were computed with, and its default."""

    name: str
    values: tuple[str, ...]
    default: str | None
    choices: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether a choice other than the default was made."""
        return any(v != self.default for v in self.values)

    @property
    def text(self) -> str:
        """ "window: 2 (the default)", "pooling: mean_of_rates (default pooled; one of …)"."""
        used = ", ".join(self.values)
        if not self.changed:
            return f"{self.name}: {used} (the default)"
        extra = f"; one of {', '.join(self.choices)}" if self.choices else ""
        default = f"default {self.default}" if self.default is not None else "no default"
        return f"{self.name}: {used} ({default}{extra})"


@dataclass(frozen=True)
class MeasureMethod:
    """One measure as the appendix describes it."""

    id: str
    title: str
    family: str
    definition: str
    kind: str  # what kind of figure it is, in words (`equitrack.measures.docs.KIND_TEXT`)
    groups_from: str | None
    direction: str | None  # which way up its ratios are, for measures that compare groups
    options: tuple[OptionUsed, ...]


@dataclass(frozen=True)
class Methods:
    """The whole appendix: the measures shown, the statistics used, the disclosure rules."""

    measures: tuple[MeasureMethod, ...]
    statistics: tuple[Method, ...]
    disclosure: tuple[str, ...]


# --- the statistical methods, written once --------------------------------------------------

_VERDICTS = ", ".join(f"“{v.value}”" for v in Verdict if v is not Verdict.UNDEFINED)

RATES = Method(
    "Rates",
    "Each rate (the share of a group with the event) is shown with its 95% Wilson score "
    "interval, the convention of the UK public-health profiles (Fingertips): it stays between "
    "0% and 100% and behaves sensibly when counts are small.",
)
RELATIVE_LIKELIHOOD = Method(
    "Relative likelihood",
    "A relative likelihood compares a group's rate with the reference group's (White staff, or "
    "non-disabled staff) as the ratio of the two rates (a risk ratio, not an odds ratio). It "
    "is turned so that a value above 1 always means the group fares worse: for something staff "
    "want (appointment, training) it is the reference group's rate over the group's; for "
    "something they do not (a disciplinary process) it is the group's rate over the reference "
    "group's. A few measures count something that is neither (joining the bank through "
    "international recruitment, a route in): their ratio is the group's rate over the "
    "reference group's, above 1 means more likely, and a difference is described as higher or "
    "lower, never as a gap. Staff whose ethnicity is not known are never in a ratio; they are counted as "
    "excluded.",
)
INTERVAL = Method(
    "Interval of a relative likelihood",
    "The 95% interval is Katz's log interval, exp(ln RL ± "
    f"{Z95} × √(1/a − 1/n1 + 1/c − 1/n2)), when every event count is above zero. When a group "
    "has no events the ratio is 0 or undefined, and is reported as such with the reason, never "
    "as infinity; its interval is then Koopman's score interval, which stays defined.",
)
SIGNIFICANCE = Method(
    "Statistical significance",
    "A comparison is statistically significant when its 95% interval excludes 1. Its two-sided "
    "p-value comes from a z test on the same log scale, or from Fisher's exact test when any "
    f"expected count is below {MIN_EXPECTED:g} or a group has no events.",
)
TOO_FEW = Method(
    "Too few to tell",
    f"A comparison is “too few to tell” when any event count is below {MIN_EVENTS} or either "
    f"group has fewer than {MIN_POPULATION} people. Its ratio is still calculated for analysts, "
    "but it is never described as adverse or as improving.",
)
PARITY = Method(
    "Parity band and verdicts",
    f"A relative likelihood from {PARITY_RANGE} (both included) is treated as no adverse gap "
    f"(non-adverse); above {format_ratio(PARITY_HIGH)} is adverse; below "
    f"{format_ratio(PARITY_LOW)} favours the group. The verdict combines the band with "
    f"significance: {_VERDICTS}. Only an adverse, significant comparison is called a gap.",
)
MULTIPLICITY = Method(
    "Many comparisons",
    "Many comparisons are made at once (groups, measures, organisations and years), so some "
    "would look significant by chance alone. The false discovery rate is controlled at "
    f"{ALPHA:.0%} with the Benjamini–Hochberg method across the comparisons each measure "
    "reports together, and the verdict after that adjustment is shown beside the raw one. The "
    "adjustment can remove significance, never add it. A recommendation's status uses the "
    "adjusted verdict.",
)
SURVEY = Method(
    "Staff survey",
    "Survey results are the respondents counted by the survey provider; WRES year Y uses the "
    "survey run in the autumn of Y-1, and a system figure adds up its organisations' "
    f"respondents. A group with fewer than {FEWEST_RESPONDENTS} respondents is not shown or "
    "compared. Each group's share is compared with the reference group's as a difference in "
    "percentage points, and as a relative likelihood with the same interval and verdict as "
    "every other comparison.",
)
ROUNDING = Method(
    "Rounding",
    "Figures are rounded only for display, halves upwards: relative likelihoods to "
    f"{RATIO_PLACES} decimal places (1.125 shows as 1.13), shares to {SHARE_PLACES} decimal "
    "place.",
)
TREND = Method("Change between years", TREND_RULE)


def statistics(kinds: Iterable[Kind]) -> tuple[Method, ...]:
    """The methods that apply to results of these kinds, in the order a reader needs them."""
    present = set(kinds)
    chosen = [RATES]
    if present & COMPARED:
        chosen += [RELATIVE_LIKELIHOOD, INTERVAL, SIGNIFICANCE, TOO_FEW, PARITY, MULTIPLICITY]
    if Kind.SURVEY in present:
        chosen.append(SURVEY)
    return (*chosen, ROUNDING, TREND)


# --- measures and the options used ------------------------------------------------------------


def _text(value: Any) -> str:
    """An option's value as it reads: lists joined, a grouping as "black_codes: M, N, P"."""
    if isinstance(value, Mapping):
        return "; ".join(f"{k}: {_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value)
    return str(value)


def _options(m: Measure | None, results: list[Result]) -> tuple[OptionUsed, ...]:
    declared = dict(m.options) if m else {}
    names = list(declared)
    for r in results:
        for name in r.options:
            if name not in names and name not in NOT_METHOD:
                names.append(name)
    out = []
    for name in names:
        values: list[str] = []
        for r in results:
            if name in r.options:
                text = _text(r.options[name])
                if text not in values:
                    values.append(text)
        if not values:
            continue
        if name in declared:
            default: str | None = _text(declared[name])
        elif name == GROUPING:
            default = _text(codes.DEFAULT_GROUPING.as_option())
        else:
            default = None
        allowed = m.choices.get(name, ()) if m else ()
        # a span of whole numbers is not listed: the value used and the default say enough
        choices = () if isinstance(allowed, range) else tuple(_text(c) for c in allowed)
        out.append(OptionUsed(name, tuple(values), default, choices))
    return tuple(out)


def _direction(m: Measure) -> str | None:
    """Which way up a measure's ratios are; a categories measure turns each compared category
    its own way (individual action is a harm, system learning a benefit)."""
    if m.kind not in COMPARED:
        return None
    if isinstance(m, Categorised) and m.compared:
        return "; ".join(f"{c}: {ORIENTATION_TEXT[o.value]}" for c, o in m.compared.items())
    return ORIENTATION_TEXT[m.orientation.value]


def describe_measure(measure_id: str, results: Iterable[Result] = ()) -> MeasureMethod:
    """One measure's entry, with the options its `results` were computed with."""
    shown = list(results)
    m = MEASURES.get(measure_id)
    if m is None:  # a measure not in the registry: what its results say, and no more
        kinds = {kind_of(r) for r in shown}
        kind = kinds.pop() if len(kinds) == 1 else None
        return MeasureMethod(
            measure_id,
            measure_id,
            "",
            "",
            KIND_TEXT.get(kind, "") if kind else "",
            None,
            None,
            _options(None, shown),
        )
    kind_text = KIND_TEXT[m.kind]
    return MeasureMethod(
        id=m.id,
        title=m.title,
        family=FAMILY_TITLES.get(m.family, m.family),
        definition=m.description or kind_text[:1].upper() + kind_text[1:] + ".",
        kind=kind_text,
        groups_from=m.attribute.value,
        direction=_direction(m),
        options=_options(m, shown),
    )


def methods(results: Iterable[Result], *, disclosure: str | None = None) -> Methods:
    """The appendix for every measure that appears in `results`, in the registry's order.

    `disclosure` is the rule the figures were gated by, in words (such as
    `equitrack.disclosure.policy.Policy.describe()`); without it, the rules the results
    record in their options (`disclosure`) are listed.
    """
    by_measure: dict[str, list[Result]] = {}
    for r in results:
        by_measure.setdefault(r.measure, []).append(r)
    order = {m: i for i, m in enumerate(MEASURES)}
    ids = sorted(by_measure, key=lambda m: (order.get(m, len(order)), m))
    rules: list[str] = [disclosure] if disclosure else []
    if not rules:
        for rs in by_measure.values():
            for r in rs:
                rule = r.options.get("disclosure")
                if rule and _text(rule) not in rules:
                    rules.append(_text(rule))
    kinds = {kind_of(r) for rs in by_measure.values() for r in rs}
    return Methods(
        measures=tuple(describe_measure(m, by_measure[m]) for m in ids),
        statistics=statistics(kinds),
        disclosure=tuple(rules),
    )
