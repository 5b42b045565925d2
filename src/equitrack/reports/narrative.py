"""Sentences about results, in plain English, that never say more than the statistics do.

Why a module of its own: a scrutiny paper is read as words, not as tables, and a sentence that
calls a noisy difference a "gap" does more harm than a missing one. So every sentence here is
written from a result's own fields, by fixed rules:

- a "too few to tell" result is said to be so, and is never called adverse or improving;
- a difference that is not statistically significant is never called a gap; where the verdict
  after the Benjamini–Hochberg adjustment differs from the raw one, the sentence says so;
- the order of the groups follows the ratio's orientation (above 1 = the focus group fares
  worse): for a harm the focus group comes first ("Black staff were 1.62 times as likely as
  White staff to enter a formal disciplinary process"), for a benefit the reference group does
  ("White staff were 1.60 times as likely as Black staff to be appointed"), so the number
  printed is the published ratio and reads the right way round;
- a suppressed figure (after the disclosure gate) is "too small to show", with no numbers;
- survey results speak of shares of respondents and percentage points; representation, board
  and senior-staff shares, pay and shares of records have sentences of their own.

The words "gap" and "adverse" appear outside an adverse, significant verdict only inside the
fixed negations in `NEGATIONS`, which tests strip before checking that rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from equitrack.charts import words
from equitrack.measures import calendar, survey
from equitrack.measures.categories import SEPARATOR, Categorised
from equitrack.measures.declare import Kind
from equitrack.measures.pay import BONUS, BONUS_RECEIVED, HOURLY, NOT_KNOWN
from equitrack.measures.progression import NEEDED_PREFIX
from equitrack.measures.registry import kind_of, measure_of
from equitrack.measures.result import Result
from equitrack.model import codes
from equitrack.stats import Orientation, Verdict, format_interval, format_ratio, format_share
from equitrack.stats.rounding import format_number
from equitrack.stats.verdicts import PARITY_HIGH, PARITY_LOW
from equitrack.tracker.evidence import Status, key_result, most_telling
from equitrack.tracker.plan import Claim, Level
from equitrack.tracker.plan import Headline as Declared

#: The parity band as printed: "0.80 to 1.25".
PARITY_RANGE = format_interval(PARITY_LOW, PARITY_HIGH)
#: The only phrases in which "gap" or "adverse" may be written about a result whose verdict is
#: not adverse and significant: both say that there is no gap.
NO_GAP_RANGE = "this is within the range treated as no adverse gap"
NOT_A_GAP = "so it is not described as a gap"
#: A comparison significant on its own but not after the false-discovery adjustment.
POSSIBLE_GAP = "a possible gap, not confirmed"
NEGATIONS = (NO_GAP_RANGE, NOT_A_GAP, POSSIBLE_GAP)
ADVERSE_SIGNIFICANT = "This is an adverse gap, and it is statistically significant."
NOT_SIGNIFICANT = "The difference is not statistically significant"
ADJUSTED = "after allowing for the number of comparisons made, it is not significant"
TOO_SMALL = "too small to show"
#: What a neutral measure's verdict (how people joined: neither good nor bad) allows: the rates
#: differ, or are similar; never a gap, adverse or favourable.
NEUTRAL_WORDS = {
    Verdict.HIGHER_SIGNIFICANT: "the rates differ, and the difference is statistically "
    "significant; joining this way is neither good nor bad in itself",
    Verdict.HIGHER_NOT_SIGNIFICANT: "the difference is not statistically significant",
    Verdict.SIMILAR: f"the rates are similar ({PARITY_RANGE})",
    Verdict.LOWER_SIGNIFICANT: "the rates differ, and the difference is statistically "
    "significant; joining this way is neither good nor bad in itself",
    Verdict.LOWER_NOT_SIGNIFICANT: "the difference is not statistically significant",
}
#: Places for percentage points in sentences: the shares beside them have one.
POINTS_PLACES = 1

#: The rule `trend_sentence` uses, in words, for the methods appendix.
TREND_RULE = (
    "A figure is described as having changed from one year to the next only when the two 95% "
    "intervals do not overlap: the intervals of the relative likelihood for a comparison, the "
    "Wilson intervals of the share otherwise. This simple rule is cautious: intervals that do "
    "not overlap mean the difference between the years is clearly significant, while some real "
    "changes whose intervals overlap are not called changes. Results that are too few to tell, "
    "too small to show, without an interval (pay), or counted with different options in the two "
    "years are not compared."
)

#: Board seats as a gap measure's breakdown names them.
SEATS = {
    None: "board members",
    "All": "board members",
    "Voting": "voting board members",
    "Executive": "executive board members",
    "Non-executive": "non-executive board members",
}
_ATTRIBUTES = {"disability": "disability status", "sex": "sex"}


@dataclass(frozen=True)
class Headline:
    """A recommendation's key figure: its status in words (as the tracker gives it), the result
    behind it where there is one, and that result's sentences."""

    status: Status
    result: Result | None
    text: str | None


