"""Commands made when they are first asked for, so a command imports only what it needs.

Typer turns every registered command into a Click command when the program starts, which
means importing every command's module (and what they import: the synthetic data generator,
the reports, the dashboard) to run any one of them. `LazyGroup` keeps the names and finds a
command's function only when Click asks for that name; listing the commands (`--help`) makes
them all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping
from importlib import import_module
from typing import Any

import typer
import typer.core
import typer.main
import typer.models


def _find(where: str) -> Any:
    """The object at "module:attribute", the module under `equitrack.cli`."""
    module, _, attribute = where.partition(":")
    return getattr(import_module(f"equitrack.cli.{module}"), attribute)


class _Commands(MutableMapping[str, Any]):
    """Click's `commands` of a group: each made on first use, in the order declared."""

    def __init__(self, commands: Mapping[str, str], groups: Mapping[str, str], markup: Any) -> None:
        self._where = {**commands, **groups}
        self._groups = set(groups)
        self._markup = markup
        self._made: dict[str, Any] = {}

    def _make(self, name: str) -> Any:
        found = _find(self._where[name])
        if name in self._groups:
            return typer.main.get_group_from_info(
                typer.models.TyperInfo(found, name=name),
                pretty_exceptions_short=True,
                suggest_commands=True,
                rich_markup_mode=self._markup,
            )
        return typer.main.get_command_from_info(
            typer.models.CommandInfo(name=name, callback=found),
            pretty_exceptions_short=True,
            rich_markup_mode=self._markup,
        )

    def __getitem__(self, name: str) -> Any:
        if name not in self._made:
            if name not in self._where:
                raise KeyError(name)
            self._made[name] = self._make(name)
        return self._made[name]

    def __setitem__(self, name: str, command: Any) -> None:
        self._where.setdefault(name, "")
        self._made[name] = command

    def __delitem__(self, name: str) -> None:
        del self._where[name]
        self._made.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, name: object) -> bool:
        return name in self._where


class LazyGroup(typer.core.TyperGroup):
    """A Typer group whose commands are named up front and made when first asked for."""

    commands_at: Mapping[str, str] = {}
    groups_at: Mapping[str, str] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        made = _Commands(self.commands_at, self.groups_at, self.rich_markup_mode)
        for name, command in self.commands.items():  # any registered the usual way
            made[name] = command
        self.commands = made

    @classmethod
    def of(cls, commands: Mapping[str, str], groups: Mapping[str, str]) -> type[LazyGroup]:
        """This class for these commands and groups ("module:attribute" by name)."""
        return type("EquitrackGroup", (cls,), {"commands_at": commands, "groups_at": groups})
