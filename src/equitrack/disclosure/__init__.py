"""Disclosure control: the one gate every figure passes on its way out of the system.

    from equitrack.disclosure import gate, systems_of

    shown = gate(results, "public", systems=systems_of(store))

Rules are configuration (`rules.toml`, overridable with `load_policies(path)`); who is looking
picks them (`Audience`). See `gate` for what is done to a result, `secondary` for which
additive relations are protected and which are not.
"""

from equitrack.disclosure.counts import rounded, shown_count
from equitrack.disclosure.figures import Figure, Figures, Node, read
from equitrack.disclosure.gate import RATIO_FIELDS, Analysis, Decision, analyse, decide, gate
from equitrack.disclosure.journeys import gate_journey, gate_journeys
from equitrack.disclosure.policy import Audience, Policy, PolicyError, load_policies, policy_for
from equitrack.disclosure.reasons import SUPPRESSED, TOO_FEW_TO_SHOW
from equitrack.disclosure.secondary import Relation, exposed, protect, relations, systems_of

__all__ = [
    "RATIO_FIELDS",
    "SUPPRESSED",
    "TOO_FEW_TO_SHOW",
    "Analysis",
    "Audience",
    "Decision",
    "Figure",
    "Figures",
    "Node",
    "Policy",
    "PolicyError",
    "Relation",
    "analyse",
    "decide",
    "exposed",
    "gate",
    "gate_journey",
    "gate_journeys",
    "load_policies",
    "policy_for",
    "protect",
    "read",
    "relations",
    "rounded",
    "shown_count",
    "systems_of",
]
