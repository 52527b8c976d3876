"""What a program declares (:class:`Program`, :class:`Input`), and the inputs several
programs share (the payment lists, the death and payroll registers)."""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..params import Param
from ..roles import PERSON_KEYS, ROLES
from ..rules import Rule

OUTPUTS = ("hits.csv", "疑点核查表.xlsx", "manifest.json")


@dataclass(frozen=True)
class Input:
    """One kind of file a program reads: ``id`` is its role (``payments`` or a
    register), unique across programs, and the web form's kind of data; ``option`` the
    CLI option its files are given with (``--payroll``; by default its id: programs may
    share an option, such as ``--payments`` for each one's payment list).
    ``roles``: the column roles it recognises; ``needs``: those without which a file
    cannot take part at all (identity is matched on the ID); ``wants``: those some
    rules need (without them, those rules find nothing in the file); ``keys``: those
    that say whose (or which) a row is: a row with none of them is skipped as not data,
    and a header must name one."""

    id: str
    label: str
    roles: tuple[str, ...]
    required: bool = False
    help: str = ""
    needs: tuple[str, ...] = ("id_number",)
    wants: tuple[str, ...] = ()
    keys: tuple[str, ...] = PERSON_KEYS
    option: str = ""

    @property
    def flag(self) -> str:
        """The CLI option (``--payments``)."""
        return "--" + (self.option or self.id).replace("_", "-")

    @property
    def dest(self) -> str:
        """Where argparse keeps the files of its option (one place for a shared option)."""
        return "files_" + (self.option or self.id).replace("-", "_")

    @property
    def people(self) -> bool:
        """A list of people (linked by ID number), not of things (parcels)."""
        return "id_number" in self.needs

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "required": self.required, "option": self.flag,
                "roles": {r: ROLES[r] for r in self.roles}, "help": self.help}  # fmt: skip


@dataclass(frozen=True)
class Program:
    id: str
    title: str
    summary: str
    inputs: tuple[Input, ...]
    rules: tuple[Rule, ...]
    guide: str
    outputs: tuple[str, ...] = OUTPUTS
    datagen: str = ""  # "module:function" writing generated data for it (xuncha datagen)
    order: int = 100  # its place in lists (the reservoir program, 0, first)
    # Reference tables its rules read besides the inputs (a legal standard's rates):
    # files given with these options (``--zone-prices``) …
    table_files: tuple[Input, ...] = ()
    # … and "module:function" turning them into tables: function(files by id) ->
    # {name: pyarrow.Table}, called in the run (in its child process; a file that is
    # wrong raises InputError naming it).
    tables: str = ""

    def reference_tables(self, files: dict[str, list[Path]]) -> dict[str, Any]:
        """The reference tables of a run (see ``tables``)."""
        if not self.tables:
            return {}
        module, _, function = self.tables.partition(":")
        made: dict[str, Any] = getattr(importlib.import_module(module), function)(files)
        return made

    def generate(self, out: Path, payments: int, seed: int, xlsx: bool = True) -> Any:
        """Generated messy data with its truth.csv (``xuncha datagen --program``): an
        object with ``files()`` (the files by input), ``truth`` and ``params`` (the
        parameter values the data were made for), and ``table_files()`` where the
        program reads reference tables (see :func:`table_files_of`)."""
        if not self.datagen:
            raise InputError(f"比对模型「{self.title}」没有模拟数据生成器。")
        module, _, function = self.datagen.partition(":")
        make = getattr(importlib.import_module(module), function)
        return make(Path(out), payments=payments, seed=seed, xlsx=xlsx)

    def input(self, dataset: str) -> Input:
        return next(i for i in self.inputs if i.id == dataset)

    @property
    def labels(self) -> dict[str, str]:
        """Each input's label by its id, in the declared order."""
        return {i.id: i.label for i in self.inputs}

    @property
    def roles(self) -> tuple[str, ...]:
        """The column roles the program recognises (those of all its inputs)."""
        return tuple(dict.fromkeys(r for i in self.inputs for r in i.roles))

    @property
    def params(self) -> tuple[Param, ...]:
        """Every parameter of its rules, once each, in rule order."""
        found: dict[str, Param] = {}
        for rule in self.rules:
            for param in rule.params:
                found.setdefault(param.name, param)
        return tuple(found.values())

    def params_text(self, values: Mapping[str, Any]) -> str:
        """Its parameters with ``values`` (defaults for the others), as people read them."""
        return "，".join(f"{p.label} {values.get(p.name, p.default)} {p.unit}" for p in self.params)

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(r.id for r in self.rules)

    def rule(self, rule_id: str) -> Rule:
        found = next((r for r in self.rules if r.id == rule_id), None)
        if found is None:
            raise InputError(
                f"比对模型「{self.title}」没有规则 {rule_id}"
                f"（它的规则：{'、'.join(self.rule_ids)}）。"
            )
        return found

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "summary": self.summary,
            "inputs": [i.describe() for i in self.inputs],
            "rules": [r.describe() for r in self.rules],
            "outputs": list(self.outputs),
            "guide": self.guide,
        }


PAYMENT_ROLES = ("name", "id_number", "amount", "payment_date", "year", "county", "township",
                 "village", "bank_account")  # fmt: skip

PAYMENTS = Input("payments", "发放名单", PAYMENT_ROLES, required=True,
                 help="补助发放名单（xlsx/xls/csv，可多个，支持通配符）",
                 wants=("name", "amount", "payment_date"))  # fmt: skip
DEATHS = Input("deaths", "死亡人员名单", ("name", "id_number", "death_date"),
               help="死亡人员名单（可多个）", wants=("name", "death_date"))  # fmt: skip
PAYROLL = Input("payroll", "财政供养人员名单",
                ("name", "id_number", "start_date", "end_date", "employer"),
                help="财政供养人员名单（可多个）", wants=("name", "start_date"))  # fmt: skip


def table_files_of(generated: Any) -> dict[str, list[Path]]:
    """The reference-table files generated data came with (the land-compensation
    program's zone prices), by table-file id; none for most programs."""
    files: dict[str, list[Path]] = (
        generated.table_files() if hasattr(generated, "table_files") else {}
    )
    return files
