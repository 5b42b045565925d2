"""Workforce composition: staff groups, bands, turnover, promotion ladders and ethnic code mixes.

Plain shares and rates, read into index arrays once. The code lists themselves (bands, staff
groups, ethnic codes) come from `equitrack.model.codes`; this module only weights them.
"""

from __future__ import annotations

import numpy as np

from equitrack.model import codes
from equitrack.model.tables import allowed

from .params import GROUPS, UNKNOWN

BANDS: tuple[str, ...] = codes.PAY_BANDS
BAND = {b: i for i, b in enumerate(BANDS)}
STAFF: tuple[str, ...] = tuple(codes.STAFF_GROUPS)
SG = {g: i for i, g in enumerate(STAFF)}
NURSE, ACS, ADMIN, MEDICAL = (
    SG["Nursing and Midwifery Registered"],
    SG["Additional Clinical Services"],
    SG["Administrative and Clerical"],
    SG["Medical and Dental"],
)
CONTRACTS = allowed("assignments", "contract")
PERMANENT, FIXED_TERM, BANK, LOCUM, HONORARY = (
    CONTRACTS.index(c) for c in ("permanent", "fixed_term", "bank", "locum", "honorary")
)
KINDS = ("acute", "mental_health", "community", "icb")

_SHARES: dict[str, dict[str, float]] = {
    "acute": {
        "Nursing and Midwifery Registered": 0.30,
        "Additional Clinical Services": 0.22,
        "Administrative and Clerical": 0.20,
        "Medical and Dental": 0.13,
        "Allied Health Professionals": 0.06,
        "Estates and Ancillary": 0.05,
        "Healthcare Scientists": 0.025,
        "Add Prof Scientific and Technic": 0.01,
        "Students": 0.005,
    },
    "mental_health": {
        "Nursing and Midwifery Registered": 0.27,
        "Additional Clinical Services": 0.29,
        "Administrative and Clerical": 0.21,
        "Medical and Dental": 0.05,
        "Allied Health Professionals": 0.09,
        "Estates and Ancillary": 0.03,
        "Add Prof Scientific and Technic": 0.055,
        "Healthcare Scientists": 0.005,
    },
    "community": {
        "Nursing and Midwifery Registered": 0.31,
        "Additional Clinical Services": 0.24,
        "Administrative and Clerical": 0.22,
        "Medical and Dental": 0.03,
        "Allied Health Professionals": 0.14,
        "Estates and Ancillary": 0.03,
        "Add Prof Scientific and Technic": 0.03,
    },
    "icb": {
        "Administrative and Clerical": 0.92,
        "Nursing and Midwifery Registered": 0.05,
        "Medical and Dental": 0.01,
        "Allied Health Professionals": 0.01,
        "Add Prof Scientific and Technic": 0.01,
    },
}
#: Bank-only workers: mostly nurses and healthcare support workers.
_BANK_SHARES = {
    "Nursing and Midwifery Registered": 0.38,
    "Additional Clinical Services": 0.45,
    "Administrative and Clerical": 0.10,
    "Estates and Ancillary": 0.05,
    "Allied Health Professionals": 0.02,
}