# --- words ------------------------------------------------------------------------------------


def people(group: str | None, group_type: str = "", noun: str = "staff") -> str:
    """A group as people: "Black staff", "non-disabled staff", "staff whose ethnicity is not
    known"; `noun` may be "respondents"."""
    if group is None:
        return f"the reference {noun}"
    if group_type == "cell":  # a whole cell, named by the recommendation ("other staff")
        return group
    if group == "All":
        return f"all {noun}"
    if group == codes.UNKNOWN:
        return f"{noun} whose {_ATTRIBUTES.get(group_type, 'ethnicity')} is not known"
    if group == "Not disabled":
        return f"non-disabled {noun}"
    if group == "Other":
        return f"{noun} of another sex" if group_type == "sex" else f"{noun} of other ethnic groups"
    if group_type == "detailed":
        return f"{noun} in the category {group}"
    return f"{group} {noun}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _counts(r: Result) -> str:
    """ "4 of 120", or "" when a count is not there to show."""
    if r.numerator is None or r.denominator is None:
        return ""
    return f"{r.numerator:,} of {r.denominator:,}"


def _bracket(text: str) -> str:
    return f" ({text})" if text else ""


def _points(difference: float) -> str:
    size = format_number(abs(difference), POINTS_PLACES)
    if size == format_number(0, POINTS_PLACES):
        return "the same share"
    return f"{size} percentage points {'higher' if difference > 0 else 'lower'}"


def _label(r: Result) -> str:
    """The breakdown cell, as a lead-in: "Clinical, Band 5: ". Pay results and categories name
    their own breakdown (the statistic, the category) in the sentence; a category's cell
    (bank or substantive) still leads."""
    label = r.breakdown
    m = measure_of(r)
    if isinstance(m, Categorised) and label is not None:
        if SEPARATOR in label:  # "Bank | Outcome A": the cell leads
            label = label.split(SEPARATOR, 1)[0]
        elif label in m.categories:  # a category of the whole cell: named in the sentence
            label = None
    if label is None or label == "All" or kind_of(r) is Kind.PAY_GAP:
        return ""
    return label.replace(SEPARATOR, ", ") + ": "


def _fill(phrase: str, values: Mapping[str, Any]) -> str:
    try:
        return phrase.format_map(values)
    except (KeyError, IndexError, ValueError):
        return phrase


# --- what a result is -------------------------------------------------------------------------


def _category(m: Categorised, label: str | None) -> str | None:
    """A categories result's category: the inverse of `Categorised.label`."""
    if label is None:
        return m.headline
    if SEPARATOR in label:
        return label.split(SEPARATOR, 1)[1]
    return label if label in m.categories or m.headline is None else m.headline


def orientation_of(r: Result) -> Orientation | None:
    """Which way up the result's ratio is: a benefit (reference rate over the group's) or a harm
    (the group's over the reference's). None when it cannot be told."""
    m = measure_of(r)
    if isinstance(m, Categorised):
        category = _category(m, r.breakdown)
        return m.compared.get(category) if category else None
    if m is not None:
        return m.orientation
    item = r.options.get("survey_measure")
    return survey.orientation(item) if item else None


def _phrase(r: Result) -> str | None:
    """The words the result's declaration gives for what it counts (`Measure.phrase`)."""
    m = measure_of(r)
    if m is not None:
        return m.phrase or None
    item = r.options.get("survey_measure")  # a survey result from outside the registry
    return survey.ITEM_PHRASES.get(str(item)) if item else None


def _event(r: Result) -> str | None:
    phrase = _phrase(r)
    if phrase is None:
        return None
    values: dict[str, Any] = dict(r.options)
    m = measure_of(r)
    if isinstance(m, Categorised):
        values["category"] = _category(m, r.breakdown) or ""
    return _fill(phrase, values)


