"""The one disclosure gate: results in, results fit for an audience out.

Every figure leaving the system passes here (architecture.md: "disclosure is a gate, not a
habit"). For a suppressing policy, in order:

1. Primary suppression: each count of 1 to 7 is suppressed (None), wherever it is shown;
   survey groups under 11 respondents are hidden whole.
2. Secondary suppression (`equitrack.disclosure.secondary`): more counts are suppressed until
   none can be found by subtraction.
3. Every other count is rounded to the nearest 5; zero stays 0.
4. What rests on counts is made again from the shown ones: rates from the rounded figures
   (NHS Digital's method) with their Wilson interval recomputed from the same rounded figures
   (an interval from the exact counts could be inverted to recover them, and one dropped
   would leave no measure of uncertainty); percentage-point differences (survey, WRES 9) from
   the shown rates, or cleared when either side is not shown. A ratio is shown only where
   every count it rests on (both groups' numerators and denominators) is at least 8 and shown;
   it is then compared again from the shown counts, so its interval, p-value, band and verdicts
   are those a reader recomputing from the shown counts would get (ones from the exact counts
   could be inverted to recover them), and the verdicts allowing for many comparisons are
   adjusted again over the comparisons shown. Otherwise they are cleared with the reason "too
   few to show". The counts a reason quotes are rebuilt from the shown figures or dropped, and
   its words made again (`equitrack.disclosure.reasons`): reasons are data, never read.
   The gate imports no measure module but the result type: what it needs of a measure (its
   kind, a Model Employer row's cell) comes from `figures` and the result's reason values.
5. Each result records the rule applied in `options["disclosure"]`.

New Result objects are returned; the inputs are never changed. Results of the organisations in
`exact_orgs` (an analyst's own) pass exact, and are never suppressed to protect others.

`excluded` may become None (suppressed), as other counts do.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from equitrack.disclosure.audit import audit, obeyed
from equitrack.disclosure.counts import is_small, shown_amount, shown_count
from equitrack.disclosure.figures import Figures, Node, Role, is_needed_row, read
from equitrack.disclosure.policy import Audience, Policy, policy_for
from equitrack.disclosure.reasons import safe_reason
from equitrack.disclosure.secondary import Declared, Relation, least_loss, protect, relations
from equitrack.measures.result import Result, because, compared
from equitrack.stats import (
    Comparison,
    adjust_for_multiplicity,
    compare,
    headcount_for_parity,
    proportion,
)
from equitrack.stats.reasons import Code, Reason, Value, codes_of

#: The fields of a comparison, cleared together when it is too few to show.
RATIO_FIELDS = (
    "ratio",
    "ratio_ci_low",
    "ratio_ci_high",
    "p_value",
    "test",
    "band",
    "verdict",
    "verdict_adjusted",
)
_COUNTS = ("numerator", "denominator", "excluded")
_TOO_FEW_TO_SHOW = Reason(Code.TOO_FEW_TO_SHOW)
#: The figures a row leads with: when one is not shown, the row is marked suppressed.
_LEADING = ("numerator", "denominator", "rate", "difference")


@dataclass(frozen=True)
class Decision:
    """What is shown for every quantity: None where suppressed, else the (rounded) count."""

    figures: Figures
    shown: dict[Node, int | None]

    def per_result(self) -> list[dict[str, int | None]]:
        """What each result shows, by field, in the results' order (one pass over the figures)."""
        out: list[dict[str, int | None]] = [{} for _ in self.figures.kinds]
        for f in self.figures.shown:
            out[f.index][f.field] = self.shown[f.node]
        return out


