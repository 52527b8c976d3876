"""Seed 004 in the demo city: the rectification supervision (整改督查) of 45 units, built
through the apps' services after the city (:mod:`xuncha.demo.city`) is seeded.

Seed 004 reports 45 units supervised with a 100-point assessment, a completion rate of
97.3% and 911 rules made or revised. Here the 45 units are the first units the term
inspected (its earliest rounds, whose rectification period is over). The rate is
reached by construction, as the park's 43 / 40: the app rounds to two decimals, and
only a multiple of 37 items gives 97.30% (36 closed in 37), so the units' ledger gets
as many honest extra items as make a multiple of 37, every item is then driven through
the ledger's services to closure except 1 in 37 (the park's own open items stay as they
are, seed 000's figure intact), and one closed item is reopened by a reverse check.

Sham-rectification cases of every kind the signals look for are planted on those units'
items (the ideas of :mod:`xuncha.sham.planted`: the same photo, a copied text, a photo
taken before the feedback, a close-out asked for on the deadline day with no report
before, money said recovered but recorded 0, a problem back in a later round); the
daily derivations then find them. Their items feed the reverse check's sample first.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.findings.choices import Source, Subcategory
from xuncha.findings.models import Finding
from xuncha.findings.services import finding_create
from xuncha.planning.models import Assignment, Round, Team
from xuncha.planning.services import assignment_add
from xuncha.rectifications.models import RectificationItem, RuleKind, Status
from xuncha.rectifications.selectors import Completion, completion, rules_made_counts
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_close,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
    rule_record,
)
from xuncha.selfchecks.models import TaskStatus
from xuncha.selfchecks.services import (
    common_problem_create,
    common_problem_push,
    grouping_build,
    selfcheck_accept,
    selfcheck_answer,
)
from xuncha.sham.derive import signals_derive
from xuncha.sham.models import Signal, SignalKind, SignalStatus
from xuncha.sham.planted import exif_day, jpeg, pdf, photo
from xuncha.sham.selectors import signal_list
from xuncha.sham.services import signal_decide
from xuncha.supervision.assessment import assessment_create, score_save
from xuncha.supervision.cards import card_counts, cards_derive
from xuncha.supervision.followup import unit_grade_fix
from xuncha.supervision.models import (
    Assessment,
    CheckResult,
    Grade,
    IndicatorKind,
    ReverseCheck,
    Score,
)
from xuncha.supervision.reversecheck import reverse_check_create, sample_record
from xuncha.supervision.selectors import current_version, reverse_check_units
from xuncha.supervision.services import indicator_systems_install_shipped
from xuncha.surveys.models import Answer, Group
from xuncha.surveys.services import response_submit, survey_close, survey_open
from xuncha.units.models import Unit, UnitKind

UNITS = 45  # seed 004: 45 units supervised
RULES = 911  # seed 004: 911 rules made or revised
PER = 37  # 36 closed in 37 is 97.30%, the only way to 97.3% at two decimals below 370
SYSTEM = "整改评估示例体系（扣分制 15/15/60/10）"
SEED = 2024
SHORT_PROGRESS = "按督查要求推进整改，已完成大部分措施。"  # under 30 characters: never compared
SHORT_DONE = "整改已完成，佐证材料见附件。"
RULE_TOPICS = ("财务管理", "公务接待管理", "“三重一大”事项集体决策", "工程项目招投标管理",
               "惠民资金发放审核", "集体资产资源管理", "干部选拔任用工作", "党组织会议",
               "内部审计", "公务用车管理", "合同管理", "信访举报办理")  # fmt: skip
RULE_FORMS = ("办法", "实施细则", "规定", "制度")


@dataclass(frozen=True)
class DemoSupervision:
    """What was seeded, as the apps' own selectors count it."""

    unit_ids: list[int]
    rate: Completion  # completion over the 45 units' items
    rules: int
    assessment_id: int
    grades: dict[str, int]  # grade value -> units
    follow_ups: int
    signals: dict[str, int]  # signal kind -> open signals
    cards: dict[str, int]  # colour -> items with that card today
    reverse_check_id: int
    sampled: int  # items the reverse check drew
    contradicted: int  # of them found not as reported (reopened)
    reopened_item_id: int
    selfcheck_tasks: int
    selfcheck_answered: int