def _title(r: Result) -> str:
    m = measure_of(r)
    return m.title if m else r.measure


# --- sentences --------------------------------------------------------------------------------


def describe(result: Result) -> str:
    """Sentences about one result, by the rules in the module docstring."""
    r = result
    kind = kind_of(r)
    if r.suppressed:
        who = "" if r.group_type == "all" else f" for {people(r.group, r.group_type)}"
        return f"{_label(r)}Figures{who} are {TOO_SMALL}."
    if kind is Kind.SURVEY:
        text = _survey(r)
    elif kind is Kind.PAY_GAP:
        text = _pay(r)
    elif kind in (Kind.GAP, Kind.PARITY_GAP):
        text = _gap(r, kind)
    elif kind is Kind.REPRESENTATION:
        text = _representation(r)
    elif kind is Kind.SHARE:
        text = _share(r)
    elif r.reference_group:
        text = _comparison(r)
    else:
        text = _rate(r)
    return _label(r) + text


def _judgement(r: Result, focus: str) -> str:
    """What the verdict allows to be said, to follow the ratio and its interval."""
    verdict, adjusted = r.verdict, r.verdict_adjusted
    demoted = adjusted is not None and adjusted != verdict
    if verdict in NEUTRAL_WORDS:
        return f"; {_neutral_words(r)}."
    if verdict == Verdict.NON_ADVERSE:
        return f"; {NO_GAP_RANGE} ({PARITY_RANGE})."
    if verdict == Verdict.ADVERSE_SIGNIFICANT:
        if demoted:
            return (
                ". On its own this difference is statistically significant, but "
                f"{ADJUSTED}: {POSSIBLE_GAP}."
            )
        return f". {ADVERSE_SIGNIFICANT}"
    if verdict == Verdict.ADVERSE_NOT_SIGNIFICANT:
        return f". {NOT_SIGNIFICANT}, {NOT_A_GAP}."
    if verdict == Verdict.FAVOURABLE_SIGNIFICANT:
        if demoted:
            return f". On its own this difference is statistically significant, but {ADJUSTED}."
        return f". This favours {focus}, and it is statistically significant."
    if verdict == Verdict.FAVOURABLE_NOT_SIGNIFICANT:
        return f". {NOT_SIGNIFICANT}."
    return "."


def _neutral_words(r: Result) -> str:
    """A neutral verdict in words, demoted as any other by the false-discovery adjustment."""
    said = NEUTRAL_WORDS[Verdict(r.verdict)]
    adjusted = r.verdict_adjusted
    if adjusted is not None and adjusted != r.verdict and r.verdict.endswith(", significant"):
        return f"the rates differ on their own, but {ADJUSTED}"
    return said


def _too_few(r: Result, focus: str, reference: str) -> str:
    """Too few to tell whether the rates differ: never "treated differently", which would
    say why they differ."""
    return (
        f"There are too few cases to tell whether the rates of {focus} and {reference} "
        f"differ{_bracket(_counts(r))}."
    )


def _ratio_claim(r: Result, focus: str, reference: str, noun: str = "staff") -> str:
    """ "Black staff were 1.62 times as likely as White staff to … (95% interval …)"."""
    orientation = orientation_of(r)
    interval = f"(95% interval {format_interval(r.ratio_ci_low, r.ratio_ci_high)})"
    event = "to say so" if noun == "respondents" else _event(r)
    if orientation is None or event is None:
        return (
            f"On “{_title(r)}”, the relative likelihood for {focus} against {reference} was "
            f"{format_ratio(r.ratio)} {interval}, where above 1 means {focus} fare worse"
        )  # a neutral measure always has its event phrase, so it never reads "fare worse"
    first, second = (focus, reference) if orientation.focus_over_reference else (reference, focus)
    return (
        f"{_cap(first)} were {format_ratio(r.ratio)} times as likely as {second} {event} {interval}"
    )


def _comparison(r: Result) -> str:
    focus = people(r.group, r.group_type)
    reference = people(r.reference_group, r.group_type)
    if r.too_few or r.verdict == Verdict.TOO_FEW:
        return _too_few(r, focus, reference)
    if r.ratio is None:
        return f"The relative likelihood for {focus} against {reference} cannot be calculated" + (
            f": {r.reason}." if r.reason else "."
        )
    return _ratio_claim(r, focus, reference) + _judgement(r, focus)


