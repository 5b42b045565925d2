"""Identifiers in plain Python, written from their published rules, to generate test values.

NHS number (NHS Data Dictionary, "NHS Number"): ten digits, the tenth a modulus 11 check
digit. Multiply the first nine digits by 10, 9, ..., 2, add the products, and take the
remainder on division by 11; the check digit is 11 minus the remainder, 0 when that is 11, and
when it is 10 the nine digits have no valid NHS number.
"""

from __future__ import annotations


def nhs_check_digit(nine: str) -> int | None:
    """The check digit that completes `nine` digits, or None when no number can end them."""
    total = 0
    weight = 10
    for digit in nine:
        total += int(digit) * weight
        weight -= 1
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check
