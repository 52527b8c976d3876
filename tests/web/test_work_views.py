"""A team's page for one assigned unit: talks, leads, immediate items."""

from __future__ import annotations

from django.urls import reverse

from xuncha.findings.models import ImmediateItem, Lead, Talk
from xuncha.planning.models import Assignment


def post(client, a, action, **data):
    return client.post(
        reverse("findings:work_action", args=[a.pk, action]), data, follow=True
    ).content.decode()


def test_team_records_its_work(client, world) -> None:
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    assert "谈话记录已保存" in post(
        client, a, "talk", talk_on="2024-04-02", interviewee="村支书", summary="反映补贴发放问题"
    )
    assert "线索已登记移交" in post(client, a, "lead", description="村会计虚报冒领", handed_to="discipline",
                                   handed_on="2024-04-03", receiver="市纪委信访室", due_on="2024-06-30")  # fmt: skip
    assert "立行立改事项已交办" in post(
        client, a, "immediate", description="立即停发", deadline="2024-04-10"
    )
    lead, item = Lead.objects.get(), ImmediateItem.objects.get()
    assert "已确认完成" in post(client, a, "done", item=item.pk, done_on="2024-04-09")
    assert "办理结果已登记" in post(
        client, a, "result", lead=lead.pk, result="filed", result_on="2024-05-01"
    )
    page = post(client, a, "done", item=item.pk, done_on="2024-04-09")
    assert "该事项已确认完成" in page
    assert "办结期限不能早于移交日期" in post(client, a, "lead", description="x", handed_to="discipline",
                                         handed_on="2024-04-03", receiver="x", due_on="2024-04-01")  # fmt: skip
    assert "提交的内容有误" in post(client, a, "talk", talk_on="", interviewee="", summary="")
    assert Talk.objects.count() == 1 and Lead.objects.count() == 1


def test_who_sees_the_page_and_its_leads(client, world) -> None:
    a = Assignment.objects.get(team=world.team)
    client.force_login(world.users["team"])
    post(client, a, "lead", description="秘密线索", handed_to="discipline", handed_on="2024-04-03",
         receiver="纪委", due_on="2024-06-30")  # fmt: skip
    url = reverse("findings:work", args=[a.pk])
    for reader in ("supervisor", "leader"):  # read the unit's page, never its leads
        client.force_login(world.users[reader])
        page = client.get(url).content.decode()
        assert "个别谈话" in page and "秘密线索" not in page and "登记移交线索" not in page
    for role in ("other_team", "unit"):
        client.force_login(world.users[role])
        assert client.get(url).status_code == 404
    client.force_login(world.users["office"])
    assert "秘密线索" in client.get(url).content.decode()