def _rate(r: Result) -> str:
    """A group's rate with nothing compared (the reference group, Unknown, a category)."""
    who = people(r.group, r.group_type)
    if r.rate is None:
        return f"There is no rate for {who}{_bracket(r.reason or '')}."
    m = measure_of(r)
    if isinstance(m, Categorised):
        category = _category(m, r.breakdown)
        return f"{format_share(r.rate)} of the cases of {who} were in “{category}”{_bracket(_counts(r))}."
    return f"The rate for {who} was {format_share(r.rate)}{_bracket(_counts(r))}."


def _survey(r: Result) -> str:
    respondents = people(r.group, r.group_type, "respondents")
    if r.verdict == Verdict.TOO_FEW:
        return f"There are too few answers to tell whether the answers of {respondents} differ{_bracket(_counts(r))}."
    if r.too_few:
        # fewer respondents than the survey's own rule: not shown, so no counts either
        return f"There are too few {respondents} to tell{_bracket(r.reason or '')}."
    if r.rate is None:
        return f"There are no answers from {respondents}."
    said = _phrase(r) or f"were counted by the survey item “{_title(r)}”"
    text = f"{format_share(r.rate)} of {respondents} {said}{_bracket(_counts(r))}"
    if r.reference_group and r.difference is not None:
        theirs = r.rate - r.difference / 100
        text += (
            f", against {format_share(theirs)} of "
            f"{people(r.reference_group, r.group_type, 'respondents')}: {_points(r.difference)}"
        )
    text += "."
    if r.reference_group and r.verdict and r.ratio is not None:
        reference = people(r.reference_group, r.group_type, "respondents")
        claim = _ratio_claim(r, respondents, reference, "respondents")
        text += " " + claim + _judgement(r, people(r.group, r.group_type))
    return text


def _representation(r: Result) -> str:
    who = people(r.group, r.group_type)
    if r.rate is None:
        return f"There is no one to count for {who}."
    sentence = _phrase(r) or "{Who} were {share} of the total"
    said = _fill(sentence, {"Who": _cap(who), "who": who, "share": format_share(r.rate)})
    return f"{said}{_bracket(_counts(r))}."


def _gap(r: Result, kind: Kind) -> str:
    who = people(r.group, r.group_type)
    cell = r.breakdown or ""
    if kind is Kind.PARITY_GAP and cell.startswith(NEEDED_PREFIX):
        if not r.numerator:
            return f"{_cap(who)} are at or above their share of the workforce at this level."
        return f"{r.numerator:,} {r.reason or f'more {who} needed at this level'}."
    if r.rate is None:
        return f"There is no one to count for {who}{_bracket(r.reason or '')}."
    noun = f"staff at {cell}" if kind is Kind.PARITY_GAP else SEATS.get(r.breakdown, "the body")
    text = f"{_cap(who)} were {format_share(r.rate)} of {noun}{_bracket(_counts(r))}"
    if r.difference is not None:
        workforce = r.rate - r.difference / 100
        text += f", against {format_share(workforce)} of staff in post: {_points(r.difference)}"
    return text + "."


def _pay(r: Result) -> str:
    who = people(r.group, r.group_type)
    cell = r.breakdown or ""
    if cell == NOT_KNOWN:
        return f"Ethnicity is not known for {format_share(r.rate)} of staff in the pay snapshot{_bracket(_counts(r))}."
    if cell == BONUS_RECEIVED:
        return f"{format_share(r.rate)} of {who} received bonus pay{_bracket(_counts(r))}."
    if cell.startswith((HOURLY, BONUS)):
        what, _, stat = cell.partition(": ")
        reference = people(r.reference_group, r.group_type)
        pay = what.lower()
        if r.difference is None:
            return f"The {stat} {pay} of {who} cannot be compared with that of {reference}{_bracket(r.reason or '')}."
        amounts = (r.reason or "").removeprefix(f"{stat} ")
        size = format_number(abs(r.difference), 1)
        if size == format_number(0, 1):
            return (
                f"The {stat} {pay} of {who} was the same as that of {reference}{_bracket(amounts)}."
            )
        direction = "lower" if r.difference > 0 else "higher"
        return f"The {stat} {pay} of {who} was {size}% {direction} than that of {reference}{_bracket(amounts)}."
    if r.rate is not None:  # a pay quarter
        return f"{_cap(who)} were {format_share(r.rate)} of {cell[:1].lower()}{cell[1:]}{_bracket(r.reason or '')}."
    return f"There is no figure for {who}{_bracket(r.reason or '')}."


