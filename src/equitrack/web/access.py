"""Who may do what, decided in one place: roles grant permissions, organisations bound them.

Every route declares the permission it needs (`equitrack.web.guard`); nothing else in the app
decides access. An organisation-scoped user sees and changes only their organisations; a user
scoped to the whole system (`*`) sees every organisation and the system figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    EDITOR = "editor"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"  # figures through the disclosure gate
    EXACT = "exact"  # exact counts, for the user's own organisations
    EDIT_ACTIONS = "edit_actions"  # add actions and change their status
    UPLOAD = "upload"  # import files
    ADMIN = "admin"  # the audit log and the list of users


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.EDIT_ACTIONS}),
    Role.ANALYST: frozenset({Permission.VIEW, Permission.EXACT, Permission.UPLOAD}),
    Role.ADMIN: frozenset(Permission),
}

WHOLE_SYSTEM = "*"


@dataclass(frozen=True)
class Principal:
    """A signed-in user as the app sees them."""

    username: str
    role: Role
    orgs: tuple[str, ...]

    def may(self, permission: Permission) -> bool:
        return permission in GRANTS[self.role]

    @property
    def whole_system(self) -> bool:
        return WHOLE_SYSTEM in self.orgs

    def sees(self, org: str) -> bool:
        """Whether the user's scope covers `org` (a `system:` unit only for whole-system users)."""
        if org.startswith("system:"):
            return self.whole_system
        return self.whole_system or org in self.orgs

    def exact_orgs(self, known: list[str]) -> frozenset[str]:
        """The organisations whose figures this user sees exact (none without EXACT)."""
        if not self.may(Permission.EXACT):
            return frozenset()
        return frozenset(o for o in known if self.sees(o))