_BANDS: dict[str, dict[str, float]] = {
    "Nursing and Midwifery Registered": {
        "Band 5": 0.44, "Band 6": 0.31, "Band 7": 0.17, "Band 8a": 0.05,
        "Band 8b": 0.018, "Band 8c": 0.008, "Band 8d": 0.003, "Band 9": 0.001,
    },
    "Additional Clinical Services": {
        "Band 2": 0.30, "Band 3": 0.46, "Band 4": 0.19, "Band 5": 0.04, "Band 6": 0.01,
    },
    "Administrative and Clerical": {
        "Band 2": 0.14, "Band 3": 0.26, "Band 4": 0.20, "Band 5": 0.12, "Band 6": 0.09,
        "Band 7": 0.08, "Band 8a": 0.05, "Band 8b": 0.03, "Band 8c": 0.015, "Band 8d": 0.01,
        "Band 9": 0.003, "VSM": 0.002,
    },
    "Medical and Dental": {
        "Consultant": 0.38, "Specialty Registrar": 0.30, "Core Training": 0.08,
        "Foundation Year 1": 0.07, "Foundation Year 2": 0.07, "Specialty Doctor": 0.07,
        "Specialist": 0.02, "Associate Specialist": 0.01,
    },
    "Allied Health Professionals": {
        "Band 5": 0.20, "Band 6": 0.40, "Band 7": 0.28, "Band 8a": 0.08, "Band 8b": 0.03,
        "Band 8c": 0.01,
    },
    "Estates and Ancillary": {
        "Band 1": 0.03, "Band 2": 0.60, "Band 3": 0.20, "Band 4": 0.09, "Band 5": 0.04,
        "Band 6": 0.025, "Band 7": 0.015,
    },
    "Healthcare Scientists": {
        "Band 3": 0.08, "Band 4": 0.08, "Band 5": 0.15, "Band 6": 0.22, "Band 7": 0.27,
        "Band 8a": 0.12, "Band 8b": 0.05, "Band 8c": 0.03,
    },
    "Add Prof Scientific and Technic": {
        "Band 4": 0.10, "Band 5": 0.15, "Band 6": 0.25, "Band 7": 0.25, "Band 8a": 0.15,
        "Band 8b": 0.06, "Band 8c": 0.03, "Band 8d": 0.01,
    },
    "Students": {"Other": 1.0},
}  # fmt: skip
#: ICB staff are commissioners: admin and clinical-support roles, bands 4 to VSM.
_ICB_BANDS: dict[str, dict[str, float]] = {
    "Administrative and Clerical": {
        "Band 3": 0.03, "Band 4": 0.11, "Band 5": 0.13, "Band 6": 0.15, "Band 7": 0.18,
        "Band 8a": 0.15, "Band 8b": 0.11, "Band 8c": 0.07, "Band 8d": 0.04, "Band 9": 0.02,
        "VSM": 0.01,
    },
    "Nursing and Midwifery Registered": {
        "Band 7": 0.3, "Band 8a": 0.35, "Band 8b": 0.2, "Band 8c": 0.1, "Band 8d": 0.05,
    },
    "Medical and Dental": {"Consultant": 1.0},
    "Allied Health Professionals": {"Band 7": 0.4, "Band 8a": 0.4, "Band 8b": 0.2},
    "Add Prof Scientific and Technic": {"Band 7": 0.3, "Band 8a": 0.4, "Band 8b": 0.3},
}  # fmt: skip
_BANK_BANDS: dict[str, dict[str, float]] = {
    "Nursing and Midwifery Registered": {"Band 5": 0.75, "Band 6": 0.2, "Band 7": 0.05},
    "Additional Clinical Services": {"Band 2": 0.35, "Band 3": 0.55, "Band 4": 0.1},
    "Administrative and Clerical": {"Band 2": 0.3, "Band 3": 0.45, "Band 4": 0.25},
    "Estates and Ancillary": {"Band 2": 0.8, "Band 3": 0.2},
    "Allied Health Professionals": {"Band 5": 0.5, "Band 6": 0.5},
}  # fmt: skip


def cell_shares(kind: str, bank: bool) -> np.ndarray:
    """Share of staff in each (staff group, band) cell, as a STAFF x BANDS matrix summing to 1."""
    groups = _BANK_SHARES if bank else _SHARES[kind]
    out = np.zeros((len(STAFF), len(BANDS)))
    for group, share in groups.items():
        bands = (_BANK_BANDS if bank else _ICB_BANDS if kind == "icb" else _BANDS)[group]
        for band, b_share in bands.items():
            out[SG[group], BAND[band]] += share * b_share
    return out / out.sum()


# --- turnover and progression ------------------------------------------------------------------