def _share(r: Result) -> str:
    if r.rate is None:
        return f"There is nothing to count{_bracket(r.reason or '')}."
    phrase = _phrase(r)
    if phrase is None:
        return f"The share was {format_share(r.rate)}{_bracket(_counts(r))}."
    return f"{format_share(r.rate)} of {phrase}{_bracket(_counts(r))}."


# --- change over time -------------------------------------------------------------------------


def _overlap(a: tuple[float, float | None], b: tuple[float, float | None]) -> bool:
    """Whether two intervals meet; a missing upper limit is no limit."""
    (a_low, a_high), (b_low, b_high) = a, b
    return (a_high is None or b_low <= a_high) and (b_high is None or a_low <= b_high)


BETTER, WORSE, NO_CLEAR_CHANGE = "better", "worse", "no clear change"
#: A neutral measure's change (how people joined) is said without judging it.
HIGHER, LOWER = "higher", "lower"


def ratio_direction(previous: Result | None, current: Result) -> str | None:
    """In one word or three, the change in a comparison since last year by `TREND_RULE`:
    "better", "worse" or "no clear change" ("higher" or "lower" for a neutral measure); None
    when the two years cannot be compared."""
    if previous is None or previous.suppressed or current.suppressed:
        return None
    pairs = [(r.ratio, r.ratio_ci_low, r.ratio_ci_high) for r in (previous, current)]
    if any(ratio is None or low is None for ratio, low, _ in pairs):
        return None
    (was, was_low, was_high), (now, low, high) = pairs
    if _overlap((was_low, was_high), (low, high)):  # type: ignore[arg-type]
        return NO_CLEAR_CHANGE
    if orientation_of(current) is Orientation.NEUTRAL:
        return LOWER if now < was else HIGHER  # type: ignore[operator]
    return BETTER if now < was else WORSE  # type: ignore[operator]


def _same_thing(previous: Result, current: Result) -> None:
    for name in ("measure", "org", "group_type", "group", "breakdown", "reference_group"):
        if getattr(previous, name) != getattr(current, name):
            raise ValueError(
                f"cannot compare {name} {getattr(previous, name)!r} with "
                f"{getattr(current, name)!r}: a trend is one figure over time"
            )


def trend_sentence(previous: Result | None, current: Result) -> str:
    """This year against last, calling a change a change only when the two 95% intervals do
    not overlap (see `TREND_RULE`): for a comparison, the intervals of the relative
    likelihood, and a fall in the ratio is an improvement for the focus group relative to the
    reference group; for a share (representation, survey, board, records), the Wilson
    intervals, and a rise or fall is said without judging it. Results too few to tell, too
    small to show, without an interval (pay) or counted with different options are not
    compared. Raises ValueError when the two results are not the same figure.
    """
    then = calendar.label(previous.period if previous else calendar.previous(current.period))
    now = calendar.label(current.period)
    who = people(current.group, current.group_type)
    if previous is None:
        return f"There is no figure for {then} to compare with."
    _same_thing(previous, current)
    if previous.suppressed or current.suppressed:
        return f"Figures for {who} are {TOO_SMALL} in {then} or {now}, so no change is described."
    changed = sorted(
        k
        for k in set(previous.options) | set(current.options)
        if k != "snapshots" and previous.options.get(k) != current.options.get(k)
    )
    if changed:
        return (
            f"{then} and {now} were counted with different options ({', '.join(changed)}), so "
            "they are not compared."
        )
    kind = kind_of(current)
    if kind is Kind.PAY_GAP and current.rate_ci_low is None:
        return "Pay figures carry no interval, so no change is described."
    few = any(r.too_few or r.verdict == Verdict.TOO_FEW for r in (previous, current))
    if kind is not Kind.SURVEY and current.reference_group and kind is not Kind.PAY_GAP:
        if few:
            return f"There are too few cases to tell whether this has changed since {then}."
        return _ratio_trend(previous, current, then, now)
    if few:
        return f"There are too few to tell whether this has changed since {then}."
    return _share_trend(previous, current, then, now)