@dataclass
class _Ctx:
    rng: random.Random
    today: dt.date
    office: User
    supervisor: User
    units: list[Unit]
    files: int = 0

    def pdf(self) -> tuple[io.BytesIO, str]:
        self.files += 1
        return io.BytesIO(pdf(None, f"整改佐证 {self.files}")), f"督查整改佐证{self.files:04d}.pdf"

    def photo(self, day: dt.date | None = None) -> bytes:
        exif = {0x9003: exif_day(day)} if day else None
        return jpeg(photo(self.rng), exif=exif)


def seed_supervision(*, today: dt.date, seed: int = SEED) -> DemoSupervision:
    """Seed the supervision of the demo city's first 45 units (the city must be seeded)."""
    with transaction.atomic():
        office = User.objects.get(username="office")
        supervisor = User.objects.get(username="supervisor")
        indicator_systems_install_shipped(by=office)
        ctx = _Ctx(random.Random(seed), today, office, supervisor, _first_units())
        ids = [u.pk for u in ctx.units]
        planted = _plant(ctx)
        _pad(ctx)
        keep = _close_all_but(ctx, planted)
        _rules(ctx)
        _surveys(ctx)
        signals_derive(today)
        cards_derive(today)
        check, reopened = _reverse_check(ctx, planted)
        assessment, grades = _assess(ctx, bad={reopened.unit_id} | {i.unit_id for i in keep[:1]})
        tasks, answered = _selfchecks(ctx)
        [rate] = completion(user=office, unit_id__in=ids)
        lines = reverse_check_units(check)
        return DemoSupervision(
            unit_ids=ids, rate=rate,
            rules=rules_made_counts(user=office, unit_id__in=ids)["overall"].total,
            assessment_id=assessment.pk, grades=dict(grades),
            follow_ups=assessment.follow_ups.count(),
            signals=dict(Counter(signal_list(user=office, current=True).values_list("kind", flat=True))),
            cards=card_counts(RectificationItem.objects.all(), today),
            reverse_check_id=check.pk, reopened_item_id=reopened.pk,
            sampled=sum(u.sampled for u in lines), contradicted=sum(u.not_as_reported for u in lines),
            selfcheck_tasks=tasks, selfcheck_answered=answered,
        )  # fmt: skip


def _first_units() -> list[Unit]:
    """The 45 units the term inspected first: its rounds in order, each round's units by id."""
    chosen: list[int] = []
    for rnd in Round.objects.order_by("start_date", "number"):
        ids = (
            Assignment.objects.filter(round=rnd)
            .order_by("unit_id")
            .values_list("unit_id", flat=True)
        )
        chosen += [i for i in ids if i not in chosen][: UNITS - len(chosen)]
        if len(chosen) == UNITS:
            break
    if len(chosen) < UNITS:
        raise ServiceError(f"演示城市被巡察单位不足 {UNITS} 个，无法生成整改督查演示。")
    return list(Unit.objects.filter(pk__in=chosen).order_by("pk"))


def _liaison(ctx: _Ctx, unit: Unit) -> User:
    """The unit's liaison account (the city's, or one made like it)."""
    user = User.objects.filter(role=Role.UNIT, unit=unit).order_by("pk").first()
    if user is None:
        user = User(username=f"unit-{unit.code}", role=Role.UNIT, full_name=f"{unit.name}联络员",
                    unit=unit, password=ctx.office.password)  # fmt: skip
        user.save()
    return user


def _assignment(unit: Unit) -> Assignment:
    first = Assignment.objects.filter(unit=unit).select_related("round")
    found = first.order_by("round__start_date").first()
    assert found is not None, unit
    return found


def _fed_back(unit: Unit) -> dt.date:
    day = Finding.objects.filter(unit=unit, fed_back_on__isnull=False).order_by("fed_back_on")
    first = day.values_list("fed_back_on", flat=True).first()
    return first or _assignment(unit).round.end_date + dt.timedelta(days=30)


# --------------------------------------------------------------------------- items


def _item(ctx: _Ctx, unit: Unit, description: str, *, sub: str = Subcategory.BENEFIT_FUNDS,
          amount: Decimal = Decimal(0), assignment: Assignment | None = None,
          deadline: dt.date | None = None) -> RectificationItem:  # fmt: skip
    """A finding fed back to ``unit`` (in its first inspection unless said) with an
    accepted plan."""
    a = assignment or _assignment(unit)
    f = finding_create(assignment=a, by=ctx.office, category=sub.split(".")[0], subcategory=sub,
                       description=description, source=Source.DOCUMENTS, amount=amount)  # fmt: skip
    fed = _fed_back(unit) if assignment is None else a.round.end_date + dt.timedelta(days=30)
    item = rectification_create(finding=f, by=ctx.office, fed_back_on=fed)
    item = rectification_propose_plan(item=item, by=_liaison(ctx, unit), measures="对照问题逐项整改，完善制度。",
                                      owner="单位主要负责人", deadline=deadline or fed + dt.timedelta(days=90))  # fmt: skip
    return rectification_accept_plan(item=item, by=ctx.office)


