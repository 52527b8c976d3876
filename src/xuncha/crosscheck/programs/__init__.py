"""The cross-check programs (比对模型库): each subsidy or payment a team checks, as data.

A :class:`Program` declares its inputs by role (the payment lists and the registers
they are checked against, each with the column roles it recognises), its rules (each
declaring its own parameters, see :class:`~..params.Param`) and its outputs. The CLI
(``xuncha programs``, ``xuncha check --program``), the web form and the engine are
built from the declarations, so a new program or parameter is a declaration, not an
edit in each of them.

Each module of this package declares one program as ``PROGRAM``; the registry finds
them all (a new program is a new module). Rule ids are unique across programs (a hit
names its rule), and a parameter or input of one name means one thing everywhere (the
CLI has one option for it).
"""

from __future__ import annotations

import importlib
import pkgutil

from ..errors import InputError
from ..params import Param
from ..rules import Rule
from .base import OUTPUTS, Input, Program, table_files_of

__all__ = ["DEFAULT_PROGRAM", "OUTPUTS", "PROGRAMS", "Input", "Program", "all_file_inputs",
           "all_inputs", "all_params", "all_rules", "program_of", "table_files_of"]  # fmt: skip


def _discover() -> dict[str, Program]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.name != "base":
            found.append(importlib.import_module(f"{__name__}.{module.name}").PROGRAM)
    found.sort(key=lambda p: (p.order, p.id))
    return {p.id: p for p in found}


PROGRAMS: dict[str, Program] = _discover()
"""Every shipped program by its id; the first is the default."""

DEFAULT_PROGRAM = next(iter(PROGRAMS))  # the reservoir program


def program_of(program_id: str) -> Program:
    """The program with this id; an :class:`InputError` listing the programs if none."""
    found = PROGRAMS.get(program_id)
    if found is None:
        known = "、".join(f"{p.id}（{p.title}）" for p in PROGRAMS.values())
        raise InputError(f"没有比对模型「{program_id}」。可用的比对模型：{known}。")
    return found


def all_inputs() -> dict[str, Input]:
    """Every input any program reads, by id (the CLI offers an option for each)."""
    return {i.id: i for p in PROGRAMS.values() for i in p.inputs}


def all_file_inputs() -> list[Input]:
    """Every kind of file any program is given: its inputs and its reference tables."""
    return [*all_inputs().values(), *(t for p in PROGRAMS.values() for t in p.table_files)]


def all_params() -> dict[str, Param]:
    """Every parameter any program's rules declare, by name (one option each)."""
    return {p.name: p for prog in PROGRAMS.values() for p in prog.params}


def all_rules() -> dict[str, Rule]:
    """Every rule of every program, by id (rule ids are unique across programs)."""
    return {r.id: r for p in PROGRAMS.values() for r in p.rules}
