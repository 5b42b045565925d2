"""Which organisations the synthetic system has: Leicester, Leicestershire and Rutland, a
national-scale England, or a tiny system for fast tests.

A preset fixes the structure (organisations, sizes, ethnic mix); the seed only changes the
people in it, so two seeds of one preset are comparable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from equitrack.model.tables import allowed

from .mixes import KINDS


@dataclass(frozen=True)
class OrgSpec:
    """One organisation to generate.

    `minority_share` is the target share of ethnic-minority staff among those whose ethnicity
    is known, before international recruitment adds to it; `minority_mix` splits the minority
    share into Mixed, Asian, Black and Other.
    """

    code: str
    name: str
    org_type: str  # trust, icb
    kind: str  # one of mixes.KINDS
    system_code: str
    headcount: int  # staff in post (not bank-only) at 31 March of the last year
    minority_share: float
    minority_mix: tuple[float, float, float, float]  # Mixed, Asian, Black, Other
    unknown_share: float = 0.04
    code_mix: str = "england"
    bank_share: float = 0.12  # bank-only workers per member of staff in post
    international: float = 1.0  # intensity of international recruitment waves

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.code}: kind must be one of {KINDS}")
        if self.org_type not in allowed("organisations", "org_type"):
            raise ValueError(f"{self.code}: org_type {self.org_type!r} is not in the model")


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    orgs: tuple[OrgSpec, ...]
    growth: float = 0.015  # annual workforce growth

    @property
    def headcount(self) -> int:
        return sum(o.headcount for o in self.orgs)


LEICESTER_MIX = (0.07, 0.62, 0.20, 0.11)
ENGLAND_MIX = (0.08, 0.45, 0.32, 0.15)


def _llr() -> Preset:
    common = {"system_code": "QK1", "code_mix": "leicester"}
    return Preset(
        "llr",
        "Leicester, Leicestershire and Rutland: an acute trust, a mental health and community "
        "trust and the integrated care board, with a diverse city workforce.",
        (
            OrgSpec(
                "RWE",
                "University Hospitals of Leicester NHS Trust",
                "trust",
                "acute",
                headcount=17_000,
                minority_share=0.38,
                minority_mix=LEICESTER_MIX,
                bank_share=0.14,
                international=1.4,
                **common,
            ),
            OrgSpec(
                "RT5",
                "Leicestershire Partnership NHS Trust",
                "trust",
                "mental_health",
                headcount=6_500,
                minority_share=0.34,
                minority_mix=LEICESTER_MIX,
                bank_share=0.15,
                international=0.8,
                **common,
            ),
            OrgSpec(
                "QK1",
                "NHS Leicester, Leicestershire and Rutland ICB",
                "icb",
                "icb",
                headcount=300,
                minority_share=0.30,
                minority_mix=LEICESTER_MIX,
                bank_share=0.0,
                international=0.0,
                **common,
            ),
        ),
    )


def _mini() -> Preset:
    return Preset(
        "mini",
        "Two small organisations (about 1,500 staff) for fast tests.",
        (
            OrgSpec(
                "RXA",
                "Minster Valley NHS Trust",
                "trust",
                "acute",
                "QXA",
                1_250,
                0.36,
                LEICESTER_MIX,
                bank_share=0.14,
                international=1.5,
                code_mix="leicester",
            ),
            OrgSpec(
                "QXA",
                "NHS Minster Valley ICB",
                "icb",
                "icb",
                "QXA",
                250,
                0.30,
                LEICESTER_MIX,
                bank_share=0.0,
                international=0.0,
                code_mix="leicester",
            ),
        ),
    )


_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"
_PREFIXES = ("North", "South", "East", "West", "Upper", "Lower", "Great")
_ROOTS = ("Avon", "Wold", "Fenland", "Marsh", "Dale", "Moor")
_SIZES = {"acute": 9_000, "mental_health": 4_200, "community": 3_000, "icb": 450}


def _national(
    total: int = 1_600_000,
    systems: int = 42,
    seed: int = 20240206,
    name: str = "national",
    description: str = "England at scale: about 210 trusts in 42 integrated care systems, "
    "about 1.6 million staff in post.",
) -> Preset:
    """About 210 trusts in 42 systems: fixed structure from a fixed seed, so seeds compare."""
    rng = np.random.default_rng(seed)
    codes = iter(a + b for a in _ALNUM for b in _ALNUM)
    london = set(rng.choice(systems, 6, replace=False).tolist())
    specs: list[tuple[str, str, str, str, str, float, float, float]] = []
    for s in range(systems):
        place = f"{_PREFIXES[s % 7]} {_ROOTS[s // 7 % 6]}"
        icb = "Q" + next(codes)
        share = (
            rng.uniform(0.42, 0.6)
            if s in london
            else float(np.clip(rng.lognormal(np.log(0.17), 0.45), 0.05, 0.4))
        )
        kinds = (
            ["acute"] * (4 if s % 3 == 0 else 3)
            + ["mental_health"]
            + (["community"] if s % 3 else [])
        )
        names = {
            "acute": ["University Hospitals", "General Hospitals", "Royal Infirmary", "Hospitals"],
            "mental_health": ["Partnership"],
            "community": ["Community Health Services"],
        }
        used = {k: 0 for k in names}
        for kind in kinds:
            label = names[kind][used[kind]]
            used[kind] += 1
            specs.append(
                (
                    "R" + next(codes),
                    f"{place} {label} NHS Trust",
                    "trust",
                    kind,
                    icb,
                    share,
                    rng.lognormal(0, 0.45),
                    rng.uniform(0.02, 0.07),
                )
            )
        specs.append(
            (icb, f"NHS {place} ICB", "icb", "icb", icb, share, rng.lognormal(0, 0.25), 0.04)
        )
    sizes = np.array([_SIZES[k] * scale for _, _, _, k, _, _, scale, _ in specs])
    sizes = np.maximum(np.round(sizes * total / sizes.sum()), 150).astype(int)
    orgs = tuple(
        OrgSpec(
            code,
            name,
            org_type,
            kind,
            system,
            int(size),
            float(np.clip(share + rng.normal(0, 0.03), 0.03, 0.7)),
            ENGLAND_MIX,
            unknown_share=float(unknown),
            bank_share=0.0 if kind == "icb" else float(rng.uniform(0.08, 0.16)),
            international=0.0 if kind == "icb" else float(rng.uniform(0.3, 1.5)),
        )
        for (code, name, org_type, kind, system, share, _, unknown), size in zip(
            specs, sizes, strict=True
        )
    )
    return Preset(name, description, orgs)


def _region() -> Preset:
    """One NHS England region's worth: the middle size in the scaling benchmark."""
    return _national(
        total=230_000,
        systems=6,
        name="region",
        description="An NHS England region at scale: 6 integrated care systems, about 35 "
        "organisations and 230,000 staff in post.",
    )


PRESETS: dict[str, Preset] = {p.name: p for p in (_llr(), _region(), _national(), _mini())}