@dataclass
class Analysis:
    """What `results` show and imply, whatever the policy: read once and shared when one set of
    results is gated for several audiences (a release is gated for each), as reading them and
    finding their relations is most of a gate's work."""

    results: list[Result]
    figures: Figures
    systems: Mapping[str, Collection[str]] | None
    _relations: list[Relation] | None = None
    _declared: Declared | None = None
    _index: dict[Key, int] | None = None
    #: Each options object's text, made once (results share a few hundred between them).
    _texts: Texts = field(default_factory=dict)
    _decided: dict[tuple[Policy, frozenset[str]], dict[Node, int | None]] = field(
        default_factory=dict
    )

    def relations(self) -> list[Relation]:
        """The relations among the figures, as a viewer who guessed right would use them
        (`audit.obeyed`)."""
        if self._relations is None:
            found = relations(self.figures, self.systems)
            self._relations = obeyed(found, self.figures.values(), self.figures.hidden)
        return self._relations

    def declared(self) -> Declared:
        """The relations secondary suppression enforces, indexed once for every policy."""
        if self._declared is None:
            self._declared = Declared.of(self.relations())
        return self._declared

    def index(self) -> dict[Key, int]:
        """Each result's place, by where it sits (to find a comparison's reference group)."""
        if self._index is None:
            self._index = {_key(r, texts=self._texts): i for i, r in enumerate(self.results)}
        return self._index


def analyse(
    results: Iterable[Result], systems: Mapping[str, Collection[str]] | None = None
) -> Analysis:
    """`results` read for gating (see `gate`'s `analysis`)."""
    results = list(results)
    return Analysis(results, read(results), systems)


def decide(
    results: list[Result],
    policy: Policy,
    *,
    exact_orgs: Collection[str] = frozenset(),
    systems: Mapping[str, Collection[str]] | None = None,
    analysis: Analysis | None = None,
) -> Decision:
    """Which quantities are suppressed, and what the others show, for a suppressing policy.
    Decided once per analysis for rules with the same numbers (the board's and the public's
    are the same rules under two names) and the same exact organisations."""
    analysis = analysis or analyse(results, systems)
    rules = (replace(policy, name="", notice=""), frozenset(exact_orgs))
    if rules not in analysis._decided:
        analysis._decided[rules] = _shown(results, policy, exact_orgs, analysis)
    return Decision(analysis.figures, dict(analysis._decided[rules]))


def _shown(
    results: list[Result], policy: Policy, exact_orgs: Collection[str], analysis: Analysis
) -> dict[Node, int | None]:
    """What each quantity shows: None where suppressed, else the (rounded) count."""
    figures = analysis.figures
    values = figures.values()
    fixed = {
        f.node
        for f in figures.shown
        if results[f.index].org in exact_orgs
        or (results[f.index].measure in policy.public and f.field in _COUNTS)
    }
    suppressed = {n for n, v in values.items() if n not in fixed and is_small(v, policy)}
    for f in figures.shown:
        r = results[f.index]
        if (
            figures.roles[f.index] is Role.SURVEY
            and f.field in ("numerator", "denominator")
            and r.denominator is not None
            and r.denominator < policy.survey_min_respondents
            and f.node not in fixed
        ):
            suppressed.add(f.node)
    if policy.secondary:
        rels, declared, staff = analysis.relations(), analysis.declared(), figures.staff()
        suppressed = protect(declared, values, figures.hidden, suppressed, fixed, policy, staff)
        loss = least_loss(values, policy, staff)
        suppressed = audit(
            rels, values, figures.hidden, suppressed, fixed, policy, loss, staff, declared
        )
    return {
        n: None if n in suppressed else v if n in fixed else shown_count(v, policy)
        for n, v in values.items()
    }


