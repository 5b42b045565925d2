"""The unfairness the generator builds in, as named parameters.

Every disparity is a multiplier for a broad ethnic group relative to White (White is always
1.0), or for disabled staff relative to non-disabled staff, so a measure computed from the
output can be checked against the number that produced it. `Disparities.none()` turns every
one of them off: the same workforce, treated equally.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

import numpy as np

from equitrack.model import codes

#: Broad groups in the order the generator indexes them (White first, Unknown last).
GROUPS: tuple[str, ...] = codes.BROAD_GROUPS
WHITE, MIXED, ASIAN, BLACK, OTHER, UNKNOWN = range(len(GROUPS))
MINORITY = (MIXED, ASIAN, BLACK, OTHER)


@dataclass(frozen=True)
class ByGroup:
    """A multiplier per broad minority group, relative to White (White and Unknown are 1.0)."""

    mixed: float = 1.0
    asian: float = 1.0
    black: float = 1.0
    other: float = 1.0

    @classmethod
    def bme(cls, value: float) -> ByGroup:
        """The same multiplier for every minority group."""
        return cls(value, value, value, value)

    def vector(self) -> np.ndarray:
        """Multipliers indexed like `GROUPS`: White, Mixed, Asian, Black, Other, Unknown."""
        return np.array([1.0, self.mixed, self.asian, self.black, self.other, 1.0])

    def of(self, group: str) -> float:
        return float(self.vector()[GROUPS.index(group)])


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class Disparities:
    """Named disparities, each a ratio for a minority group against White staff (or, where
    the name says so, for disabled staff against non-disabled staff).

    Defaults are set near published national WRES patterns: WRES 2 (appointment from
    shortlisting) around 1.5-1.7 White vs BME, WRES 3 (formal disciplinary) around 1.1-1.5
    BME vs White and far higher for Black staff, survey gaps as in the NHS Staff Survey (the
    WDES survey gaps between disabled and non-disabled staff are odds ratios of about 1.3-1.8).
    `Disparities.describe()` gives each parameter's meaning and scale.
    """

    appointment_odds: ByGroup = field(
        default=ByGroup(0.75, 0.6, 0.5, 0.65),
        metadata=_doc(
            "Relative likelihood of appointment once shortlisted, vs White (WRES 2 is 1 / this)."
        ),
    )
    shortlisting_odds: ByGroup = field(
        default=ByGroup(0.9, 0.8, 0.75, 0.8),
        metadata=_doc("Relative likelihood of being shortlisted once applied, vs White."),
    )
    promotion_hazard: ByGroup = field(
        default=ByGroup(0.85, 0.75, 0.6, 0.8),
        metadata=_doc("Hazard ratio of moving up a band or medical grade, vs White."),
    )
    senior_band_odds: float = field(
        default=0.45,
        metadata=_doc(
            "Odds ratio of a minority person holding band 8a or above, in the inherited workforce "
            "and among senior joiners (the gap the Model Employer goal measures)."
        ),
    )
    formal_disciplinary_risk: ByGroup = field(
        default=ByGroup(1.4, 1.3, 2.0, 1.4),
        metadata=_doc(
            "Relative risk per person-year of entering a formal conduct or capability process."
        ),
    )
    bank_disciplinary_risk: float = field(
        default=1.5,
        metadata=_doc(
            "Extra relative risk of formal disciplinary for bank-only workers, every group."
        ),
    )
    suspension_odds: ByGroup = field(
        default=ByGroup(1.3, 1.3, 1.8, 1.3),
        metadata=_doc("Odds ratio of suspension once a case is formal."),
    )
    severe_outcome_odds: ByGroup = field(
        default=ByGroup(1.2, 1.2, 1.5, 1.2),
        metadata=_doc("Odds ratio of a formal case ending in a written warning or dismissal."),
    )
    assessment_odds: ByGroup = field(
        default=ByGroup(0.85, 0.85, 0.7, 0.85),
        metadata=_doc("Odds ratio that a formal case was preceded by a just-culture assessment."),
    )
    nonmandatory_training: ByGroup = field(
        default=ByGroup(0.85, 0.85, 0.85, 0.85),
        metadata=_doc(
            "Rate ratio of non-mandatory training and CPD enrolments per person-year (WRES 4)."
        ),
    )
    informal_selection_odds: ByGroup = field(
        default=ByGroup(0.55, 0.55, 0.45, 0.55),
        metadata=_doc(
            "Rate ratio of being picked informally (no advert) for shadowing, acting up, "
            "secondments and coaching."
        ),
    )
    positive_action_rate: ByGroup = field(
        default=ByGroup(3.0, 3.0, 3.0, 3.0),
        metadata=_doc(
            "Rate ratio of joining talent and reverse-mentoring programmes aimed at minority staff."
        ),
    )
    succession_odds: ByGroup = field(
        default=ByGroup(0.6, 0.6, 0.5, 0.6),
        metadata=_doc(
            "Odds ratio of being named in a succession pool at appraisal (band 7 and above)."
        ),
    )
    leave_declined_international_odds: float = field(
        default=2.5,
        metadata=_doc(
            "Odds ratio of a leave request being declined for internationally recruited staff."
        ),
    )
    leave_declined_odds: ByGroup = field(
        default=ByGroup(1.15, 1.15, 1.25, 1.15),
        metadata=_doc(
            "Odds ratio of a leave request being declined, vs White (on top of the above)."
        ),
    )
    bank_removal_risk: ByGroup = field(
        default=ByGroup(1.8, 1.8, 1.8, 1.8),
        metadata=_doc("Relative risk that a bank worker's departure is a removal from the bank."),
    )
    bank_conversion_odds: ByGroup = field(
        default=ByGroup(0.8, 0.75, 0.65, 0.75),
        metadata=_doc(
            "Relative likelihood that a bank worker leaving the bank moves to a substantive post."
        ),
    )
    racist_abuse_rate: ByGroup = field(
        default=ByGroup(2.5, 3.5, 5.0, 3.0),
        metadata=_doc("Rate ratio of recorded racist-abuse incidents per person-year."),
    )
    bank_incident_rate: float = field(
        default=1.5,
        metadata=_doc(
            "Rate ratio of incidents of every kind for bank-only workers vs substantive staff."
        ),
    )
    survey_adverse_odds: ByGroup = field(
        default=ByGroup(1.25, 1.1, 1.35, 1.2),
        metadata=_doc(
            "Odds ratio of reporting harassment, bullying or abuse (survey WRES 5 and 6)."
        ),
    )
    survey_discrimination_odds: ByGroup = field(
        default=ByGroup(2.4, 2.6, 3.4, 2.6),
        metadata=_doc(
            "Odds ratio of reporting discrimination from a manager or colleague (WRES 8)."
        ),
    )
    survey_equal_opportunity_odds: ByGroup = field(
        default=ByGroup(0.65, 0.6, 0.45, 0.6),
        metadata=_doc(
            "Odds ratio of believing the organisation offers equal opportunities (WRES 7)."
        ),
    )
    survey_disability_adverse_odds: float = field(
        default=1.5,
        metadata=_doc(
            "Odds ratio of a disabled respondent giving the adverse answer, vs non-disabled "
            "staff, on the NHS Staff Survey items behind WDES 4-7 and 9: more often harassed "
            "or pressed to work when unwell, less often seeing equal opportunities, feeling "
            "valued or recommending the organisation as a place to work."
        ),
    )
    bonus_odds: ByGroup = field(
        default=ByGroup(0.8, 0.8, 0.6, 0.8),
        metadata=_doc(
            "Odds ratio of a consultant receiving a clinical excellence award in a year."
        ),
    )
    board_representation_odds: float = field(
        default=0.45,
        metadata=_doc(
            "Odds ratio of a board seat going to a minority person, against the workforce mix."
        ),
    )

    @classmethod
    def none(cls) -> Disparities:
        """Parity everywhere: every multiplier is 1.0."""
        changes: dict[str, object] = {}
        for f in fields(cls):
            changes[f.name] = ByGroup() if isinstance(f.default, ByGroup) else 1.0
        return replace(cls(), **changes)

    @classmethod
    def describe(cls) -> dict[str, tuple[object, str]]:
        """Each parameter's default and what it means (for help text and documentation)."""
        return {f.name: (f.default, f.metadata["doc"]) for f in fields(cls)}