_LEAVE_RATE = {
    "Nursing and Midwifery Registered": 0.09,
    "Additional Clinical Services": 0.12,
    "Administrative and Clerical": 0.11,
    "Medical and Dental": 0.07,
    "Allied Health Professionals": 0.10,
    "Estates and Ancillary": 0.11,
    "Healthcare Scientists": 0.08,
    "Add Prof Scientific and Technic": 0.09,
    "Students": 0.5,
}
_MEDICAL_LEAVE = {
    "Foundation Year 1": 0.25,
    "Foundation Year 2": 0.55,
    "Core Training": 0.35,
    "Specialty Registrar": 0.22,
}
BANK_LEAVE_RATE = 0.22
TRAINEE_GRADES = tuple(
    BAND[b] for b in codes.MEDICAL_GRADES if codes.MEDICAL_GRADES[b] == codes.TRAINEE
)


def leave_rates() -> np.ndarray:
    """Annual leaving hazard for each (staff group, band) cell."""
    out = np.array([[_LEAVE_RATE[g]] * len(BANDS) for g in STAFF])
    for band, rate in _MEDICAL_LEAVE.items():
        out[MEDICAL, BAND[band]] = rate
    return out


#: Medical progression is a ladder of grades, not AfC bands (not an AfC promotion).
_MEDICAL_LADDER = {
    "Foundation Year 1": ("Foundation Year 2", 0.70),
    "Foundation Year 2": ("Core Training", 0.25),
    "Core Training": ("Specialty Registrar", 0.30),
    "Specialty Registrar": ("Consultant", 0.10),
    "Specialty Doctor": ("Specialist", 0.03),
}
#: White staff's annual chance of moving up from each AfC band.
_AFC_UP = {
    "Band 1": 0.03, "Band 2": 0.06, "Band 3": 0.07, "Band 4": 0.06, "Band 5": 0.11,
    "Band 6": 0.06, "Band 7": 0.045, "Band 8a": 0.04, "Band 8b": 0.035, "Band 8c": 0.03,
    "Band 8d": 0.02, "Band 9": 0.01,
}  # fmt: skip
_CEILING = {
    "Nursing and Midwifery Registered": "Band 9",
    "Additional Clinical Services": "Band 6",
    "Administrative and Clerical": "VSM",
    "Allied Health Professionals": "Band 8d",
    "Estates and Ancillary": "Band 7",
    "Healthcare Scientists": "Band 8d",
    "Add Prof Scientific and Technic": "Band 9",
}


def ladder() -> tuple[np.ndarray, np.ndarray]:
    """Next band (-1 at the top) and the annual chance of moving to it, per (group, band)."""
    nxt = np.full((len(STAFF), len(BANDS)), -1, dtype=np.int16)
    up = np.zeros((len(STAFF), len(BANDS)))
    afc = codes.AFC_BANDS
    for group, ceiling in _CEILING.items():
        for i, band in enumerate(afc[: afc.index(ceiling)]):
            nxt[SG[group], BAND[band]] = BAND[afc[i + 1]]
            up[SG[group], BAND[band]] = _AFC_UP.get(band, 0.0)
    for band, (to, p) in _MEDICAL_LADDER.items():
        nxt[MEDICAL, BAND[band]] = BAND[to]
        up[MEDICAL, BAND[band]] = p
    return nxt, up


# --- ethnicity -------------------------------------------------------------------------------


def band_minority_odds(senior_band_odds: float) -> np.ndarray:
    """Odds multiplier of a minority person (vs White) in each band: minority staff are
    concentrated in bands 2-6 and in medicine; 8a and above carry the senior-band disparity."""
    out = np.ones(len(BANDS))
    for band in codes.AFC_BANDS:
        rank = codes.band_rank(band)
        out[BAND[band]] = 1.1 if rank <= 4 else 1.3 if rank == 5 else 1.0 if rank == 6 else 0.85
        if codes.is_senior(band):
            out[BAND[band]] *= senior_band_odds * (0.85 if rank >= 10 else 1.0)
    for grade in codes.MEDICAL_GRADES:
        out[BAND[grade]] = 2.8
    out[BAND[codes.CONSULTANT]] = 2.2
    return out