def _ratio_trend(previous: Result, current: Result, then: str, now: str) -> str:
    direction = ratio_direction(previous, current)
    if direction is None:
        return "The relative likelihood cannot be calculated for both years, so no change is described."
    was, now_ratio = format_ratio(previous.ratio), format_ratio(current.ratio)  # type: ignore[arg-type]
    if direction == NO_CLEAR_CHANGE:
        return (
            f"The relative likelihood was {now_ratio} in {now} and {was} in {then}; the two 95% "
            "intervals overlap, so this is not described as a change."
        )
    focus = people(current.group, current.group_type)
    reference = people(current.reference_group, current.group_type)
    if direction in (HIGHER, LOWER):
        moved = "fell" if direction == LOWER else "rose"
        return (
            f"The relative likelihood {moved} from {was} in {then} to {now_ratio} in {now}, and "
            "the two 95% intervals do not overlap: a change, neither better nor worse in itself."
        )
    moved, outcome = ("fell", "an improvement") if direction == BETTER else ("rose", "a worsening")
    return (
        f"The relative likelihood {moved} from {was} in {then} to {now_ratio} in {now}, and the "
        f"two 95% intervals do not overlap: {outcome} for {focus} relative to {reference}."
    )


def _share_trend(previous: Result, current: Result, then: str, now: str) -> str:
    pairs = [(r.rate, r.rate_ci_low, r.rate_ci_high) for r in (previous, current)]
    if any(rate is None or low is None for rate, low, _ in pairs):
        return "There is no share for both years, so no change is described."
    (was, was_low, was_high), (rate, low, high) = pairs
    assert was is not None and rate is not None and was_low is not None and low is not None
    if _overlap((was_low, was_high), (low, high)):
        return (
            f"The share was {format_share(rate)} in {now} and {format_share(was)} in {then}; "
            "the two 95% intervals overlap, so this is not described as a change."
        )
    moved = "fell" if rate < was else "rose"
    return (
        f"The share {moved} from {format_share(was)} in {then} to {format_share(rate)} in "
        f"{now}, and the two 95% intervals do not overlap, so this is a change."
    )


# --- a recommendation's key figure ------------------------------------------------------------


def headline(results: Sequence[Result], measures: Sequence[str] | None = None) -> Headline:
    """A recommendation's key figure from its measures' results for one unit and year.

    The choice is the tracker's (`equitrack.tracker.evidence.key_result` and `most_telling`,
    not restated here): the most telling status over the measures, and within the first
    measure showing it (in the order of `measures`, such as the recommendation's evidence, else
    as the results come) its key comparison: the most adverse significant one after the
    false-discovery-rate adjustment, Black staff's where they are shown.
    """
    by_measure: dict[str, list[Result]] = {m: [] for m in measures or ()}
    for r in results:
        by_measure.setdefault(r.measure, []).append(r)
    status, chosen = most_telling([key_result(rs) for rs in by_measure.values()])
    return Headline(status, chosen, None if chosen is None else describe(chosen))


# --- a recommendation's headline, level and change since the baseline -------------------------


def _rate_of(r: Result, noun: str) -> str:
    """ "4.6% of Black staff (69 of 1,498)", or why there is no rate."""
    who = people(r.group, r.group_type, noun)
    if r.suppressed:
        return f"{who} ({TOO_SMALL})"
    if r.rate is None:
        return f"{who} (no rate{': ' + r.reason if r.reason else ''})"
    return f"{format_share(r.rate)} of {who}{_bracket(_counts(r))}"


def verdict_words(r: Result) -> str:
    """What a comparison's verdict allows to be said, as a clause."""
    verdict, adjusted = r.verdict, r.verdict_adjusted
    demoted = adjusted is not None and adjusted != verdict
    focus = people(r.group, r.group_type)
    if r.too_few or verdict == Verdict.TOO_FEW:
        return "too few to tell whether the rates differ"
    if verdict in NEUTRAL_WORDS:
        return _neutral_words(r)
    if verdict == Verdict.ADVERSE_SIGNIFICANT:
        if demoted:
            return f"{POSSIBLE_GAP} after allowing for the number of comparisons made"
        return "an adverse gap, and it is statistically significant"
    if verdict == Verdict.ADVERSE_NOT_SIGNIFICANT:
        return f"not statistically significant, {NOT_A_GAP}"
    if verdict == Verdict.NON_ADVERSE:
        return f"{NO_GAP_RANGE} ({PARITY_RANGE})"
    if verdict == Verdict.FAVOURABLE_SIGNIFICANT:
        if demoted:
            return f"favours {focus} on its own, but {ADJUSTED}"
        return f"this favours {focus}, and it is statistically significant"
    if verdict == Verdict.FAVOURABLE_NOT_SIGNIFICANT:
        return "not statistically significant"
    return "no comparison can be made"


