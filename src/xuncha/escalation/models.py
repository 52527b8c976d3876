"""联动巡察与重大问题呈报: joint rounds, major findings and their hops up the hierarchy,
this installation's name, the senders it trusts and the bundles it received.

A hop (:class:`Escalation`) starts from a local major finding or from one received from
below (:class:`ReceivedMajorFinding`), so a county's finding can travel county → city →
province across three installations, each hop recorded where it was made.
"""

from __future__ import annotations

import uuid

from django.db import models
from simple_history.models import HistoricalRecords

from xuncha.common.models import BaseModel

_UNTRACKED = ["created_at", "updated_at"]


class Level(models.TextChoices):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


# Upward order: a hop goes from a level to a higher one.
LEVEL_RANK = {Level.COUNTY: 0, Level.CITY: 1, Level.PROVINCE: 2}


class HopStatus(models.TextChoices):
    SENT = "sent", "已呈报"
    RECEIVED = "received", "已签收"
    ACKNOWLEDGED = "acknowledged", "已阅处"


class Office(BaseModel):
    """This installation's office: its name and level, written into every bundle it
    signs (one row)."""

    name = models.CharField("本单位名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=Level.choices, default=Level.COUNTY)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "本单位"
        verbose_name_plural = "本单位"

    def __str__(self) -> str:
        return self.name


class JointRound(BaseModel):
    """A round run jointly by two or three levels (上下联动)."""

    round = models.OneToOneField(
        "planning.Round", verbose_name="轮次", on_delete=models.CASCADE, related_name="joint"
    )
    note = models.TextField("说明", blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "联动巡察"
        verbose_name_plural = "联动巡察"

    def __str__(self) -> str:
        return f"{self.round}（联动）"

    def levels_top_down(self) -> list[JointLevel]:
        """Its levels from the highest down: 省级, 市级, 县级."""
        return sorted(self.levels.all(), key=lambda lv: -LEVEL_RANK[Level(lv.level)])


class JointLevel(BaseModel):
    """One level of a joint round: who organises it, its units and teams (ours as
    links, another installation's as names, one a line)."""

    joint = models.ForeignKey(JointRound, verbose_name="联动巡察", on_delete=models.CASCADE,
                              related_name="levels")  # fmt: skip
    level = models.CharField("层级", max_length=10, choices=Level.choices)
    organiser = models.CharField("组织单位", max_length=100)
    units = models.ManyToManyField("units.Unit", verbose_name="被巡察单位", blank=True,
                                   related_name="+")  # fmt: skip
    unit_names = models.TextField("其他被巡察单位（每行一个）", blank=True)
    teams = models.ManyToManyField("planning.Team", verbose_name="巡察组", blank=True,
                                   related_name="+")  # fmt: skip
    team_names = models.TextField("其他巡察组（每行一个）", blank=True)

    class Meta:
        verbose_name = "联动层级"
        verbose_name_plural = "联动层级"
        ordering = ["joint", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["joint", "level"], name="joint_level_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()}：{self.organiser}"

    def names(self, field: str) -> list[str]:
        return [n.strip() for n in getattr(self, field).splitlines() if n.strip()]

    def unit_list(self) -> str:
        """Its units, ours then the named ones, as one line."""
        return "、".join([u.name for u in self.units.all()] + self.names("unit_names"))

    def team_list(self) -> str:
        return "、".join([t.name for t in self.teams.all()] + self.names("team_names"))


class MajorFinding(BaseModel):
    """A finding marked major (重大问题), to be reported up level by level."""

    finding = models.OneToOneField("findings.Finding", verbose_name="问题",
                                   on_delete=models.PROTECT, related_name="major")  # fmt: skip
    reason = models.TextField("认定理由")
    marked_by = models.ForeignKey("accounts.User", verbose_name="标记人",
                                  on_delete=models.PROTECT, related_name="+")  # fmt: skip
    marked_at = models.DateTimeField("标记时间")
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "重大问题"
        verbose_name_plural = "重大问题"
        ordering = ["-marked_at", "-id"]

    def __str__(self) -> str:
        return f"重大问题：{self.finding}"


class TrustedSender(BaseModel):
    """A lower office whose bundles we accept: its Ed25519 public key, registered by hand
    after the fingerprint was checked with the sender by phone or on paper."""

    name = models.CharField("发送方名称", max_length=100)
    public_key = models.CharField("公钥（Base64）", max_length=64)
    fingerprint = models.CharField("指纹", max_length=64, unique=True)
    registered_by = models.ForeignKey("accounts.User", verbose_name="登记人",
                                      on_delete=models.PROTECT, related_name="+")  # fmt: skip
    revoked_at = models.DateTimeField("停用时间", null=True, blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "已登记的发送方"
        verbose_name_plural = "已登记的发送方"
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ReceivedBundle(BaseModel):
    """A bundle imported and verified here; its id makes a second import a no-op."""

    bundle_id = models.UUIDField("呈报包编号", unique=True)
    sender = models.ForeignKey(TrustedSender, verbose_name="发送方", on_delete=models.PROTECT,
                               related_name="bundles")  # fmt: skip
    sender_name = models.CharField("发送方名称（包内）", max_length=100)
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("文件 SHA-256", max_length=64)
    manifest = models.JSONField("清单")
    created_on_sender = models.DateTimeField("发送方生成时间")
    received_by = models.ForeignKey("accounts.User", verbose_name="签收人",
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    received_at = models.DateTimeField("签收时间")

    class Meta:
        verbose_name = "收到的呈报包"
        verbose_name_plural = "收到的呈报包"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sender_name} {self.bundle_id}"


class ReceivedMajorFinding(BaseModel):
    """A major finding as a lower installation reported it (its units and rounds do not
    exist here, so their names are kept as text)."""

    bundle = models.ForeignKey(ReceivedBundle, verbose_name="呈报包", on_delete=models.PROTECT,
                               related_name="findings")  # fmt: skip
    origin_id = models.CharField("发送方问题编号", max_length=64)
    unit_name = models.CharField("被巡察单位", max_length=100)
    unit_code = models.CharField("单位编码", max_length=32, blank=True)
    round_name = models.CharField("轮次", max_length=100)
    team_name = models.CharField("巡察组", max_length=100, blank=True)
    category = models.CharField("问题类别", max_length=100, blank=True)
    description = models.TextField("问题描述")
    amount = models.DecimalField("涉及金额（元）", max_digits=14, decimal_places=2, default=0)
    reason = models.TextField("认定理由", blank=True)
    chain = models.JSONField("此前的呈报经过", default=list)

    class Meta:
        verbose_name = "收到的重大问题"
        verbose_name_plural = "收到的重大问题"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.unit_name}：{self.description[:30]}"


class ReceivedAttachment(BaseModel):
    """An evidence file that came in a bundle, stored under its hash."""

    finding = models.ForeignKey(ReceivedMajorFinding, verbose_name="重大问题",
                                on_delete=models.CASCADE, related_name="attachments")  # fmt: skip
    name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveBigIntegerField("大小（字节）")
    file = models.FileField("文件", max_length=200)

    class Meta:
        verbose_name = "收到的证据材料"
        verbose_name_plural = "收到的证据材料"
        ordering = ["id"]


class Escalation(BaseModel):
    """One hop up the hierarchy (逐级呈报): from our office to the one above, with who
    sent it and who received it and when. Starts from a local major finding or from one
    received from below (exactly one of the two)."""

    major = models.ForeignKey(MajorFinding, verbose_name="重大问题", on_delete=models.PROTECT,
                              null=True, blank=True, related_name="hops")  # fmt: skip
    received = models.ForeignKey(ReceivedMajorFinding, verbose_name="收到的重大问题",
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="hops")  # fmt: skip
    bundle_id = models.UUIDField("呈报包编号", default=uuid.uuid4, unique=True)
    from_level = models.CharField("呈报层级", max_length=10, choices=Level.choices)
    from_office = models.CharField("呈报单位", max_length=100)
    to_level = models.CharField("接收层级", max_length=10, choices=Level.choices)
    to_office = models.CharField("接收单位", max_length=100)
    sent_by = models.ForeignKey("accounts.User", verbose_name="呈报人", on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    sent_at = models.DateTimeField("呈报时间")
    received_by = models.CharField("签收人", max_length=100, blank=True)
    received_at = models.DateTimeField("签收时间", null=True, blank=True)
    recorded_by = models.ForeignKey("accounts.User", verbose_name="登记人", on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")  # fmt: skip
    status = models.CharField("状态", max_length=15, choices=HopStatus.choices,
                              default=HopStatus.SENT)  # fmt: skip
    note = models.TextField("备注", blank=True)
    history = HistoricalRecords(excluded_fields=_UNTRACKED)

    class Meta:
        verbose_name = "呈报记录"
        verbose_name_plural = "呈报记录"
        ordering = ["sent_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(major__isnull=False, received__isnull=True)
                | models.Q(major__isnull=True, received__isnull=False),
                name="escalation_one_origin",
                violation_error_message="一条呈报记录只能对应一个重大问题。",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_office} → {self.to_office}"