def group_minority_tilt() -> np.ndarray:
    """Within-minority weights by staff group: doctors more often of Asian heritage,
    healthcare support and estates staff more often Black."""
    out = np.ones((len(STAFF), len(GROUPS)))
    out[MEDICAL, GROUPS.index("Asian")] = 1.8
    out[ACS, GROUPS.index("Black")] = 1.3
    out[SG["Estates and Ancillary"], GROUPS.index("Black")] = 1.2
    return out


#: Weights of raw codes within each broad group. Extended two-character codes add local detail.
CODE_MIXES: dict[str, dict[str, float]] = {
    "england": {
        "A": 0.82, "B": 0.02, "C": 0.10, "CP": 0.025, "CK": 0.008, "CQ": 0.005, "A1": 0.01,
        "C3": 0.012,
        "D": 0.30, "E": 0.15, "F": 0.28, "G": 0.20, "GC": 0.04, "GB": 0.03,
        "H": 0.48, "J": 0.20, "K": 0.07, "L": 0.15, "LE": 0.04, "LK": 0.02, "LH": 0.04,
        "M": 0.22, "N": 0.56, "P": 0.08, "PC": 0.07, "PA": 0.04, "PD": 0.03,
        "R": 0.15, "S": 0.45, "SC": 0.25, "SE": 0.10, "SD": 0.05,
    },
    "leicester": {
        "A": 0.86, "B": 0.015, "C": 0.07, "CP": 0.03, "CK": 0.005, "A1": 0.01, "C3": 0.01,
        "D": 0.35, "E": 0.12, "F": 0.30, "G": 0.17, "GC": 0.04, "GB": 0.02,
        "H": 0.66, "J": 0.08, "K": 0.04, "L": 0.10, "LE": 0.03, "LK": 0.03, "LH": 0.06,
        "M": 0.12, "N": 0.62, "P": 0.06, "PA": 0.10, "PC": 0.07, "PD": 0.03,
        "R": 0.15, "S": 0.40, "SC": 0.30, "SE": 0.10, "SD": 0.05,
    },
}  # fmt: skip
#: How "not known" is recorded: blank, Z (not stated) or 99 (not known).
UNKNOWN_MIX = {"": 0.3, codes.NOT_STATED: 0.5, codes.NOT_KNOWN: 0.2}
#: Internationally recruited staff: Indian, Filipino, Nigerian, Ghanaian, Zimbabwean, others.
IR_MIX = {
    "H": 0.30, "SC": 0.19, "N": 0.17, "PC": 0.11, "L": 0.04, "LE": 0.03, "J": 0.03,
    "K": 0.01, "P": 0.03, "S": 0.03, "C": 0.02, "CP": 0.01, "Z": 0.02, "": 0.01,
}  # fmt: skip

#: Every raw code the generator can produce, in a fixed order (index = code id).
ETHNIC_CODES: tuple[str, ...] = tuple(
    dict.fromkeys([*CODE_MIXES["england"], *CODE_MIXES["leicester"], *IR_MIX, *UNKNOWN_MIX])
)
CODE_ID = {c: i for i, c in enumerate(ETHNIC_CODES)}
CODE_GROUP = np.array(
    [GROUPS.index(codes.DEFAULT_GROUPING.broad_group(c)) for c in ETHNIC_CODES], dtype=np.int8
)


def code_table(mix: dict[str, float]) -> np.ndarray:
    """Cumulative weights of code ids within each broad group: GROUPS x ETHNIC_CODES."""
    weights = np.zeros((len(GROUPS), len(ETHNIC_CODES)))
    for code, w in mix.items():
        weights[CODE_GROUP[CODE_ID[code]], CODE_ID[code]] = w
    for code, w in UNKNOWN_MIX.items():
        weights[UNKNOWN, CODE_ID[code]] = w
    empty = weights.sum(axis=1) == 0
    if empty.any():  # a group the mix never names: fall back to the national mix
        weights[empty] = code_table_weights(CODE_MIXES["england"])[empty]
    return np.cumsum(weights / weights.sum(axis=1, keepdims=True), axis=1)