def key_figure(
    h: Declared,
    focus: Result,
    reference: Result | None,
    before: Result | None = None,
    within: Sequence[Result] = (),
) -> str:
    """A recommendation's headline in words: both groups' rates, then the relative likelihood
    and what its verdict allows; `before`, last year's, says when it is two years in a row;
    `within`, the same comparison's results band by band, what it shows within each band."""
    if reference is None:
        rates = f"{_rate_of(focus, h.noun)} {h.event}"
    else:
        rates = f"{_rate_of(focus, h.noun)} {h.event}, against {_rate_of(reference, h.noun)}"
    # what a reader must know, and the comparison within each band, whatever the figure
    after = (f" {h.note}" if h.note else "") + (f" {within_band(h, within)}" if h.within else "")
    if focus.suppressed or (reference is not None and reference.suppressed):
        return f"{_cap(rates)}; no comparison is shown.{after}"
    if focus.ratio is None:
        why = f": {focus.reason}" if focus.reason else ""
        return f"{_cap(rates)}; the relative likelihood cannot be calculated{why}.{after}"
    group = people(focus.group, focus.group_type, h.noun)
    said = verdict_words(focus)
    neutral = orientation_of(focus) is Orientation.NEUTRAL
    means = f"{group} are more likely" if neutral else f"{group} fare worse"
    text = (
        f"{_cap(rates)}: relative likelihood {format_ratio(focus.ratio)} (95% interval "
        f"{format_interval(focus.ratio_ci_low, focus.ratio_ci_high)}; above 1 means {means}), "
        f"{said}"
    )
    if (
        before is not None
        and (said.startswith(POSSIBLE_GAP) or said.startswith("an adverse gap"))
        and verdict_words(before) == said
    ):
        text += f"; it was so in {calendar.label(before.period)} too: two years in a row"
    return text + "." + after


def within_band(h: Declared, within: Sequence[Result]) -> str:
    """The headline's comparison made within each band (`h.within`'s results for the unit and
    year): at which bands there are enough to tell, and where the rates differ significantly
    after the adjustment for the number of comparisons, with both groups' rates."""
    rows = {(r.breakdown, r.group): r for r in within if r.breakdown}
    mine = {band: r for (band, group), r in rows.items() if group == h.group}
    theirs = {  # each band's reference group's row (White), never another group's
        band: rows.get((band, r.reference_group)) for band, r in mine.items()
    }
    told = [
        r
        for band, r in sorted(mine.items(), key=lambda item: codes.band_rank(item[0] or ""))
        if not (r.suppressed or r.too_few or r.ratio is None)
        and r.verdict not in (Verdict.TOO_FEW, Verdict.UNDEFINED)
        and theirs.get(band) is not None
    ]
    who = people(h.group, "broad", h.noun)
    if not told:
        return f"Made within each band, there are too few {who} at any band to tell."
    bands = words.join(r.breakdown or "" for r in told)
    differ = []
    for r in told:
        verdict = r.verdict_adjusted or r.verdict
        if verdict in (Verdict.ADVERSE_SIGNIFICANT, Verdict.FAVOURABLE_SIGNIFICANT):
            reference = theirs[r.breakdown]
            said = "an adverse gap" if verdict == Verdict.ADVERSE_SIGNIFICANT else "in their favour"
            differ.append(
                f"at {r.breakdown}, {_rate_of(r, h.noun)} {h.event}, against "
                f"{_rate_of(reference, h.noun)}: {said}"
            )
    where = f"Made within each band where there are enough to tell ({bands})"
    if not differ:
        return f"{where}, the rates do not differ significantly at any of them."
    return f"{where}, the rates differ significantly {'; and '.join(differ)}."


def level_figure(level: Level, r: Result) -> str:
    """A level as a figure: "14.3%", "10.8 per 1,000", or why there is none."""
    if r.suppressed:
        return TOO_SMALL
    if r.rate is None:
        return "no figure"
    if level.per == 1000:
        return f"{format_number(r.rate * 1000, 1)} per 1,000"
    return format_share(r.rate)


