"""A generated city with planted sham-rectification cases of every kind and its answer key
(issue 18: recall 1.0 and precision >= 0.9 per signal; the test and bench/bench_sham.py
measure it). Built through the services, like a city's year of work: findings recorded,
fed back, plans proposed and accepted, progress reported with photos and PDFs, items
closed out. Only the clock is moved by hand (reports backdated to their day).

Every item follows one honest flow (a progress report with its own photo 20 days after
the feedback, a close-out request with another photo 60 days after it, a deadline at 90
days, consistent money); a planted item departs from it in one way only, so it should
raise its own kind of signal and no other. Honest look-alikes are planted too (an EXIF
DateTime that is not a capture date, a close-out on the deadline after earlier reports,
amounts that add up, the same description in another unit...): a rule that fires on them
loses precision.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from xuncha.accounts.models import Role, User
from xuncha.findings.choices import Category, Source, Subcategory
from xuncha.findings.services import finding_create
from xuncha.planning.models import Assignment, RoundKind, Term
from xuncha.planning.services import assignment_add, round_create, team_create
from xuncha.rectifications.models import ProgressReport, RectificationItem
from xuncha.rectifications.services import (
    rectification_accept_plan,
    rectification_close,
    rectification_create,
    rectification_propose_plan,
    rectification_report_progress,
)
from xuncha.units.models import Unit, UnitKind

from .models import SignalKind

if TYPE_CHECKING:
    from PIL import Image

FED_BACK = (dt.date(2023, 4, 1), dt.date(2024, 4, 1))  # the two rounds' feedback days
PLACES = "东西南北中上下前后新老大小"
MEASURES = ["召开专题会议研究部署", "逐户入户走访核实", "对照台账逐项清理", "组织财务人员专项审计",
            "约谈相关责任人", "修订完善管理制度", "开展警示教育", "公开公示处理结果",
            "建立月度调度机制", "邀请群众代表参与监督", "聘请第三方机构评估", "整理归档原始凭证",
            "召开党员大会通报情况", "制作明白卡发放到户", "设立举报箱接受监督", "开展交叉互查",
            "清理规范合同协议", "完善村务监督委员会", "上门回访征求意见", "核对银行账户流水",
            "组织纪律教育专题党课", "建立问题销号清单", "对照政策逐条梳理", "聘请法律顾问审核"]  # fmt: skip
OBJECTS = ["低保对象", "危房改造户", "集体土地承包合同", "工程结算资料", "公务接待台账",
           "产业扶持项目", "党员发展档案", "村级财务票据", "困难群众救助金", "耕地地力补贴",
           "农村公路养护", "饮水安全工程", "合作社分红", "临时救助审批"]  # fmt: skip
RESULTS = ["问题已全部纠正", "相关制度已印发执行", "群众反映问题得到解决", "整改资料已报送审核",
           "长效机制已经建立", "责任人已作检讨", "后续将持续跟踪", "已向全体村民公开"]  # fmt: skip
DETAILS = ["群众反映强烈", "账目记载不清", "长期无人过问", "程序明显缺失", "监督流于形式",
           "台账资料残缺", "干部心存侥幸", "制度执行走样"]  # fmt: skip
# Each subcategory's topics: the first three for round 1, the others for round 2, so an
# honest item never repeats an earlier round's problem.
TOPICS: dict[str, list[str]] = {
    Subcategory.BENEFIT_FUNDS: ["低保评定优亲厚友", "危房改造补助重复发放", "耕地地力补贴虚报面积",
                                "临时救助审批把关不严", "养老保险代缴不及时", "残疾人补贴停发滞后"],
    Subcategory.COLLECTIVE_ASSETS: ["集体鱼塘低价发包", "集体资产未入账管理", "村级债务底数不清",
                                    "土地租金长期拖欠", "合作社分红程序不规范", "山林承包合同超期"],
    Subcategory.PROJECTS: ["村道硬化工程未招标", "工程款超进度拨付", "水渠项目验收走过场",
                           "项目结算资料缺失", "工程变更未经审批", "路灯安装质量低劣"],
    Subcategory.WORK_STYLE: ["公务接待超标准", "公车私用", "违规发放津贴补贴", "会议室超标配置",
                             "值班纪律松散", "慵懒散拖办事推诿"],
}  # fmt: skip


@dataclass
class AnswerKey:
    """Each kind's planted cases, each the set of items its signal should name."""

    cases: dict[str, list[frozenset[int]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, kind: str, *items: RectificationItem) -> None:
        self.cases[kind].append(frozenset(i.pk for i in items))


@dataclass(frozen=True)
class Score:
    planted: int
    found: int
    hits: int  # found signals naming exactly a planted case's items

    @property
    def recall(self) -> float:
        return self.hits / self.planted if self.planted else 1.0

    @property
    def precision(self) -> float:
        return self.hits / self.found if self.found else 1.0


def score(key: AnswerKey) -> dict[str, Score]:
    """Recall and precision of the signals recorded now, per kind, against ``key``."""
    from .models import Signal

    out = {}
    for kind in SignalKind.values:
        found = [frozenset(s.items.values_list("pk", flat=True))
                 for s in Signal.objects.filter(kind=kind, gone_on__isnull=True)]  # fmt: skip
        planted = set(key.cases.get(kind, []))
        out[kind] = Score(planted=len(planted), found=len(found),
                          hits=len(planted & set(found)))  # fmt: skip
    return out


# ------------------------------------------------------------------ files


def photo(rng: random.Random, size: int = 128) -> Image.Image:
    """A picture of coloured shapes: distinct pictures' pHashes differ in 14+ bits, a
    resized and recompressed copy's in 2 or fewer."""
    from PIL import Image, ImageDraw

    im = Image.new("RGB", (size, size), tuple(rng.randrange(256) for _ in range(3)))
    draw = ImageDraw.Draw(im)
    for _ in range(12):
        x0, y0 = rng.randrange(size), rng.randrange(size)
        box = [x0, y0, x0 + rng.randrange(10, 70), y0 + rng.randrange(10, 70)]
        shape = draw.ellipse if rng.random() < 0.5 else draw.rectangle
        shape(box, fill=tuple(rng.randrange(256) for _ in range(3)))
    return im


def jpeg(im: Image.Image, *, quality: int = 90, exif: dict[int, str] | None = None,
         main: dict[int, str] | None = None) -> bytes:  # fmt: skip
    """``im`` as JPEG; ``exif`` tags go in the Exif IFD (0x9003 capture), ``main`` in IFD0
    (0x0132 DateTime, the last save)."""
    from PIL import Image

    data = Image.Exif()
    for tag, value in (main or {}).items():
        data[tag] = value
    if exif:
        data.get_ifd(0x8769).update(exif)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=quality, exif=data.tobytes())
    return out.getvalue()