def code_table_weights(mix: dict[str, float]) -> np.ndarray:
    """Raw weights of code ids within each broad group (GROUPS x ETHNIC_CODES)."""
    weights = np.zeros((len(GROUPS), len(ETHNIC_CODES)))
    for code, w in mix.items():
        weights[CODE_GROUP[CODE_ID[code]], CODE_ID[code]] = w
    return weights


def ir_weights() -> np.ndarray:
    """Probabilities of each code id among internationally recruited staff."""
    out = np.zeros(len(ETHNIC_CODES))
    for code, w in IR_MIX.items():
        out[CODE_ID[code]] = w
    return out / out.sum()


# --- other equality-monitoring attributes --------------------------------------------------------

FEMALE_SHARE = {
    "Nursing and Midwifery Registered": 0.89,
    "Additional Clinical Services": 0.80,
    "Administrative and Clerical": 0.79,
    "Medical and Dental": 0.48,
    "Allied Health Professionals": 0.83,
    "Estates and Ancillary": 0.45,
    "Healthcare Scientists": 0.62,
    "Add Prof Scientific and Technic": 0.76,
    "Students": 0.82,
}
RELIGIONS = (
    "Christianity", "Islam", "Hinduism", "Sikhism", "Judaism", "Buddhism", "Atheism", "Other",
    "I do not wish to disclose my religion/belief",
)  # fmt: skip
#: Religion weights by the first character of the ethnic code ("" for unknown).
_RELIGION_BY_CODE = {
    "A": (45, 1, 0, 0, 0.5, 0.5, 30, 3, 20), "B": (65, 0, 0, 0, 0, 0, 15, 2, 18),
    "C": (55, 3, 0, 0, 1, 1, 20, 3, 17), "D": (45, 3, 0, 0, 0, 0, 30, 4, 18),
    "E": (50, 15, 0, 0, 0, 0, 15, 3, 17), "F": (30, 20, 10, 5, 0, 1, 15, 3, 16),
    "G": (40, 10, 3, 1, 1, 2, 22, 4, 17), "H": (8, 4, 52, 20, 0, 1, 3, 2, 10),
    "J": (2, 88, 0, 0, 0, 0, 1, 1, 8), "K": (1, 90, 0, 0, 0, 0, 1, 1, 7),
    "L": (25, 30, 20, 3, 0, 8, 2, 2, 10), "M": (68, 4, 0, 0, 0, 0, 10, 4, 14),
    "N": (72, 14, 0, 0, 0, 0, 2, 2, 10), "P": (45, 40, 0, 0, 0, 0, 3, 2, 10),
    "R": (18, 0, 0, 0, 0, 20, 40, 5, 17), "S": (40, 30, 3, 1, 0, 5, 5, 4, 12),
    "": (30, 5, 4, 2, 0.3, 0.5, 15, 3, 40),
}  # fmt: skip


def religion_table() -> np.ndarray:
    """Cumulative religion weights per code id."""
    out = np.zeros((len(ETHNIC_CODES), len(RELIGIONS)))
    for i, code in enumerate(ETHNIC_CODES):
        first = codes.national_code(code)
        out[i] = _RELIGION_BY_CODE.get(
            first if first != codes.UNKNOWN else "", _RELIGION_BY_CODE[""]
        )
    return np.cumsum(out / out.sum(axis=1, keepdims=True), axis=1)


ORIENTATIONS = (
    "Heterosexual or Straight", "Gay or Lesbian", "Bisexual",
    "Other sexual orientation not listed", "Not stated",
)  # fmt: skip
ORIENTATION_WEIGHTS = (0.80, 0.022, 0.016, 0.004, 0.158)
