"""Careers over time through the disclosure gate: journeys fit for an audience.

Kaplan–Meier and cumulative incidence curves (`equitrack.measures.careers`) leave the system
in reports and on the dashboard like any other figure, so they pass a gate too. For a
suppressing policy (the public and board rules), `gate_journey` returns a new journey in which:

1. **Small groups are withheld.** A group with fewer than `smallest_shown` (8) people is dropped
   from the curves, the summaries, the group counts and every log-rank row that names it (as
   the group or as the reference). Its name is kept in `GatedJourney.withheld`, so a renderer
   can say "groups of fewer than 8 people are not shown" (`GatedJourney.note`). When every
   group of known ethnicity is withheld, `analysis` becomes None (no curves to show).
2. **Curves are cut.** Each curve keeps its steps up to, not including, the first time fewer
   than `smallest_shown` people are still followed (the usual convention for publishing
   survival curves), so every step drawn rests on at least 8 people. The three cumulative
   incidence curves of a group share their at-risk column and are cut at the same time.
3. **Per-step counts are protected.** `at_risk` is rounded with `shown_count` (every step kept
   has at least 8, so it is never suppressed). Per-step `events` and `censored` are nearly
   always 1 to 7, so **each is replaced by None** (not shown) on every step, zeros included:
   aggregating them into intervals was rejected, because an interval's events and censorings
   are tied to the at-risk counts on either side of it and would need their own secondary
   suppression, while the rounded at-risk column already shows how the number followed falls.
   Charts take None as a figure not shown (a blank in the chart's table).
4. **Summary counts are rounded or suppressed** with `shown_count`: each group's `n`, `events`,
   `competing` and `censored` (in the Kaplan–Meier and cumulative incidence summaries) and the
   journey's `counts` (Unknown included). As `n = events + competing + censored`, when exactly
   one of the three parts is suppressed the smallest other non-zero part is suppressed too
   (secondary protection, when the policy asks for it), so the hidden part cannot be found
   by subtraction. The same quantity gets the same shown figure wherever it appears (a
   pairwise log-rank row's counts are its groups' summary counts).
5. **Estimates stay**: medians and their intervals, curve estimates and intervals, log-rank
   statistics and p-values (raw and Benjamini–Hochberg adjusted), too-few flags. The overall
   log-rank test rests on every group, so when a group is withheld its statistic, p-value and
   totals are cleared; otherwise its totals are rounded (its event total is shown only when
   every group's event count is). Pairwise adjusted p-values of the rows kept are left as
   adjusted across all the comparisons made (the conservative family), not recomputed.
6. **Reasons** that quote counts ("events 3 (below 10)") are rewritten without them ("events
   below 10"); any other part of a reason with a number in it is withheld.
7. The rule applied is recorded in `options["disclosure"]`, so exports carry it.

An exact policy (the analyst's) passes the journey unchanged: the same object is returned.
Inputs are never changed. Gating a gated journey again changes nothing more.

Not covered: a Kaplan–Meier step's size is d/n (events over the number followed), so exact
figures can in principle be worked back from consecutive estimates of a kept step; publishing
curves at all accepts this, and the cut keeps it to steps with at least 8 people followed.
Step times (days from the start) are shown as they are. A median (an estimate) may lie beyond
the point where a curve is cut; it is kept, as the rules keep estimates. Relations with
figures shown in other outputs (a unit's headcount beside its journey's group counts) are not
searched for.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from equitrack.disclosure.counts import is_small, shown_count
from equitrack.disclosure.policy import Audience, Policy, policy_for
from equitrack.disclosure.reasons import WITHHELD
from equitrack.measures.careers import Counts, Journey
from equitrack.measures.counting import ordered
from equitrack.model import codes
from equitrack.stats.survival import (
    CareersOverTime,
    CumulativeIncidence,
    Curve,
    GroupSummary,
    KaplanMeier,
    LogRank,
    LogRankRow,
)

_PARTS = ("events", "competing", "censored")
#: A count quoted in a survival reason: "events 3 (below 10)", "people 25 (below 30)".
_QUOTED = re.compile(r"\b(events|people) [\d,]+ \(below (\d+)\)")
_THRESHOLD = re.compile(r"\bbelow \d+")
_NUMBER = re.compile(r"\d[\d.,]*")


@dataclass(frozen=True)
class GatedJourney(Journey):
    """A journey as an audience may see it (see the module docstring).

    `withheld`: the groups left out for having fewer than `smallest_shown` people, in the
    usual group order. Readers of `Journey` read it as one; counts not shown are None.
    """

    withheld: tuple[str, ...] = ()
    smallest_shown: int = 8

    @property
    def note(self) -> str:
        """What the gate left out, in words, for a chart or table to say beside the curves."""
        text = f"Each curve ends where fewer than {self.smallest_shown} people are still followed."
        if self.withheld:
            names = ", ".join(self.withheld)
            text = (
                f"Groups of fewer than {self.smallest_shown} people are not shown ({names}). "
                + text
            )
        return text


def gate_journey(journey: Journey, audience_or_policy: Audience | str | Policy) -> Journey:
    """`journey` as `audience_or_policy` may see it: a new `GatedJourney`, the input untouched.

    An exact policy returns `journey` itself, unchanged.
    """
    policy = policy_for(audience_or_policy)
    if policy.exact:
        return journey
    return _Gate(policy).journey(journey)


def gate_journeys(
    journeys: Iterable[Journey], audience_or_policy: Audience | str | Policy
) -> list[Journey]:
    """Each of `journeys` through `gate_journey`, in order."""
    policy = policy_for(audience_or_policy)
    return [gate_journey(j, policy) for j in journeys]


def rule(policy: Policy) -> str:
    """The rule applied to a journey, in one line, as recorded in `options["disclosure"]`."""
    k = policy.smallest_shown
    return (
        f"{policy.describe()}; careers over time: groups of fewer than {k} people not shown, "
        f"curves cut where fewer than {k} people are still followed, at risk rounded, "
        "events and censorings at each step not shown"
    )


class _Gate:
    def __init__(self, policy: Policy) -> None:
        self.policy = policy

    # --- counts -----------------------------------------------------------------------------

    def count(self, value: int | None) -> int | None:
        return None if value is None else shown_count(value, self.policy)

    def small(self, value: int | None) -> bool:
        return value is not None and is_small(value, self.policy)

    def group(
        self, total: int | None, parts: Mapping[str, int | None]
    ) -> tuple[int | None, dict[str, int | None]]:
        """A total and its parts (total = sum of parts), shown, with secondary protection."""
        hidden = {name for name, v in parts.items() if v is None or self.small(v)}
        shown_total = self.count(total)
        if self.policy.secondary and shown_total is not None and len(hidden) == 1:
            others = [(v, i, n) for i, (n, v) in enumerate(parts.items()) if n not in hidden and v]
            if others:
                hidden.add(min(others)[2])  # the smallest, the first of equals
        return shown_total, {
            name: None if name in hidden else self.count(v) for name, v in parts.items()
        }

    def counts(self, c: Counts) -> Counts:
        people, parts = self.group(c.people, {name: getattr(c, name) for name in _PARTS})
        return Counts(people, **parts)

    def summary(self, s: GroupSummary) -> GroupSummary:
        n, parts = self.group(s.n, {name: getattr(s, name) for name in _PARTS})
        return replace(s, n=n, reason=safe_reason(s.reason), **parts)

    # --- curves -----------------------------------------------------------------------------

    def curve(self, c: Curve) -> Curve:
        """The curve up to the first time fewer than `smallest_shown` are still followed."""
        floor = self.policy.smallest_shown
        keep = next(
            (i for i, n in enumerate(c.at_risk) if n is not None and n < floor), len(c.time)
        )
        return replace(
            c,
            time=c.time[:keep],
            estimate=c.estimate[:keep],
            ci_low=c.ci_low[:keep],
            ci_high=c.ci_high[:keep],
            at_risk=tuple(self.count(n) for n in c.at_risk[:keep]),
            events=(None,) * keep,
            censored=(None,) * keep,
        )

    # --- the journey ------------------------------------------------------------------------

    def withheld(self, journey: Journey) -> set[str]:
        out = set(getattr(journey, "withheld", ()))
        sizes: dict[str, int | None] = {
            g: c.people for g, c in journey.counts.items() if g != codes.UNKNOWN
        }
        if journey.analysis is not None:
            sizes.update((s.group, s.n) for s in journey.analysis.kaplan_meier.summaries)
            sizes.update((s.group, s.n) for s in journey.analysis.cumulative_incidence.summaries)
        out.update(g for g, n in sizes.items() if self.small(n))
        return out

    def journey(self, journey: Journey) -> GatedJourney:
        withheld = self.withheld(journey)
        counts = {g: self.counts(c) for g, c in journey.counts.items() if g not in withheld}
        analysis = None
        if journey.analysis is not None:
            analysis = self.analysis(journey.analysis, withheld)
        values = {f.name: getattr(journey, f.name) for f in fields(Journey)}
        values.update(
            counts=counts,
            analysis=analysis,
            options={**copy.deepcopy(journey.options), "disclosure": rule(self.policy)},
        )
        return GatedJourney(
            **values,
            withheld=tuple(ordered(withheld)),
            smallest_shown=self.policy.smallest_shown,
        )

    def analysis(self, a: CareersOverTime, withheld: set[str]) -> CareersOverTime | None:
        km, ci = a.kaplan_meier, a.cumulative_incidence
        km_summaries = tuple(self.summary(s) for s in km.summaries if s.group not in withheld)
        if not km_summaries:
            return None  # every group withheld: no curves to show
        ci_summaries = tuple(self.summary(s) for s in ci.summaries if s.group not in withheld)
        return CareersOverTime(
            KaplanMeier(
                km.unit,
                km.alpha,
                tuple(self.curve(c) for c in km.curves if c.group not in withheld),
                km_summaries,
            ),
            CumulativeIncidence(
                ci.unit,
                ci.alpha,
                tuple(self.curve(c) for c in ci.curves if c.group not in withheld),
                ci_summaries,
            ),
            self.log_rank(a.log_rank, withheld, {s.group: s for s in km_summaries}),
        )

    def log_rank(
        self, lr: LogRank, withheld: set[str], shown: Mapping[str, GroupSummary]
    ) -> LogRank:
        """Rows naming a withheld group dropped; counts as their groups' summaries show them."""

        def counts_of(group: str | None, events: int | None, n: int | None) -> tuple[Any, Any]:
            s = shown.get(group or "")
            if s is not None:
                return s.events, s.n
            return self.count(events), self.count(n)

        pairwise = []
        for row in lr.pairwise:
            if row.group in withheld or row.reference in withheld:
                continue
            events, n = counts_of(row.group, row.events, row.n)
            ref_events, ref_n = counts_of(row.reference, row.reference_events, row.reference_n)
            pairwise.append(
                replace(
                    row,
                    events=events,
                    n=n,
                    reference_events=ref_events,
                    reference_n=ref_n,
                    reason=safe_reason(row.reason),
                )
            )
        return LogRank(lr.alpha, self.overall(lr.overall, withheld, shown), tuple(pairwise))

    def overall(
        self, row: LogRankRow, withheld: set[str], shown: Mapping[str, GroupSummary]
    ) -> LogRankRow:
        if withheld:
            return replace(
                row,
                statistic=None,
                p_value=None,
                p_adjusted=None,
                significant=None,
                events=None,
                n=None,
                reason=(
                    "not shown: the test includes groups of fewer than "
                    f"{self.policy.smallest_shown} people"
                ),
            )
        every_event_shown = all(s.events is not None for s in shown.values())
        return replace(
            row,
            events=self.count(row.events) if every_event_shown else None,
            n=self.count(row.n),
            reason=safe_reason(row.reason),
        )


def safe_reason(reason: str | None) -> str | None:
    """A survival reason without the counts it quotes: "events 3 (below 10)" becomes "events
    below 10"; any other part (parts are joined by "; ") with a number in it but thresholds
    and zeros is withheld."""
    if reason is None:
        return None
    parts = []
    for part in _QUOTED.sub(r"\1 below \2", reason).split("; "):
        numbers = _NUMBER.findall(_THRESHOLD.sub("", part))
        safe = all(set(number) <= {"0", ".", ","} for number in numbers)
        parts.append(part if safe else WITHHELD)
    return "; ".join(dict.fromkeys(parts))


__all__ = ["GatedJourney", "gate_journey", "gate_journeys", "rule", "safe_reason"]