def _report(ctx: _Ctx, item: RectificationItem, text: str, files: list[tuple[bytes, str]],
            done: bool = False) -> None:  # fmt: skip
    rectification_report_progress(item=item, by=_liaison(ctx, item.unit), text=text, done=done,
                                  files=[(io.BytesIO(d), n) for d, n in files])  # fmt: skip


def _close(ctx: _Ctx, item: RectificationItem, money: Decimal | None = None) -> RectificationItem:
    return rectification_close(item=item, by=ctx.office, note="经督查对账核实，同意销号。",
                               money_recovered=money)  # fmt: skip


def _honest(ctx: _Ctx, unit: Unit, description: str, *, progress: str = "", done: str = "",
            done_files: list[tuple[bytes, str]] | None = None, money: Decimal | None = None,
            **kw: object) -> RectificationItem:  # fmt: skip
    """An item reported with its own photo, asked to close with its own photo, closed."""
    item = _item(ctx, unit, description, **kw)  # type: ignore[arg-type]
    _report(ctx, item, progress or SHORT_PROGRESS, [(ctx.photo(), "整改现场.jpg")])
    _report(ctx, item, done or SHORT_DONE, done_files or [(ctx.photo(), "整改完成.jpg")], done=True)
    return _close(ctx, item, money)


@dataclass
class _Planted:
    items: dict[str, list[RectificationItem]]  # signal kind -> planted items
    open: list[RectificationItem]  # planted items meant to stay open


def _plant(ctx: _Ctx) -> _Planted:
    """One sham case of every kind on the 45 units' items (not the park's: seed 000's
    43 items stay exact)."""
    u = [x for x in ctx.units if x.kind != UnitKind.PARK]
    out = _Planted({}, [])
    same = ctx.photo()
    out.items[SignalKind.SAME_FILE] = [
        _honest(ctx, unit, f"{unit.name}困难群众临时救助审批把关不严，程序不规范。",
                done_files=[(same, name)])
        for unit, name in ((u[0], "整改完成照片.jpg"), (u[1], "整改后.jpg"))
    ]  # fmt: skip
    text = ("组织班子成员对惠民资金发放情况开展拉网式排查，逐户核对银行流水和发放名册，"
            "对发现的问题逐项建立台账，限期整改到位，并在村务公开栏公示。")  # fmt: skip
    out.items[SignalKind.COPIED_TEXT] = [
        _honest(ctx, unit, f"{unit.name}惠民资金发放公示不及时，群众知晓率低。", progress=text)
        for unit in (u[2], u[3])
    ]
    early = _fed_back(u[4]) - dt.timedelta(days=40)
    out.items[SignalKind.EARLY_EVIDENCE] = [
        _honest(ctx, u[4], f"{u[4].name}村级道路硬化项目验收走过场。", sub=Subcategory.PROJECTS,
                done_files=[(ctx.photo(early), "验收现场.jpg")])
    ]  # fmt: skip
    # Asked to close on the deadline day, with no report before (the deadline is today's
    # real date: the report is made now).
    rush = _item(ctx, u[5], f"{u[5].name}集体资产台账不全，鱼塘发包未入账。",
                 sub=Subcategory.COLLECTIVE_ASSETS, deadline=timezone.localdate())  # fmt: skip
    _report(ctx, rush, SHORT_DONE, [(ctx.photo(), "完成.jpg")], done=True)
    out.items[SignalKind.DEADLINE_RUSH] = [_close(ctx, rush)]
    out.items[SignalKind.MONEY] = [
        _honest(ctx, u[6], f"{u[6].name}向不符合条件人员发放低保金，涉及资金0.50万元。",
                done="已清理不符合条件对象，责任人已追回违规发放资金5,000元，相关人员已作检讨。",
                amount=Decimal(5000), money=Decimal(0))
    ]  # fmt: skip
    out.items[SignalKind.RECURRENCE] = _recurrence(ctx, u[7])
    out.open.append(out.items[SignalKind.RECURRENCE][1])
    return out