def level_sentence(level: Level, r: Result) -> str:
    """How far what was asked is happening, from the level's counts."""
    if r.suppressed:
        return f"This cannot be given: some of the counts it rests on are {TOO_SMALL}."
    if r.rate is None:
        return f"There is no figure{_bracket(r.reason or '')}."
    of = "" if level.per == 1000 else " of"
    return f"{level_figure(level, r)}{of} {level.what}{_bracket(_counts(r))}."


def since_sentence(series: Sequence[Result], baseline: int, year: int) -> str:
    """Change from the baseline year (or the first loaded year after it, said so) to `year`,
    by the rule of `trend_sentence`."""
    now = next((r for r in series if r.period == year), None)
    if now is None:
        return f"There is no figure for {calendar.label(year)}."
    first = next((r for r in series if baseline <= r.period < year), None)
    if first is None:
        return (
            f"There is no figure for {calendar.label(baseline)} or a later year before "
            f"{calendar.label(year)}, so no change since the baseline is described."
        )
    lead = f"Since {calendar.label(baseline)}"
    if first.period != baseline:
        lead = (
            f"There is no figure for {calendar.label(baseline)}, the baseline; since "
            f"{calendar.label(first.period)}, the first year with one"
        )
    said = trend_sentence(first, now)
    return f"{lead}: {said[:1].lower()}{said[1:]}"


def _first_and_now(
    series: Sequence[Result], baseline: int, year: int
) -> tuple[Result | None, Result | None]:
    now = next((r for r in series if r.period == year), None)
    first = next((r for r in series if baseline <= r.period < year), None)
    return first, now


def change_short(series: Sequence[Result], baseline: int, year: int) -> str:
    """Change since the baseline in a few words, for tables: "1.34 in 2021/22, 1.38 in
    2025/26: no clear change", by the rule of `trend_sentence`."""
    first, now = _first_and_now(series, baseline, year)
    if now is None or first is None:
        return "no earlier figure"
    if now.reference_group:
        if now.ratio is None or first.ratio is None:
            return "cannot be compared"
        word = ratio_direction(first, now) or "cannot be compared"
        if any(r.too_few or r.verdict == Verdict.TOO_FEW for r in (first, now)):
            word = "too few to tell"
        was, is_ = format_ratio(first.ratio), format_ratio(now.ratio)
    else:
        if now.rate is None or first.rate is None or now.rate_ci_low is None:
            return "cannot be compared"
        word = share_direction(first, now) or "cannot be compared"
        was, is_ = format_share(first.rate), format_share(now.rate)
    return f"{was} in {calendar.label(first.period)}, {is_} in {calendar.label(year)}: {word}"


def share_direction(previous: Result, current: Result) -> str | None:
    """ "rose", "fell" or "no clear change" for a share, by the rule of `trend_sentence`."""
    pairs = [(r.rate, r.rate_ci_low, r.rate_ci_high) for r in (previous, current)]
    if (
        previous.suppressed
        or current.suppressed
        or any(rate is None or low is None for rate, low, _ in pairs)
    ):
        return None
    (was, was_low, was_high), (rate, low, high) = pairs
    if _overlap((was_low, was_high), (low, high)):  # type: ignore[arg-type]
        return NO_CLEAR_CHANGE
    return "fell" if rate < was else "rose"  # type: ignore[operator]


def claim_sentence(claim: Claim, r: Result | None) -> str:
    """Whether the data bear out a figure the source states: the stated share lies in the
    95% interval of the share the data give."""
    where = f"{claim.org} in {calendar.label(claim.year)}"
    if r is None:
        return f"The data hold no figure for {where} to test this against."
    if r.suppressed:
        return f"The figure for {where} is {TOO_SMALL}."
    if r.rate is None or r.rate_ci_low is None or r.rate_ci_high is None:
        return f"There is no share for {where}{_bracket(r.reason or '')}."
    interval = format_interval(r.rate_ci_low, r.rate_ci_high)
    stated = format_share(claim.value)
    consistent = r.rate_ci_low <= claim.value <= r.rate_ci_high
    verdict = "consistent with" if consistent else "not consistent with"
    return (
        f"The data give {format_share(r.rate)}{_bracket(_counts(r))} for {where} (95% interval "
        f"{interval}): {verdict} the {stated} stated."
    )
