"""The cross-check programs (比对模型库): each subsidy or payment a team checks, as data.

A :class:`Program` declares its inputs by role (the payment lists and the registers
they are checked against, each with the column roles it recognises), its rules (each
declaring its own parameters, see :class:`~.params.Param`) and its outputs. The CLI
(``xuncha programs``, ``xuncha check --program``), the web form and the engine are
built from the declarations, so a new program or parameter is a declaration, not an
edit in each of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import InputError
from .params import Param
from .roles import ROLES
from .rules import RULES, Rule

OUTPUTS = ("hits.csv", "疑点核查表.xlsx", "manifest.json")


@dataclass(frozen=True)
class Input:
    """One kind of file a program reads: ``id`` is its role (``payments`` or a
    register), also the CLI option (``--payroll``) and the web form's data set.
    ``roles``: the column roles it recognises; ``needs``: those without which a file
    cannot take part at all (identity is matched on the ID); ``wants``: those some
    rules need (without them, those rules find nothing in the file)."""

    id: str
    label: str
    roles: tuple[str, ...]
    required: bool = False
    help: str = ""
    needs: tuple[str, ...] = ("id_number",)
    wants: tuple[str, ...] = ()

    def describe(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "required": self.required,
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

RESERVOIR = Program(
    id="reservoir",
    title="大中型水库移民后期扶持直补资金",
    summary="移民后期扶持直补资金发放名单，对照死亡人员、财政供养人员名单，"
    "查死亡后仍领取、财政供养人员领取、重复领取、超标准发放和身份证号码无效。",
    inputs=(PAYMENTS, DEATHS, PAYROLL),
    rules=RULES,
    guide="docs/user-guide.md",
)

PROGRAMS: dict[str, Program] = {p.id: p for p in (RESERVOIR,)}
"""Every shipped program by its id; the first is the default."""

DEFAULT_PROGRAM = RESERVOIR.id


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


def all_params() -> dict[str, Param]:
    """Every parameter any program's rules declare, by name (one option each)."""
    return {p.name: p for prog in PROGRAMS.values() for p in prog.params}


def all_rules() -> dict[str, Rule]:
    """Every rule of every program, by id (rule ids are unique across programs)."""
    return {r.id: r for p in PROGRAMS.values() for r in p.rules}