def gate(
    results: Iterable[Result],
    audience_or_policy: Audience | str | Policy,
    *,
    exact_orgs: Collection[str] = frozenset(),
    systems: Mapping[str, Collection[str]] | None = None,
    analysis: Analysis | None = None,
) -> list[Result]:
    """`results` as `audience_or_policy` may see them: new Results, inputs untouched.

    `exact_orgs`: organisations whose results pass exact (an analyst's own). `systems`: each
    system unit's organisations (`equitrack.disclosure.systems_of(store)`), so that a system
    and its organisations shown together are protected against each other. `analysis`:
    `analyse(results, systems)` made before, in place of `results` and `systems`.
    """
    policy = policy_for(audience_or_policy)
    results = analysis.results if analysis is not None else list(results)
    if policy.exact:
        record = _Recorder(policy.describe())
        return [record(r) for r in results]
    analysis = analysis or analyse(results, systems)
    decision = decide(results, policy, exact_orgs=exact_orgs, analysis=analysis)
    rebuild = _Rebuilder(results, decision, policy, analysis)
    own = _Recorder(
        f"exact counts for the analyst's own organisation; otherwise {policy.describe()}"
    )
    shown = [own(r) if r.org in exact_orgs else rebuild.result(i, r) for i, r in enumerate(results)]
    rebuild.adjust(shown)
    return shown


def _mean_of_rates(r: Result) -> bool:
    """A ratio of mean yearly rates rests on each year's counts, which a result does not show:
    made again from the pooled shown counts it would be another figure, so it is not shown."""
    return r.options.get("pooling") == "mean_of_rates" and int(r.options.get("window", 1)) > 1


class _Recorder:
    """Makes new results with the rule applied. Their options are a copy, so nothing done to an
    output reaches an input; each options object is copied once, and results made from the same
    one share the copy, as their inputs share it (a release's ninety thousand results share a
    few hundred: copying each result's was much of a release's gating)."""

    def __init__(self, rule: str) -> None:
        self.rule = rule
        # by the input's id, with the input kept alive so that its id is not reused
        self._copies: dict[int, tuple[dict[str, Any], dict[str, Any]]] = {}

    def __call__(self, r: Result, **changes: Any) -> Result:
        made = self._copies.get(id(r.options))
        if made is None:
            kept = {k: v if isinstance(v, _IMMUTABLE) else _copied(v) for k, v in r.options.items()}
            made = self._copies[id(r.options)] = (r.options, {**kept, "disclosure": self.rule})
        return replace(r, options=made[1], **changes)


#: Option values shared as they are (every other value is copied).
_IMMUTABLE = (str, int, float, bool, type(None))


def _copied(value: Any) -> Any:
    """`value`, or a copy of it where it could be changed: plain lists and dicts copied by
    hand (`copy.deepcopy` of every result's options was much of a release's gating)."""
    if isinstance(value, _IMMUTABLE):
        return value
    # (shared values are passed over without a call: most are, and a release has many)
    if type(value) is list:
        return [v if isinstance(v, _IMMUTABLE) else _copied(v) for v in value]
    if type(value) is dict:
        return {k: v if isinstance(v, _IMMUTABLE) else _copied(v) for k, v in value.items()}
    return copy.deepcopy(value)


#: Where a result sits: measure, options, unit, period, breakdown, group type and group. The
#: options tell apart runs of one measure shown together (WRES 3 over one year and over two).
Key = tuple[str, str, str, int, str | None, str, str]


#: Options texts by the options object's id, each with its object (alive, so its id stays its own).
Texts = dict[int, tuple[Mapping[str, Any], str]]


def options_text(
    options: Mapping[str, Any], texts: Texts | None = None, leaving_out: Collection[str] = ()
) -> str:
    """`options` (but the keys `leaving_out`) as text that tells apart runs of one measure;
    from `texts` where made before (one `texts` for one `leaving_out`)."""
    made = texts.get(id(options)) if texts is not None else None
    if made is None:
        kept = (
            {k: v for k, v in options.items() if k not in leaving_out} if leaving_out else options
        )
        made = (options, json.dumps(kept, sort_keys=True, default=str))
        if texts is not None:
            texts[id(options)] = made
    return made[1]


def _key(
    r: Result,
    group: str | None = None,
    breakdown: str | None = None,
    texts: Texts | None = None,
) -> Key:
    return (
        r.measure,
        options_text(r.options, texts),
        r.org,
        r.period,
        r.breakdown if breakdown is None else breakdown,
        r.group_type,
        r.group if group is None else group,
    )


def _at_least(values: Iterable[int | None], floor: int) -> bool:
    return all(v is not None and v >= floor for v in values)


