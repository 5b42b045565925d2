"""Reasons made safe to show: a reason must not carry the exact count the figures beside it were
rounded or suppressed to hide.

A result's reason is data (`equitrack.stats.reasons`): a code and the numbers it quotes. Each
count a code quotes (`COUNTS`) is replaced by the one the gate rebuilt from the shown figures,
or dropped, and the words are made again from what is left. A reason with no code cannot be
checked, so it is withheld: no words are read for numbers.
"""

from __future__ import annotations

from collections.abc import Mapping

from equitrack.stats.reasons import COUNTS, Code, Reason, Value, codes_of

_EVERY_COUNT = frozenset().union(*COUNTS.values())
TOO_FEW_TO_SHOW = Reason(Code.TOO_FEW_TO_SHOW).words
SUPPRESSED = Reason(Code.SUPPRESSED).words
WITHHELD = Reason(Code.WITHHELD).words


def safe_reason(
    why: Reason | None, reason: str | None, rebuilt: Mapping[str, Value | None]
) -> Reason | None:
    """`why` with each count it quotes taken from `rebuilt` (the gate's figures from shown
    counts; None there: not shown) or dropped; `rebuilt` may add values the words use (a pay
    quarter's people are "about" so many once rounded). `reason`: the words, withheld when
    there is no `why` to make them safe from."""
    if why is None:
        return None if reason is None else Reason(Code.WITHHELD)
    counts = set().union(*(COUNTS.get(c, frozenset()) for c in codes_of(why.code)))
    values = {k: v for k, v in why.values.items() if k not in counts}
    values.update(
        {
            k: v
            for k, v in rebuilt.items()
            if v is not None and (k in counts or k not in _EVERY_COUNT)
        }
    )
    return Reason(why.code, values)


__all__ = ["SUPPRESSED", "TOO_FEW_TO_SHOW", "WITHHELD", "safe_reason"]