def _recurrence(ctx: _Ctx, unit: Unit) -> list[RectificationItem]:
    """A problem closed in the unit's first inspection, found again in a later round."""
    first = _honest(
        ctx, unit, "公务接待无公函、无清单，超标准列支接待费用。", sub=Subcategory.WORK_STYLE
    )
    start = _assignment(unit).round.start_date
    again = None
    for team in Team.objects.filter(round__start_date__gt=start).order_by(
        "-round__start_date", "pk"
    ):
        try:
            again = assignment_add(team=team, unit=unit)
        except ServiceError:  # 回避, or the unit already in that round
            continue
        break
    if again is None:
        raise ServiceError("找不到可以再次巡察该单位的巡察组。")
    later = _item(ctx, unit, "公务接待无公函、无清单，仍超标准列支接待费用。",
                  sub=Subcategory.WORK_STYLE, assignment=again)  # fmt: skip
    return [first, later]


def _pad(ctx: _Ctx) -> None:
    """Honest extra items until the units' ledger holds a multiple of 37 items."""
    total = RectificationItem.objects.filter(unit__in=ctx.units).count()
    u = [x for x in ctx.units if x.kind != UnitKind.PARK]
    for n in range(-total % PER):
        unit = u[(n * 7) % len(u)]
        _honest(ctx, unit, f"{unit.name}{ctx.rng.choice(RULE_TOPICS)}制度执行不到位（督查补充反馈第{n + 1}项）。",
                sub=Subcategory.WORK_STYLE)  # fmt: skip


def _close_all_but(ctx: _Ctx, planted: _Planted) -> list[RectificationItem]:
    """Drive every open item of the units to closure through the ledger, but 1 in 37
    (less the one the reverse check reopens): the park's untouched, planted ones meant
    to stay open, then the most overdue. Returns the items kept open."""
    items = RectificationItem.objects.filter(unit__in=ctx.units).select_related("unit", "finding")
    total = items.count()
    open_items = list(items.exclude(status=Status.CLOSED).order_by("deadline", "pk"))
    wanted = total // PER - 1
    fixed = [i for i in open_items if i.unit.kind == UnitKind.PARK] + planted.open
    rest = [i for i in open_items if i not in fixed]
    keep = (fixed + rest)[:wanted]
    if len(fixed) > wanted or len(keep) < wanted:
        raise ServiceError("演示城市的整改事项不足以构造 97.3% 的完成率。")
    for item in rest[wanted - len(fixed) :]:
        _drive(ctx, item)
    return [i for i in keep if i.unit.kind != UnitKind.PARK] or keep


def _drive(ctx: _Ctx, item: RectificationItem) -> None:
    """The unit plans (if it has not), reports progress, asks to close with a file; the
    office accepts and closes."""
    liaison = _liaison(ctx, item.unit)
    if item.status == Status.AWAITING_PLAN:
        fed = item.finding.fed_back_on or ctx.today
        item = rectification_propose_plan(item=item, by=liaison, measures="对照问题逐项整改。",
                                          owner="单位主要负责人", deadline=fed + dt.timedelta(days=90))  # fmt: skip
    if item.status == Status.PLAN_SUBMITTED:
        item = rectification_accept_plan(item=item, by=ctx.office)
    if item.status == Status.IN_PROGRESS:
        rectification_report_progress(item=item, by=liaison, text=SHORT_PROGRESS)
        rectification_report_progress(item=item, by=liaison, text=SHORT_DONE, files=[ctx.pdf()],
                                      done=True)  # fmt: skip
    item.refresh_from_db()
    _close(ctx, item)


# --------------------------------------------------------------------------- rules, surveys


def _rules(ctx: _Ctx) -> None:
    """911 rules made or revised, spread over the units' items, recorded by the office
    as the supervision found them (督查发现各单位修订完善制度)."""
    items = list(
        RectificationItem.objects.filter(unit__in=ctx.units)
        .select_related("unit", "finding")
        .order_by("unit_id", "pk")
    )
    last = min(ctx.today, timezone.localdate())
    numbers: Counter[int] = Counter()
    for n in range(RULES):
        item = items[n % len(items)]
        numbers[item.unit_id] += 1
        fed = item.finding.fed_back_on or last
        issued = min(fed + dt.timedelta(days=ctx.rng.randint(15, 150)), last)
        topic, form = ctx.rng.choice(RULE_TOPICS), ctx.rng.choice(RULE_FORMS)
        kind = RuleKind.REVISED if ctx.rng.random() < 0.45 else RuleKind.MADE
        rule_record(item=item, by=ctx.office, title=f"{item.unit.name}{topic}{form}", kind=kind,
                    issued_on=issued, doc_number=f"{item.unit.code}〔{issued.year}〕{numbers[item.unit_id]}号")  # fmt: skip