class _Rebuilder:
    """Makes each result again from the shown figures (steps 3 to 5 of the module docstring)."""

    def __init__(
        self, results: list[Result], decision: Decision, policy: Policy, analysis: Analysis
    ) -> None:
        self.results = results
        self.texts = analysis._texts
        self.decision = decision
        self.policy = policy
        self.record = _Recorder(policy.describe())
        self.index = analysis.index()
        self.shown = decision.per_result()
        self.compared: dict[int, Comparison] = {}  # comparisons made again from shown counts

    def counts(self, i: int) -> dict[str, int | None]:
        """A result's shown counts, including any no figure stands for (ruled on alone)."""
        r = self.results[i]
        out = {}
        for name in _COUNTS:
            value = getattr(r, name)
            if name in self.shown[i]:
                out[name] = self.shown[i][name]
            elif value is not None:
                out[name] = shown_count(value, self.policy)
        return out

    def rate(
        self, counts: Mapping[str, int | None]
    ) -> tuple[float | None, float | None, float | None]:
        """The rate and its interval from shown counts (None where they give no rate)."""
        num, den = counts.get("numerator"), counts.get("denominator")
        if num is None or den is None or den == 0 or num > den:
            return None, None, None
        p = proportion(num, den)
        return p.rate, p.ci_low, p.ci_high

    def reference(self, r: Result) -> int | None:
        if not r.reference_group:
            return None
        return self.index.get(_key(r, group=r.reference_group, texts=self.texts))

    def result(self, i: int, r: Result) -> Result:
        role = self.decision.figures.roles[i]
        counts = self.counts(i)
        changes: dict[str, Any] = dict(counts)
        if r.rate is not None and r.numerator is not None:
            changes["rate"], changes["rate_ci_low"], changes["rate_ci_high"] = self.rate(counts)
        rate = changes.get("rate", r.rate)
        why, words = r.why, r.reason  # words: withheld if there is no `why` to make them from
        # what the reason's counts become, from shown figures (None: not shown)
        rebuilt: dict[str, Value | None] = {"share": rate}

        # a headcount needed of exactly 0 ("at or above parity") stays 0, as every count does
        at_parity = r.reason_values.get("needed") == 0
        if role is Role.GAP and is_needed_row(r):
            changes["numerator"] = self.needed(r)
            rebuilt["needed"] = 0 if at_parity else changes["numerator"]
        elif role is Role.GAP:
            w, whole = (self.shown[i].get(k) for k in ("workforce", "workforce_total"))
            rebuilt.update(workforce=w, staff=whole, needed=0 if at_parity else self.parity(i, r))
            share = None if w is None or not whole else w / whole
            if r.difference is not None:
                changes["difference"] = (
                    None if rate is None or share is None else 100 * (rate - share)
                )
        elif role is Role.PAY_GAP and r.numerator is None and r.rate is not None:
            changes["rate"], people = self.quarter(r)
            rebuilt.update(people)
        elif role is Role.PAY_GAP and r.difference is not None:
            if not self.enough((r, counts)):
                changes["difference"], why = None, _TOO_FEW_TO_SHOW
        elif r.difference is not None:
            changes["difference"] = self.difference(r, rate)

        if any(getattr(r, f) is not None for f in RATIO_FIELDS) and role is not Role.PAY_GAP:
            j = self.reference(r)
            c = None if j is None else self.compare(i, r, counts, self.counts(j))
            if c is None:
                changes.update(dict.fromkeys(RATIO_FIELDS))
                why = _TOO_FEW_TO_SHOW
            else:
                said = because(None)  # the reason is `c.why`, made safe below
                changes.update({k: v for k, v in compared(c).items() if k not in said})
                why, words = c.why, None
        why = safe_reason(why, words, rebuilt)
        # suppressed: a figure the row leads with is not shown (a hidden `excluded` or
        # workforce count alone does not make the row's own figures suppressed)
        hidden = any(getattr(r, f) is not None and changes.get(f) is None for f in _LEADING)
        if hidden and why is None:
            why = Reason(Code.SUPPRESSED)
        return self.record(r, **changes, **because(why), suppressed=r.suppressed or hidden)

    def compare(
        self, i: int, r: Result, counts: Mapping[str, int | None], theirs: Mapping[str, int | None]
    ) -> Comparison | None:
        """The comparison made again from the shown counts of both sides; None where it may not
        be shown (too few, a side not shown, or a ratio the shown counts cannot give)."""
        j = self.reference(r)
        assert j is not None
        if r.orientation is None or _mean_of_rates(r):
            return None
        if not self.enough((r, counts), (self.results[j], theirs)):
            return None
        c = compare(
            counts["numerator"],  # type: ignore[arg-type]  # enough: all shown
            counts["denominator"],  # type: ignore[arg-type]
            theirs["numerator"],  # type: ignore[arg-type]
            theirs["denominator"],  # type: ignore[arg-type]
            orientation=r.orientation,
        )
        self.compared[i] = c
        return c

    def adjust(self, shown: list[Result]) -> None:
        """Verdicts allowing for many comparisons, over the comparisons shown: each family (a
        measure's run, as the measure adjusted them) is adjusted again from its shown p-values."""
        families: dict[tuple[str, str, str], list[int]] = {}
        for i in self.compared:
            r = self.results[i]
            key = (r.measure, options_text(r.options, self.texts), r.group_type)
            families.setdefault(key, []).append(i)
        for members in families.values():
            made = adjust_for_multiplicity([self.compared[i] for i in members])
            for i, c in zip(members, made, strict=True):
                verdict = c.verdict_adjusted
                shown[i] = replace(shown[i], verdict_adjusted=verdict and str(verdict))

    def enough(self, *sides: tuple[Result, dict[str, int | None]]) -> bool:
        """Every count a comparison rests on (each side's numerator and denominator) is at
        least the floor, exactly, and is shown."""
        fields = ("numerator", "denominator")
        exact = [getattr(r, n) for r, _ in sides for n in fields]
        shown = [counts.get(n) for _, counts in sides for n in fields]
        floor = self.policy.ratio_min_count
        return _at_least(exact, floor) and all(v is not None for v in shown)

    def difference(self, r: Result, rate: float | None) -> float | None:
        """A survey group's difference in points from the reference, from the shown rates."""
        j = self.reference(r)
        if j is None or rate is None:
            return None
        their_rate = self.rate(self.counts(j))[0]
        return None if their_rate is None else 100 * (rate - their_rate)

    def parity(self, i: int, r: Result) -> int | None:
        """The headcount a group needs for parity, from the shown figures of its gap row."""
        shown = self.shown[i]
        figures = (shown.get("numerator"), shown.get("denominator"))
        staff = (shown.get("workforce"), shown.get("workforce_total"))
        if any(v is None for v in (*figures, *staff)):
            return None
        mode = str(r.options.get("parity", "replace"))
        return headcount_for_parity(*figures, *staff, mode=mode)  # type: ignore[arg-type]

    def needed(self, r: Result) -> int | None:
        """A Model Employer row's headcount needed, from the shown figures of its cell's row."""
        j = self.index.get(_key(r, breakdown=str(r.reason_values["cell"]), texts=self.texts))
        return None if j is None else self.parity(j, self.results[j])

    def quarter(self, r: Result) -> tuple[float | None, dict[str, Value | None]]:
        """A pay quarter's share, from its people and the quarter's size rounded as counts."""
        values = r.reason_values
        if Code.QUARTER_PEOPLE not in codes_of(r.reason_code):
            return None, {}
        people = shown_amount(float(values["people"]), self.policy)
        size = shown_amount(float(values["quarter_size"]), self.policy)
        rate = None if people is None or not size else people / size
        return rate, {"people": people, "quarter_size": size, "rounded": 1}


__all__ = ["RATIO_FIELDS", "Analysis", "Decision", "analyse", "decide", "gate"]
