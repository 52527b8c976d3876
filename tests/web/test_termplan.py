"""The term plan (届内全覆盖规划) in the workbench: propose on a small world, moves by
hand re-checked (capacity, 回避), commit a slot as a round, infeasible parameters
explained, who may see and post, the plan document, history of moves."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from django.urls import reverse
from docx import Document

from web.factories import CadreFactory, TermFactory, UnitFactory, UserFactory, team_from
from xuncha.accounts.models import Role, User
from xuncha.common.errors import ServiceError
from xuncha.planning import termplan
from xuncha.planning.models import (
    Assignment,
    Cadre,
    PlanEntry,
    Round,
    TeamMember,
    Term,
    TermPlan,
    TermPlanStatus,
)
from xuncha.units.models import RiskLevel, Unit, UnitKind

pytestmark = pytest.mark.django_db


@dataclass
class Small:
    term: Term
    county: Unit
    townships: list[Unit]
    units: list[Unit]  # the 30 inspectable units
    cadres: list[Cadre]  # team 1's leader comes from townships[0]
    office: User


def small_world(*, per_township: int = 9) -> Small:
    """A county with 3 townships, each with ``per_township`` villages: 30 inspectable
    units at the default; a few high and watch risk."""
    county = UnitFactory(name="东湖县", kind=UnitKind.COUNTY)
    county.county = county
    county.save()
    townships, units = [], []
    levels = [RiskLevel.HIGH, RiskLevel.WATCH, RiskLevel.GENERAL, RiskLevel.GENERAL]
    for t in range(3):
        town = UnitFactory(name=f"乡镇{t}", kind=UnitKind.TOWNSHIP, parent=county, county=county,
                           risk_level=levels[t])  # fmt: skip
        townships.append(town)
        units.append(town)
        for v in range(per_township):
            units.append(UnitFactory(
                name=f"乡镇{t}村{v}", kind=UnitKind.VILLAGE, parent=town, county=county,
                risk_level=levels[(t + v) % 4],
            ))  # fmt: skip
    cadres = [CadreFactory(name="张组长", home_unit=townships[0]),
              CadreFactory(name="李组员", home_unit=UnitFactory(name="市财政局",
                                                                kind=UnitKind.DEPARTMENT)),
              CadreFactory(name="王组长", home_unit=townships[2])]  # fmt: skip
    # The department is inspectable too: 31 units in all at the default.
    units.append(cadres[1].home_unit)
    term = TermFactory(name="第十四届（2025—2026年）", start_year=2025, end_year=2026)
    return Small(term, county, townships, units, cadres, UserFactory(role=Role.OFFICE))


def params(**kw: object) -> termplan.Params:
    base: dict[str, object] = {"years": (2025, 2026), "rounds_per_year": 2, "teams_per_round": 2,
                               "capacity": 8, "time_limit": 2}  # fmt: skip
    return termplan.Params(**{**base, **kw})  # type: ignore[arg-type]


def propose(w: Small, **kw: object) -> TermPlan:
    rosters = {1: [w.cadres[0].pk, w.cadres[1].pk], 2: [w.cadres[2].pk]}
    return termplan.plan_propose(by=w.office, term=w.term, params=params(**kw), rosters=rosters)


def test_propose_places_every_unit_once_within_the_constraints() -> None:
    w = small_world()
    plan = propose(w)
    assert plan.status == TermPlanStatus.DRAFT
    entries = list(plan.entries.select_related("slot", "unit"))
    assert sorted(e.unit_id for e in entries) == sorted(u.pk for u in w.units)
    assert termplan.violations(plan) == []
    per = {}
    for e in entries:
        per[(e.slot.index, e.team_key)] = per.get((e.slot.index, e.team_key), 0) + 1
    assert max(per.values()) <= 8 and plan.slots.count() == 4
    # 回避: team 1's leader is from 乡镇0, a member from 市财政局; team 2's from 乡镇2.
    barred_1 = {w.townships[0].pk, w.cadres[1].home_unit_id,
                *Unit.objects.filter(parent=w.townships[0]).values_list("pk", flat=True)}  # fmt: skip
    barred_2 = {w.townships[2].pk,
                *Unit.objects.filter(parent=w.townships[2]).values_list("pk", flat=True)}  # fmt: skip
    assert not [e for e in entries if e.team_key == 1 and e.unit_id in barred_1]
    assert not [e for e in entries if e.team_key == 2 and e.unit_id in barred_2]
    # High risk first: every high unit in a slot no later than any general unit's.
    high = max(e.slot.index for e in entries if e.unit.risk_level == RiskLevel.HIGH)
    general = max(e.slot.index for e in entries if e.unit.risk_level == RiskLevel.GENERAL)
    assert high <= general
    assert plan.objective is not None and plan.greedy_objective is not None
    assert plan.objective <= plan.greedy_objective


def test_units_inspected_in_the_term_are_not_planned_and_old_plans_are_superseded() -> None:
    w = small_world(per_township=2)
    first = propose(w)
    done = w.units[0]
    team_from(w.term, dt.date(2025, 3, 1), done)
    second = propose(w)
    first.refresh_from_db()
    assert first.status == TermPlanStatus.SUPERSEDED
    assert done.pk not in set(second.entries.values_list("unit_id", flat=True))
    assert second.entries.count() == len(w.units) - 1


def test_infeasible_parameters_are_stored_as_refused_with_reasons(client) -> None:
    w = small_world()
    plan = propose(w, capacity=2)  # 4 slots × 2 teams × 2 = 16 < 31 units
    assert plan.status == TermPlanStatus.REFUSED and plan.entries.count() == 0
    assert plan.explanation and any("capacity" in v["constraint"] or "coverage" in v["constraint"]
                                     for v in plan.explanation)  # fmt: skip
    client.force_login(w.office)
    html = client.get(reverse("planning:termplan", args=[plan.pk])).content.decode()
    assert "没有满足全部约束的方案" in html
    assert plan.explanation[0]["message"] in html
    # The reasons are said above; the change history does not repeat them as raw data.
    assert "&#x27;constraint&#x27;" not in html and "'constraint'" not in html
    assert "共 0 个单位" not in html  # no plan: not "a plan of no units"


def test_propose_from_the_page_with_rosters(client) -> None:
    w = small_world(per_township=3)
    client.force_login(w.office)
    url = reverse("planning:termplans", args=[w.term.pk])
    assert "生成全覆盖规划" in client.get(url).content.decode()
    data = {"years": ["2025", "2026"], "rounds_per_year": 2, "teams_per_round": 2,
            "capacity": 5, "elevated_per_year": 0, "time_limit": 5,
            "leader_1": w.cadres[0].pk, "members_1": [w.cadres[1].pk],
            "leader_2": w.cadres[2].pk}  # fmt: skip
    r = client.post(url, data)
    plan = TermPlan.objects.get(term=w.term)
    assert r.status_code == 302 and r.url == reverse("planning:termplan", args=[plan.pk])
    assert plan.rosters == {"1": [w.cadres[0].pk, w.cadres[1].pk], "2": [w.cadres[2].pk]}
    html = client.get(r.url).content.decode()
    assert "全部硬约束均满足" in html and w.units[1].name in html
    # A year outside the term is refused, with nothing stored.
    r = client.post(url, {**data, "years": ["2031"]})
    assert r.status_code == 400 and TermPlan.objects.filter(term=w.term).count() == 1


def _entry(plan: TermPlan, unit: Unit) -> PlanEntry:
    return plan.entries.select_related("slot", "unit", "plan").get(unit=unit)


def test_a_move_over_capacity_or_against_recusal_is_shown_as_a_violation(client) -> None:
    w = small_world()
    plan = propose(w)
    client.force_login(w.office)
    # 乡镇0's village into team 1 (its leader is from 乡镇0): 回避.
    village = Unit.objects.filter(parent=w.townships[0]).first()
    assert village is not None
    entry = _entry(plan, village)
    url = reverse("planning:termplan_move", args=[plan.pk, entry.pk])
    r = client.post(url, {"slot": entry.slot.index, "team": 1, "reason": "就近安排"},
                    follow=True)  # fmt: skip
    html = r.content.decode()
    assert "不符合约束" in html and "全部硬约束均满足" not in html
    found = termplan.violations(plan)
    recusal = [v for v in found if v.constraint == "recusal"]
    assert recusal and village.pk in recusal[0].units and village.name in recusal[0].message
    # The live check says the same before saving, and a move back clears it.
    check = reverse("planning:termplan_check", args=[plan.pk])
    live = client.get(check, {"entry": entry.pk, "slot": entry.slot.index, "team": 2}).json()
    assert live["violations"] == []
    assert "recusal" in {v["constraint"] for v in client.get(check).json()["violations"]}
    # That slot cannot be committed while the violation stands.
    r = client.post(reverse("planning:termplan_commit", args=[plan.pk, entry.slot.index]),
                    follow=True)  # fmt: skip
    assert "未能下达" in r.content.decode() and not Round.objects.filter(term=w.term).exists()
    client.post(url, {"slot": entry.slot.index, "team": 2, "reason": "回避"})
    assert termplan.violations(plan) == []
    # Fill one team of one slot over its capacity of 8.
    target = plan.slots.get(index=3)
    movable = list(plan.entries.select_related("slot", "unit").exclude(slot=target))
    moved = 0
    for e in movable:
        if plan.entries.filter(slot=target, team_key=2).count() > 8:
            break
        if e.unit.parent_id == w.townships[2].pk or e.unit_id == w.townships[2].pk:
            continue  # team 2 recuses 乡镇2
        client.post(reverse("planning:termplan_move", args=[plan.pk, e.pk]),
                    {"slot": 3, "team": 2, "pinned": "on", "reason": "集中"})  # fmt: skip
        moved += 1
    assert "capacity" in {v.constraint for v in termplan.violations(plan)}
    html = client.get(reverse("planning:termplan", args=[plan.pk])).content.decode()
    assert 'data-constraint="capacity"' in html
    # History: who moved what and why.
    history = PlanEntry.history.filter(plan_id=plan.pk, history_type="~", reason="集中")
    assert history.count() == moved and history.first().history_user == w.office
    assert "集中" in html


def test_resolve_keeps_pinned_units() -> None:
    w = small_world()
    plan = propose(w)
    entry = plan.entries.select_related("slot").filter(team_key=2).order_by("slot__index").first()
    assert entry is not None
    termplan.entry_move(by=w.office, entry=entry, slot_index=3, team_key=2, pinned=True,
                        reason="当年专项")  # fmt: skip
    termplan.plan_resolve(by=w.office, plan=plan)
    entry.refresh_from_db()
    assert (entry.slot.index, entry.team_key, entry.pinned) == (3, 2, True)
    assert termplan.violations(plan) == []


def test_commit_a_slot_creates_round_teams_members_and_assignments(client) -> None:
    w = small_world()
    plan = propose(w)
    client.force_login(w.office)
    r = client.post(reverse("planning:termplan_commit", args=[plan.pk, 0]))
    rnd = Round.objects.get(term=w.term)
    assert r.status_code == 302 and r.url == reverse("planning:round", args=[rnd.pk])
    slot = plan.slots.get(index=0)
    assert slot.round == rnd and (rnd.start_date.year, rnd.start_date.month) == (2025, 1)
    planned = {(e.team_key, e.unit_id) for e in slot.entries.all()}
    assigned = {(a.team.number, a.unit_id) for a in Assignment.objects.filter(round=rnd)}
    assert assigned == planned
    members = {
        (m.team.number, m.cadre_id, m.role) for m in TeamMember.objects.filter(team__round=rnd)
    }
    assert (1, w.cadres[0].pk, "leader") in members and (1, w.cadres[1].pk, "member") in members
    plan.refresh_from_db()
    assert plan.status == TermPlanStatus.PARTLY
    # Committed units are not moved again, and the slot is not committed twice.
    entry = slot.entries.first()
    assert entry is not None
    r = client.post(reverse("planning:termplan_move", args=[plan.pk, entry.pk]),
                    {"slot": 1, "team": 1}, follow=True)  # fmt: skip
    assert "已下达，不能调整" in r.content.decode()
    r = client.post(reverse("planning:termplan_commit", args=[plan.pk, 0]), follow=True)
    assert Round.objects.filter(term=w.term).count() == 1
    # The coverage page shows the progress against the plan.
    html = client.get(reverse("planning:coverage", args=[w.term.pk])).content.decode()
    assert "全覆盖规划进度" in html and rnd.name in html


def test_commit_is_all_or_nothing_when_recusal_is_broken_behind_the_plans_back() -> None:
    w = small_world(per_township=2)
    plan = propose(w)
    slot = plan.slots.get(index=0)
    entry = slot.entries.filter(team_key=2).select_related("unit").first()
    assert entry is not None
    # A cadre of team 2 changes home to the unit planned for team 2 after the proposal.
    cadre = w.cadres[2]
    cadre.home_unit = entry.unit
    cadre.save()
    with pytest.raises(ServiceError):
        termplan.slot_commit(by=w.office, slot=slot)
    assert not Round.objects.filter(term=w.term).exists()
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("role", ["team", "unit", "supervisor"])
def test_others_can_neither_see_nor_post(client, role) -> None:
    w = small_world(per_township=1)
    plan = propose(w)
    entry = plan.entries.first()
    assert entry is not None
    client.force_login(UserFactory(role=role, unit=w.units[0] if role == "unit" else None))
    for url in [reverse("planning:termplans", args=[w.term.pk]),
                reverse("planning:termplan", args=[plan.pk]),
                reverse("planning:termplan_docx", args=[plan.pk]),
                reverse("planning:termplan_check", args=[plan.pk])]:  # fmt: skip
        assert client.get(url).status_code == 404, url
    posts = [reverse("planning:termplan_move", args=[plan.pk, entry.pk]),
             reverse("planning:termplan_commit", args=[plan.pk, 0]),
             reverse("planning:termplan_resolve", args=[plan.pk]),
             reverse("planning:termplans", args=[w.term.pk])]  # fmt: skip
    for url in posts:
        assert client.post(url, {"slot": 1, "team": 1}).status_code == 404, url
    assert not Round.objects.exists() and TermPlan.objects.count() == 1


def test_a_leader_reads_but_does_not_change(client) -> None:
    w = small_world(per_township=1)
    plan = propose(w)
    client.force_login(UserFactory(role=Role.LEADER))
    html = client.get(reverse("planning:termplan", args=[plan.pk])).content.decode()
    assert w.units[0].name in html and "下达为巡察轮次" not in html and "调整原因" not in html
    assert client.post(reverse("planning:termplan_commit", args=[plan.pk, 0])).status_code == 404
    with pytest.raises(Exception, match="只有巡察办"):
        termplan.slot_commit(by=UserFactory(role=Role.LEADER), slot=plan.slots.get(index=0))


def test_the_plan_document_lists_the_units_by_round(client) -> None:
    w = small_world(per_township=2)
    plan = propose(w)
    client.force_login(w.office)
    r = client.get(reverse("planning:termplan_docx", args=[plan.pk]))
    assert r.status_code == 200 and ".docx" in r["Content-Disposition"]
    doc = Document(io.BytesIO(r.content))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = "\n".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "高风险优先" in text and "同乡镇集中" in text
    for unit in w.units:
        assert unit.name in text, unit.name
    assert "2025年" in cells and str(len(w.units)) in cells


def test_a_large_proposal_is_solved_by_the_background_job(client) -> None:
    w = small_world(per_township=3)
    rosters = {1: [w.cadres[0].pk], 2: [w.cadres[2].pk]}
    plan = termplan.plan_propose(by=w.office, term=w.term, params=params(capacity=4),
                                 rosters=rosters, background=True)  # fmt: skip
    assert plan.status == TermPlanStatus.SOLVING and termplan.violations(plan) == []
    client.force_login(w.office)
    html = client.get(reverse("planning:termplan", args=[plan.pk])).content.decode()
    assert 'id="solving"' in html and "调整原因" not in html
    assert client.get(reverse("planning:termplan_docx", args=[plan.pk])).status_code == 302
    termplan.solve_stored(plan.pk)
    plan.refresh_from_db()
    assert plan.status == TermPlanStatus.DRAFT and termplan.violations(plan) == []
    assert plan.entries.count() == len(w.units) and plan.objective is not None
    # Infeasible in the background: refused with the reasons, no entry left.
    refused = termplan.plan_propose(by=w.office, term=w.term, params=params(capacity=1),
                                    rosters=rosters, background=True)  # fmt: skip
    termplan.solve_stored(refused.pk)
    refused.refresh_from_db()
    assert refused.status == TermPlanStatus.REFUSED and refused.explanation
    assert refused.entries.count() == 0


def test_admin_lists_plans_and_entries(client) -> None:
    w = small_world(per_township=1)
    propose(w)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for name in ("termplan", "planentry"):
        r = client.get(reverse(f"admin:planning_{name}_changelist"))
        assert r.status_code == 200 and w.term.name in r.content.decode()


def test_elevated_units_go_to_elevated_rounds_or_the_plan_says_why(monkeypatch) -> None:
    w = small_world(per_township=2)
    flagged = w.townships[1]
    monkeypatch.setattr(termplan, "elevated_ids", lambda: {flagged.pk})
    refused = propose(w)  # no 提级 round: the flagged unit has nowhere to go
    assert refused.status == TermPlanStatus.REFUSED
    assert "elevated" in {v["constraint"] for v in refused.explanation}
    assert any("提级" in v["message"] for v in refused.explanation if v["constraint"] == "elevated")
    plan = propose(w, elevated_per_year=1)
    assert plan.status == TermPlanStatus.DRAFT and termplan.violations(plan) == []
    entries = plan.entries.select_related("slot")
    assert {e.slot.kind for e in entries if e.unit_id == flagged.pk} == {"elevated"}
    assert {e.slot.kind for e in entries if e.unit_id != flagged.pk} == {"routine"}


def test_progress_names_units_of_past_slots_not_yet_inspected() -> None:
    from xuncha.planning.selectors import plan_progress

    w = small_world(per_township=2)
    plan = propose(w)
    first = plan.slots.get(index=0)
    planned = set(first.entries.values_list("unit_id", flat=True))
    rows = plan_progress(plan, today=dt.date(2025, 7, 15))
    assert rows[0].past and not rows[1].past and {u.pk for u in rows[0].late} == planned
    assert (rows[0].planned, rows[0].committed, rows[0].inspected) == (len(planned), 0, 0)
    termplan.slot_commit(by=w.office, slot=first)
    rows = plan_progress(plan, today=dt.date(2025, 7, 15))
    assert (rows[0].committed, rows[0].inspected, rows[0].late) == (len(planned), len(planned), [])


def test_coverage_and_plan_pages_in_words(client) -> None:
    """The coverage page's title and trail are its own (the plan's progress shows once, in
    the page), and the solver's status reads in Chinese, not as the planner's code."""
    from xuncha.planning.models import SOLVER_STATUS_NAMES

    w = small_world()
    plan = propose(w)
    client.force_login(w.office)
    html = client.get(reverse("planning:coverage", args=[w.term.pk])).content.decode()
    title = html[html.index("<title>") + len("<title>") : html.index("</title>")]
    assert "<" not in title and "覆盖情况" in title
    assert html.count('id="plan-progress"') == 1
    assert plan.solver_status in SOLVER_STATUS_NAMES
    for url in (
        reverse("planning:termplan", args=[plan.pk]),
        reverse("planning:termplans", args=[w.term.pk]),
    ):
        html = client.get(url).content.decode()
        assert SOLVER_STATUS_NAMES[plan.solver_status] in html
        assert f"{plan.solver_status}，" not in html


def test_every_link_on_the_plan_pages_opens_for_a_leader(client) -> None:
    """A leader reads the plans: the trail leads to pages they may open (the terms list
    is the office's; the leader's trail goes through the coverage page)."""
    import re

    w = small_world(per_township=1)
    plan = propose(w)
    for user, terms_link in ((UserFactory(role=Role.LEADER), False), (w.office, True)):
        client.force_login(user)
        for url in (
            reverse("planning:termplan", args=[plan.pk]),
            reverse("planning:termplans", args=[w.term.pk]),
        ):
            html = client.get(url).content.decode()
            assert (f'href="{reverse("planning:terms")}"' in html) == terms_link
            for href in set(re.findall(r'href="(/[^"#?]*)"', html)) - {"/logout/"}:
                if "/static/" not in href and "/docx/" not in href:
                    assert client.get(href).status_code == 200, href


def test_a_large_plan_opens_at_one_round_and_finds_a_unit(client, monkeypatch) -> None:
    """Above MANY_ENTRIES units the page opens at the first round not yet committed (a
    city's 1,400 move forms took seconds to draw); 「全部轮次」 shows all, a name finds one;
    after a move the page shows the round the unit went to."""
    from xuncha.planning import plan_views

    w = small_world()
    plan = propose(w)
    client.force_login(w.office)
    url = reverse("planning:termplan", args=[plan.pk])
    total = plan.entries.count()
    first = plan.entries.filter(slot__index=0).count()
    assert 0 < first < total
    assert client.get(url).content.decode().count('class="termplan-move') == total
    monkeypatch.setattr(plan_views, "MANY_ENTRIES", 10)
    html = client.get(url).content.decode()
    assert html.count('class="termplan-move') == first and "先显示一个轮次" in html
    assert 'id="slot-1"' not in html and 'id="slot-0"' in html
    html = client.get(url, {"slot": "all"}).content.decode()
    assert html.count('class="termplan-move') == total
    entry = plan.entries.select_related("unit").filter(slot__index=1).first()
    assert entry is not None
    html = client.get(url, {"q": entry.unit.name}).content.decode()
    assert f'id="entry-{entry.pk}"' in html and html.count('class="termplan-move') == sum(
        1 for e in plan.entries.select_related("unit") if entry.unit.name in e.unit.name
    )
    r = client.post(reverse("planning:termplan_move", args=[plan.pk, entry.pk]),
                    {"slot": 2, "team": entry.team_key, "reason": "调后"})  # fmt: skip
    assert r.status_code == 302 and r.url.endswith(f"?slot=2#entry-{entry.pk}")
    assert f'id="entry-{entry.pk}"' in client.get(r.url).content.decode()


def test_the_proposal_form_starts_from_this_year_with_room_for_every_unit() -> None:
    """The form's defaults: the term's years from today's on, and a capacity that
    covers every unit still to inspect (so the first proposal is not refused for room)."""
    from xuncha.planning.forms import TermPlanForm

    w = small_world(per_township=20)  # 64 inspectable units
    w.term.end_year = 2028
    w.term.save()
    form = TermPlanForm(term=w.term, today=dt.date(2026, 5, 1), to_cover=len(w.units))
    years = form.fields["years"].initial
    assert years == [2026, 2027, 2028]
    slots = len(years) * form.fields["rounds_per_year"].initial
    places = slots * form.fields["teams_per_round"].initial
    capacity = form.fields["capacity"].initial
    assert (capacity - 1) * places < 1.1 * len(w.units) <= capacity * places  # a tenth spare
    # Past the term's last year: every year is offered as it is.
    assert TermPlanForm(term=w.term, today=dt.date(2030, 1, 1)).fields["years"].initial == [
        2025, 2026, 2027, 2028]  # fmt: skip
    data = {"years": [str(y) for y in years], "time_limit": 3,
            **{k: form.fields[k].initial for k in (
                "rounds_per_year", "teams_per_round", "capacity", "elevated_per_year")}}  # fmt: skip
    filled = TermPlanForm(data, term=w.term, today=dt.date(2026, 5, 1))
    assert filled.is_valid(), filled.errors
    plan = termplan.plan_propose(by=w.office, term=w.term, params=termplan.Params(
        years=tuple(filled.cleaned_data["years"]), time_limit=3,
        **{k: filled.cleaned_data[k] for k in (
            "rounds_per_year", "teams_per_round", "capacity", "elevated_per_year")}),
        rosters={})  # fmt: skip
    assert plan.status == TermPlanStatus.DRAFT and not termplan.violations(plan)