def _surveys(ctx: _Ctx) -> None:
    """A satisfaction survey with answers for six units (their satisfaction item is then
    pre-filled), closed once answered. Answers are taken today, so the survey is open
    around today's real date."""
    now = timezone.localdate()
    for k, unit in enumerate(ctx.units[:: len(ctx.units) // 6][:6]):
        survey = survey_open(unit=unit, by=ctx.supervisor, title=f"{unit.name}巡察整改群众满意度测评",
                             opens_on=now - dt.timedelta(days=10), closes_on=now + dt.timedelta(days=20))  # fmt: skip
        for n in range(30 + 4 * k):
            answer = (
                Answer.UNSATISFIED
                if n % (6 + k) == 0
                else (Answer.SATISFIED if n % 3 else Answer.FAIRLY)
            )
            response_submit(survey=survey, group=Group.values[n % len(Group.values)], answer=answer)
        survey_close(survey=survey, by=ctx.supervisor)


# --------------------------------------------------------------------------- checks


def _reverse_check(ctx: _Ctx, planted: _Planted) -> tuple[ReverseCheck, RectificationItem]:
    """One closed item per unit, signal items first; the planted money case is found not
    as reported on site (it reopens) and its signal confirmed; a few others confirmed."""
    target = planted.items[SignalKind.MONEY][0]
    check = reverse_check_create(name="巡察整改督查销号反向核查", by=ctx.supervisor, units=ctx.units,
                                 count=1, seed=ctx.rng.randrange(1 << 40))  # fmt: skip
    samples = list(check.samples.order_by("pk"))
    untrue = next((s for s in samples if s.item_id == target.pk), None) or next(
        s for s in samples if s.priority
    )
    sample_record(sample=untrue, by=ctx.supervisor, result=CheckResult.NOT_AS_REPORTED, version=untrue.version,
                  note="实地核查：违规资金并未追回，相关人员仍在领取低保金，与整改报告不符。")  # fmt: skip
    for s in [s for s in samples if s.pk != untrue.pk][:8]:
        sample_record(sample=s, by=ctx.supervisor, result=CheckResult.CONFIRMED, version=s.version,
                      note="实地查看整改现场，走访群众，整改情况属实。")  # fmt: skip
    signal = (
        Signal.objects.filter(items=untrue.item_id, gone_on__isnull=True).order_by("pk").first()
    )
    if signal is not None:
        signal_decide(signal=signal, by=ctx.supervisor, status=SignalStatus.CONFIRMED, was=signal.status,
                      note="销号反向核查实地核实：与整改报告不符，属虚假整改。")  # fmt: skip
    return check, RectificationItem.objects.get(pk=untrue.item_id)


BANDS = {Grade.GOOD: (90, 96), Grade.FAIR: (80, 89), Grade.AVERAGE: (62, 78), Grade.POOR: (45, 58)}


def _assess(ctx: _Ctx, bad: set[int]) -> tuple[Assessment, Counter[str]]:
    """The 100-point assessment of the 45 units: pre-filled points kept, every other item
    scored with its basis, grades fixed (a low one puts the unit on the 回头看 list)."""
    from xuncha.supervision.models import IndicatorSystem

    version = current_version(IndicatorSystem.objects.get(name=SYSTEM))
    assert version is not None
    assessment = assessment_create(name="巡察整改督查百分制量化评估", version=version, by=ctx.supervisor,
                                   today=ctx.today, units=ctx.units)  # fmt: skip
    plan = _grade_plan(ctx, bad)
    grades: Counter[str] = Counter()
    for unit in ctx.units:
        scores = list(
            Score.objects.filter(assessment=assessment, unit=unit).select_related("indicator")
        )
        _score_unit(ctx, assessment, unit, scores, BANDS[plan[unit.pk]])
        grade, _, _ = unit_grade_fix(
            assessment=assessment, unit=unit, by=ctx.supervisor, today=ctx.today
        )
        grades[str(grade)] += 1
    return assessment, grades


def _grade_plan(ctx: _Ctx, bad: set[int]) -> dict[int, Grade]:
    """差 for the units with the reopened and a kept-open item; the others mostly 好 and
    较好, a few 一般."""
    plan: dict[int, Grade] = {}
    for unit in ctx.units:
        roll = ctx.rng.random()
        plan[unit.pk] = (
            Grade.POOR if unit.pk in bad else Grade.AVERAGE if roll < 0.12
            else Grade.FAIR if roll < 0.45 else Grade.GOOD
        )  # fmt: skip
    return plan


def _score_unit(ctx: _Ctx, assessment: Assessment, unit: Unit, scores: list[Score],
                band: tuple[int, int]) -> None:  # fmt: skip
    """Score the items the data do not decide so the total lands in ``band`` (or as near
    as the pre-filled points allow), deductions taken item by item with a note."""
    open_ = [s for s in scores if s.points is None and s.indicator.kind != IndicatorKind.VETO]
    have = sum((s.points for s in scores if s.points is not None), Decimal(0))
    most = have + sum((s.indicator.points for s in open_), Decimal(0))
    target = Decimal(ctx.rng.randint(*band))
    cut = max(Decimal(0), most - target)
    basis = list(RectificationItem.objects.filter(unit=unit).order_by("pk")[:2])
    for s in open_:
        take = min(cut, s.indicator.points)
        cut -= take
        points = s.indicator.points - take
        note = (f"督查核实：{s.indicator.name}，落实到位。" if not take else
                f"督查发现：{s.indicator.name}落实不到位，扣 {take} 分。")  # fmt: skip
        if s.indicator.prefill == "satisfaction":
            note = "未开展满意度测评，依走访群众情况评分。" + (
                "" if not take else f"扣 {take} 分。"
            )
        score_save(score=s, by=ctx.supervisor, version=s.version, indicator_version_id=assessment.indicator_version_id,
                   points=points, note=note, items=basis)  # fmt: skip


# --------------------------------------------------------------------------- self-checks


def _selfchecks(ctx: _Ctx) -> tuple[int, int]:
    """A common problem named from the findings' grouping, pushed to every township
    (同类同改 / 未巡先改); five units answer, three answers accepted."""
    grouping = grouping_build()
    group = grouping.groups.order_by("-unit_count", "-finding_count", "pk").first()
    problem = common_problem_create(
        by=ctx.office, title="惠民资金发放审核把关不严", group=group,
        description="部分单位惠民补贴资金发放审核不严、公示不及时，存在优亲厚友、向不符合条件人员发放等问题。请对照自查，逐项整改。",
        unit_kinds=[UnitKind.TOWNSHIP], deadline=ctx.today + dt.timedelta(days=45), today=ctx.today,
    )  # fmt: skip
    pushed = common_problem_push(problem=problem, by=ctx.office)
    tasks = list(problem.tasks.select_related("unit").order_by("pk")[:5])
    for n, task in enumerate(tasks):
        task = selfcheck_answer(task=task, by=_liaison(ctx, task.unit), found=n % 2 == 0,
                                measures="对照问题清单逐户核查发放名册，已清退不符合条件对象并完善审核制度。"
                                if n % 2 == 0 else "经逐户核查，未发现同类问题，已建立定期核查机制。")  # fmt: skip
        if n < 3:
            selfcheck_accept(task=task, by=ctx.office)
    answered = problem.tasks.exclude(status=TaskStatus.PENDING).count()
    return pushed, answered


def summary(s: DemoSupervision) -> str:
    """The figures the demo prints, in Chinese."""
    grades = "、".join(f"{label} {s.grades.get(value, 0)}" for value, label in Grade.choices)
    kinds = "、".join(f"{label} {s.signals.get(value, 0)}" for value, label in SignalKind.choices)
    rate = s.rate.rate.normalize() if s.rate.rate is not None else "—"
    return (
        f"   整改督查（种子 004）：{len(s.unit_ids)} 个单位百分制量化评估，等次 {grades}，"
        f"{s.follow_ups} 个单位列入回头看并生成约谈任务\n"
        f"   这些单位的整改完成率 {rate}%（{s.rate.total} 项中已销号 {s.rate.closed} 项），建章立制 {s.rules} 项\n"
        f"   虚假整改疑点 {sum(s.signals.values())} 条（{kinds}）；"
        f"红黄牌 红牌 {s.cards.get('red', 0)} 张、黄牌 {s.cards.get('yellow', 0)} 张\n"
        f"   销号反向核查：抽取 {s.sampled} 项（疑点事项优先），{s.contradicted} 项与报告不符，已重新打开；"
        f"同类同改推送 {s.selfcheck_tasks} 个单位，"
        f"已报告 {s.selfcheck_answered} 个"
    )
