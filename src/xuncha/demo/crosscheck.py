"""Seed 000's Chenzhou chain in the demo city, through the pages' own services: messy
payment lists and registers uploaded as datasets, a real run of the rules (the job the
worker runs), the unit's verification, and the roll-up into a finding whose
rectification item tracks the money recovered:

    590 suspect records → 410 confirmed improper payments, 246,500 yuan → 191,800 recovered

The suspects are what the engine finds in the generated data (17,000 payment rows,
seed 1: exactly 590 hits, all of them planted). The verification is the demo's: the
verifier confirms the first 410 suspects of the payment rules (deceased, payroll,
duplicate, over-standard) and rejects the rest; the improper amount is what was paid,
some found only partly improper, and money comes back in full in order, so the totals
are the newspaper's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from xuncha.accounts.access import team_ids
from xuncha.accounts.models import User
from xuncha.checks import services
from xuncha.checks.models import CheckRun, Suspect, Verdict
from xuncha.crosscheck.datagen import DatagenConfig, generate
from xuncha.planning.models import Assignment, Team

PAYMENTS, SEED = 17_000, 1
SUSPECTS, CONFIRMED = 590, 410
IMPROPER, RECOVERED = Decimal(246_500), Decimal(191_800)
ORDER = ("deceased_payee", "payroll_payee", "duplicate_payment", "over_standard", "invalid_id")


@dataclass(frozen=True)
class DemoCheck:
    run: CheckRun
    finding_id: int


def seed_crosscheck(*, folder: Path, team_user: User, today: dt.date) -> DemoCheck:
    team = Team.objects.get(pk=min(team_ids(team_user)))
    data = generate(folder, DatagenConfig(payments=PAYMENTS, seed=SEED))
    datasets = services.dataset_upload_files(team=team, by=team_user, files=data.files())
    run = services.run_start(
        team=team, by=team_user, datasets=datasets, params=services.RunParams()
    )
    services.run_execute(run.pk)  # what the worker does with the queued run
    run.refresh_from_db()
    if run.status != "done" or run.summary.get("total") != SUSPECTS:
        raise RuntimeError(
            f"演示比对结果与预期不符：{run.status} {run.error} {run.summary.get('total')}"
        )
    _verify(run, team_user)
    assignment = Assignment.objects.filter(team=team).select_related("unit").order_by("pk").first()
    assert assignment is not None
    finding = services.suspects_to_finding(run=run, by=team_user, assignment=assignment,
                                           fed_back_on=today)  # fmt: skip
    return DemoCheck(run=run, finding_id=finding.pk)


def _verify(run: CheckRun, by: User) -> None:
    rank = {rule: i for i, rule in enumerate(ORDER)}
    suspects = sorted(Suspect.objects.filter(run=run), key=lambda s: (rank[s.rule], s.number))
    confirmed, rejected = suspects[:CONFIRMED], suspects[CONFIRMED:]
    # Improper: what was paid; from the last one back, the verifier finds some only
    # partly improper (at most half), until the total is the newspaper's.
    improper = [s.amount or Decimal(0) for s in confirmed]
    over = sum(improper) - IMPROPER
    for i in reversed(range(len(improper))):
        if over <= 0:
            break
        cut = min(over, improper[i] / 2)
        improper[i] -= cut
        over -= cut
    improper[-1] -= over  # only if the paid total fell short
    # Recovered: in full, in order, until the recovered total is reached.
    left = RECOVERED
    for s, owed in zip(confirmed, improper, strict=True):
        back = min(owed, left)
        left -= back
        services.suspect_verify(suspect=s, by=by, verdict=Verdict.CONFIRMED, improper_amount=owed,
                                recovered_amount=back,
                                note=_note(s.amount, owed, back))  # fmt: skip
    for s in rejected:
        services.suspect_verify(suspect=s, by=by, verdict=Verdict.REJECTED,
                                note="经核实为数据录入问题，未造成多发")  # fmt: skip


def _note(paid: Decimal | None, owed: Decimal, back: Decimal) -> str:
    first = "经村组核实属实" if owed == paid else "经核实部分属实"
    return first + (
        "，已全额退回" if back == owed else "，正在追缴" if not back else "，已退回部分"
    )