def pdf(created: dt.date | None, marker: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    meta = {"/Title": marker}
    if created:
        meta["/CreationDate"] = f"D:{created:%Y%m%d}093000+08'00'"
    writer.add_metadata(meta)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def exif_day(day: dt.date) -> str:
    return f"{day:%Y:%m:%d} 10:20:00"


# ------------------------------------------------------------------ the city


class City:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.office = User.objects.create_user(f"sham-office-{seed}", password=None, role=Role.OFFICE,
                                               full_name="巡察办")  # fmt: skip
        term = Term.objects.create(name=f"第{seed}届（疑点演示）", start_year=2022, end_year=2026)
        self.units = [Unit.objects.create(name=f"{PLACES[i]}湖村{seed}", code=f"SH{seed}{i:03d}",
                                          kind=UnitKind.VILLAGE) for i in range(6)]  # fmt: skip
        self.liaisons = {u.pk: User.objects.create_user(f"sham-unit-{seed}-{u.pk}", password=None,
                                                        role=Role.UNIT, unit=u)
                         for u in self.units}  # fmt: skip
        self.assignments: list[dict[int, Assignment]] = []
        for n, fed in enumerate(FED_BACK, 1):
            rnd = round_create(by=self.office, term=term, number=n, name=f"第{n}轮巡察",
                               kind=RoundKind.ROUTINE, start_date=fed - dt.timedelta(days=60),
                               end_date=fed - dt.timedelta(days=10))  # fmt: skip
            team = team_create(by=self.office, round=rnd, name=f"第{n}巡察组")
            self.assignments.append({u.pk: assignment_add(team=team, unit=u) for u in self.units})
        self.seq = 0

    # -- pieces

    def text(self) -> str:
        """A progress text of its own: 5 of 24 measures in a random order (5.1 million
        ways), two of 14 objects, one of 8 results: never near another by chance."""
        r = self.rng
        m = r.sample(MEASURES, 5)
        return (f"针对{r.choice(OBJECTS)}问题，{m[0]}{r.randint(2, 9)}次，{m[1]}，"
                f"涉及{r.choice(OBJECTS)}{r.randint(11, 399)}户，{m[2]}，{m[3]}，{m[4]}，"
                f"{r.choice(RESULTS)}。")  # fmt: skip

    def own_photo(self, day: dt.date | None = None) -> bytes:
        exif = {0x9003: exif_day(day)} if day else None
        return jpeg(photo(self.rng), exif=exif)

    def finding(self, rnd: int, unit: Unit, *, sub: str = Subcategory.BENEFIT_FUNDS,
                description: str = "", amount: Decimal = Decimal(0)) -> RectificationItem:  # fmt: skip
        """A finding fed back in round ``rnd`` (0 or 1), as a ledger item with an accepted
        plan due 90 days after the feedback."""
        if not description:
            topic = self.rng.choice(TOPICS[sub][rnd * 3 : rnd * 3 + 3])
            description = f"{topic}，{self.rng.choice(DETAILS)}。"
        category = Category(sub.split(".")[0])
        f = finding_create(assignment=self.assignments[rnd][unit.pk], by=self.office,
                           category=category, subcategory=sub, description=description,
                           source=Source.DOCUMENTS, amount=amount)  # fmt: skip
        fed = FED_BACK[rnd]
        item = rectification_create(finding=f, by=self.office, fed_back_on=fed)
        liaison = self.liaisons[unit.pk]
        item = rectification_propose_plan(item=item, by=liaison, measures="按要求整改",
                                          owner="村支书", deadline=fed + dt.timedelta(days=90))  # fmt: skip
        return rectification_accept_plan(item=item, by=self.office)

    def report(self, item: RectificationItem, day: dt.date, text: str,
               files: list[tuple[bytes, str]], *, done: bool = False) -> ProgressReport:  # fmt: skip
        item.refresh_from_db()
        r = rectification_report_progress(
            item=item, by=self.liaisons[item.unit_id], text=text, done=done,
            files=[(io.BytesIO(data), name) for data, name in files],
        )  # fmt: skip
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        ProgressReport.objects.filter(pk=r.pk).update(created_at=at)
        return r

    def close(self, item: RectificationItem, money: Decimal = Decimal(0)) -> RectificationItem:
        item.refresh_from_db()
        return rectification_close(item=item, by=self.office, note="材料齐全，同意销号。",
                                   money_recovered=money)  # fmt: skip

    def honest(self, rnd: int, unit: Unit, *, progress: tuple[str, list[tuple[bytes, str]]] | None = None,
               done: tuple[str, list[tuple[bytes, str]]] | None = None, done_day: int = 60,
               money: Decimal = Decimal(0), close: bool = True, **finding: object) -> RectificationItem:  # fmt: skip
        """An item through the honest flow; ``progress`` / ``done`` replace a report's
        text and files."""
        item = self.finding(rnd, unit, **finding)  # type: ignore[arg-type]
        fed = FED_BACK[rnd]
        self.seq += 1
        progress = progress or (
            self.text(),
            [(self.own_photo(fed + dt.timedelta(days=15)), f"现场{self.seq}.jpg")],
        )
        done = done or (self.text(), [(self.own_photo(), f"完成{self.seq}.jpg")])
        self.report(item, fed + dt.timedelta(days=20), *progress)
        self.report(item, fed + dt.timedelta(days=done_day), *done, done=True)
        return self.close(item, money) if close else item


def plant_city(seed: int = 18, background: int = 6) -> AnswerKey:
    """The city with ``background`` honest items per unit and round beside the planted
    cases; returns the answer key."""
    c, key = City(seed), AnswerKey()
    u = c.units
    for rnd in (0, 1):
        for unit in u:
            for _ in range(background):
                sub = c.rng.choice(list(TOPICS))
                c.honest(rnd, unit, sub=sub)
    _plant_files(c, key)
    _plant_texts(c, key)
    _plant_dates(c, key)
    _plant_deadlines(c, key)
    _plant_recurrence(c, key)
    _plant_money(c, key)
    return key


def _plant_files(c: City, key: AnswerKey) -> None:
    u = c.units
    # The same photo (same bytes) for two units' items.
    same = c.own_photo()
    a = c.honest(1, u[0], done=(c.text(), [(same, "完成照片.jpg")]))
    b = c.honest(1, u[1], done=(c.text(), [(same, "整改后.jpg")]))
    key.add(SignalKind.SAME_FILE, a, b)
    # The same photo resized and recompressed (different bytes, near pHash), one unit.
    im = photo(c.rng)
    a = c.honest(1, u[2], progress=(c.text(), [(jpeg(im), "现场a.jpg")]))
    b = c.honest(
        1, u[2], progress=(c.text(), [(jpeg(im.resize((100, 100)), quality=60), "现场b.jpg")])
    )
    key.add(SignalKind.SAME_FILE, a, b)
    # The same PDF for three items of two units.
    doc = pdf(None, "整改报告")
    items = [
        c.honest(1, unit, done=(c.text(), [(doc, "整改报告.pdf")])) for unit in (u[3], u[3], u[4])
    ]
    key.add(SignalKind.SAME_FILE, *items)
    # Look-alike: one item uploads the same photo twice (two reports): no signal.
    twice = c.own_photo()
    c.honest(1, u[5], progress=(c.text(), [(twice, "a.jpg")]), done=(c.text(), [(twice, "a.jpg")]))


def _plant_texts(c: City, key: AnswerKey) -> None:
    u = c.units
    # The same text word for word, two units.
    text = c.text()
    a = c.honest(1, u[0], progress=(text, [(c.own_photo(), "p.jpg")]))
    b = c.honest(1, u[1], progress=(text, [(c.own_photo(), "p.jpg")]))
    key.add(SignalKind.COPIED_TEXT, a, b)
    # The close-out text copied with one number changed, three items.
    base = c.text() + "下一步将继续巩固整改成果，防止问题反弹回潮，确保群众满意。"
    variants = [base, base.replace("下一步", "今后"), base + "特此报告。"]
    items = [c.honest(1, unit, done=(t, [(c.own_photo(), "d.jpg")])) for unit, t in zip((u[2], u[3], u[3]), variants, strict=True)]  # fmt: skip
    key.add(SignalKind.COPIED_TEXT, *items)
    # A progress text copied within a unit with its numbers changed.
    text = "组织村两委班子成员对全村5个组的惠民资金发放情况开展拉网式排查，逐户核对银行流水，发现问题3个，已全部整改到位。"
    a = c.honest(1, u[4], progress=(text, [(c.own_photo(), "p.jpg")]))
    b = c.honest(
        1,
        u[4],
        progress=(
            text.replace("5个组", "7个组").replace("问题3个", "问题4个"),
            [(c.own_photo(), "p.jpg")],
        ),
    )
    key.add(SignalKind.COPIED_TEXT, a, b)
    # Look-alike: short texts said by everyone are never compared.
    for unit in (u[4], u[5]):
        c.honest(1, unit, progress=("已按要求完成整改。", [(c.own_photo(), "s.jpg")]))


def _plant_dates(c: City, key: AnswerKey) -> None:
    u, fed = c.units, FED_BACK[1]
    before = fed - dt.timedelta(days=40)
    # A photo taken 40 days before the feedback.
    a = c.honest(1, u[0], done=(c.text(), [(c.own_photo(before), "完成.jpg")]))
    key.add(SignalKind.EARLY_EVIDENCE, a)
    # A photo with only DateTimeDigitized before the feedback.
    old = jpeg(photo(c.rng), exif={0x9004: exif_day(before)})
    b = c.honest(1, u[1], progress=(c.text(), [(old, "现场.jpg")]))
    key.add(SignalKind.EARLY_EVIDENCE, b)
    # A PDF made before the feedback.
    d = c.honest(1, u[2], done=(c.text(), [(pdf(before, "旧文件"), "制度.pdf")]))
    key.add(SignalKind.EARLY_EVIDENCE, d)
    # Look-alikes: EXIF DateTime (last saved) before the feedback, a file with no date,
    # a PDF made after the feedback.
    saved = jpeg(photo(c.rng), main={0x0132: exif_day(before)})
    c.honest(1, u[3], done=(c.text(), [(saved, "编辑过.jpg")]))
    c.honest(1, u[4], done=(c.text(), [(jpeg(photo(c.rng)), "无日期.jpg")]))
    c.honest(1, u[5], done=(c.text(), [(pdf(fed + dt.timedelta(days=5), "新文件"), "方案.pdf")]))


def _plant_deadlines(c: City, key: AnswerKey) -> None:
    u, fed = c.units, FED_BACK[1]
    deadline = fed + dt.timedelta(days=90)
    for unit, days_before in ((u[0], 0), (u[1], 2), (u[2], 3)):
        item = c.finding(1, unit)
        c.report(item, deadline - dt.timedelta(days=days_before), c.text(),
                 [(c.own_photo(), "完成.jpg")], done=True)  # fmt: skip
        key.add(SignalKind.DEADLINE_RUSH, c.close(item))
    # Look-alikes: asked on the deadline after a progress report; asked 10 days early
    # with no report before; asked on the deadline, still awaiting close-out.
    c.honest(1, u[3], done_day=90)
    item = c.finding(1, u[4])
    c.report(
        item, deadline - dt.timedelta(days=10), c.text(), [(c.own_photo(), "完成.jpg")], done=True
    )
    item = c.finding(1, u[5])
    c.report(
        item, deadline - dt.timedelta(days=1), c.text(), [(c.own_photo(), "完成.jpg")], done=True
    )
    key.add(SignalKind.DEADLINE_RUSH, item)  # a close-out request on the eve is a rush too


def _plant_recurrence(c: City, key: AnswerKey) -> None:
    u = c.units
    cases = [
        (u[0], Subcategory.BENEFIT_FUNDS, "村干部亲属违规享受低保，低保评定程序不公开、不透明，群众反映强烈。",
         "村干部亲属违规享受低保，低保评定程序仍不公开、不透明，群众反映强烈。"),
        (u[1], Subcategory.PROJECTS, "村道硬化工程未经公开招标直接发包给村干部亲属，工程款拨付无审批。",
         "村道硬化工程未经公开招标直接发包，工程款拨付无审批手续。"),
        (u[2], Subcategory.WORK_STYLE, "村委会公务接待无公函、无清单，超标准列支接待费用。",
         "村委会公务接待无公函、无清单，仍超标准列支接待费用。"),
    ]  # fmt: skip
    for unit, sub, first, again in cases:
        a = c.honest(0, unit, sub=sub, description=first)
        b = c.honest(1, unit, sub=sub, description=again)
        key.add(SignalKind.RECURRENCE, b, a)
    # Look-alikes: the same description in another unit's later round; a similar text
    # under another subcategory in the same unit ...
    c.honest(1, u[3], sub=Subcategory.BENEFIT_FUNDS, description=cases[0][3])
    c.honest(0, u[4], sub=Subcategory.WORK_STYLE, description=cases[2][2])
    c.honest(1, u[4], sub=Subcategory.COLLECTIVE_ASSETS, description=cases[2][3])
    # ... and a problem found again whose earlier item was never closed (known, not hidden).
    c.honest(0, u[5], sub=Subcategory.PROJECTS, description=cases[1][2], close=False)
    c.honest(1, u[5], sub=Subcategory.PROJECTS, description=cases[1][3])


def _plant_money(c: City, key: AnswerKey) -> None:
    u = c.units

    def said(text: str) -> tuple[str, list[tuple[bytes, str]]]:
        return c.text() + text, [(c.own_photo(), "凭证.jpg")]

    # Said recovered, recorded 0.
    a = c.honest(1, u[0], done=said("已追回违规发放资金5,000元。"), amount=Decimal(5000))
    key.add(SignalKind.MONEY, a)
    # Said 1.2 万元 returned, recorded 8,000.
    b = c.honest(
        1, u[1], done=said("责任人已退回1.2万元。"), money=Decimal(8000), amount=Decimal(20000)
    )
    key.add(SignalKind.MONEY, b)
    # Recorded more than the finding's amount.
    d = c.honest(1, u[2], money=Decimal(9000), amount=Decimal(3000))
    key.add(SignalKind.MONEY, d)
    # Look-alikes: two statements adding up to what is recorded; a cumulative figure;
    # amounts of households, not yuan.
    c.honest(1, u[3], progress=said("先行追回3000元。"), done=said("再追回2000元。"),
             money=Decimal(5000), amount=Decimal(5000))  # fmt: skip
    c.honest(1, u[4], progress=said("已追回2000元。"), done=said("累计追回资金6000元。"),
             money=Decimal(6000), amount=Decimal(6000))  # fmt: skip
    c.honest(1, u[5], done=said("清退不符合条件对象12户。"))
