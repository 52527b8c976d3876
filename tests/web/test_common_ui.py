"""The shared page furniture: Chinese error pages, status badges declared with their
colours, file sizes people read, and the top bar's name said once."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.template import Context, Template
from django.test import RequestFactory
from django.views import defaults

from web.factories import UserFactory
from xuncha.accounts.models import Role
from xuncha.common.choices import REGISTRY, Tone, Toned, badge_parts, toned
from xuncha.common.templatetags.xuncha import filesize

pytestmark = pytest.mark.django_db


def test_404_page_is_chinese_and_keeps_the_top_bar(client, world):
    client.force_login(world.users["office"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and "返回工作台首页" in text
    assert "Not Found" not in text


def test_403_and_400_pages_are_chinese(rf: RequestFactory):
    request = rf.get("/")
    request.user = AnonymousUser()
    forbidden = defaults.permission_denied(request, Exception("x"))
    assert forbidden.status_code == 403 and "无权" in forbidden.content.decode()
    bad = defaults.bad_request(request, Exception("x"))
    assert bad.status_code == 400 and "请求有误" in bad.content.decode()


def test_500_page_renders_without_context_and_in_chinese(rf: RequestFactory):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器内部错误" in text and "Server Error" not in text


def test_every_registered_status_has_a_tone_and_badge_renders_label_and_colour():
    assert REGISTRY, "no status choices are registered"
    for cls in REGISTRY.values():
        for member in cls:
            assert isinstance(member.tone, Tone)
    key, cls = next(iter(REGISTRY.items()))
    member = next(iter(cls))
    html = Template("{% load xuncha %}{% badge v k %}").render(
        Context({"v": member.value, "k": key})
    )
    assert f"tone-{member.tone.value}" in html and str(member.label) in html


def test_a_status_without_a_tone_cannot_be_registered():
    class Half(Toned):
        A = "a", "甲"
        B = "b", "乙"

        @classmethod
        def tones(cls):
            return {cls.A: Tone.OK}

    with pytest.raises(TypeError, match="missing \\['b'\\]"):
        toned("half-for-test")(Half)
    assert "half-for-test" not in REGISTRY


def test_unknown_status_value_shows_as_written_and_muted():
    key = next(iter(REGISTRY))
    assert badge_parts("no-such-value", key) == ("no-such-value", "muted")


@pytest.mark.parametrize(
    ("size", "shown"),
    [(None, "—"), (0, "0 字节"), (45, "45 字节"), (1024, "1 KB"), (12_600, "12.3 KB"),
     (4_718_592, "4.5 MB"), (3 * 1024**3, "3 GB")],
)  # fmt: skip
def test_filesize_in_units_people_read(size, shown):
    assert filesize(size) == shown


def test_top_bar_says_the_role_once(client):
    office = UserFactory(role=Role.OFFICE, full_name="刘卫东")
    admin = UserFactory(role=Role.ADMIN, full_name="系统管理员")
    assert office.signature == "刘卫东 · 巡察办"
    assert admin.signature == "系统管理员"
    client.force_login(office)
    text = client.get("/").content.decode()
    assert "刘卫东 · 巡察办" in text and "（巡察办）（" not in text


def test_toned_is_a_textchoices_base():
    assert issubclass(Toned, models.TextChoices)


@pytest.mark.parametrize(
    ("role", "shown"),
    [("office", {"被巡察单位", "巡察轮次", "信访举报", "数据比对"}),
     ("team", {"被巡察单位", "巡察轮次", "信访举报", "数据比对"}),
     ("leader", {"被巡察单位", "巡察轮次"}), ("supervisor", {"被巡察单位", "巡察轮次"}),
     ("unit", set())],
)  # fmt: skip
def test_the_menu_offers_what_the_role_may_open(client, world, role, shown):
    import re

    client.force_login(world.users[role])
    nav = re.search(r"<nav>(.*?)</nav>", client.get("/").content.decode(), re.S)
    assert nav is not None
    optional = {"被巡察单位", "巡察轮次", "信访举报", "数据比对"}
    assert {name for name in optional if f">{name}</a>" in nav.group(1)} == shown
    assert ">问题</a>" in nav.group(1) and ">整改台账</a>" in nav.group(1)


def test_date_fields_are_written_as_the_browser_reads_them():
    """An <input type="date"> shows only YYYY-MM-DD; anything else leaves it blank."""
    import datetime as dt

    from django import forms

    class F(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    assert 'value="2024-07-01"' in str(F(initial={"day": dt.date(2024, 7, 1)})["day"])
    for typed in ("2024-07-01", "2024/07/01", "2024年7月1日"):
        form = F({"day": typed})
        assert form.is_valid(), typed
        assert form.cleaned_data["day"] == dt.date(2024, 7, 1)
