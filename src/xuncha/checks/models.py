"""Cross-checks in the workbench (数据比对): a team's datasets, its runs of the engine
as background jobs, the suspects each run found and their verification.

A run never changes once done: its manifest, report files and suspects stay as they
were, and a re-run is a new run that says what changed. Verification is recorded on
a suspect and carried to the same suspect (its key) in every later run of the team;
the figures count each key once, at its latest verdict.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from xuncha.common.choices import Tone, Toned, toned
from xuncha.common.models import BaseModel
from xuncha.crosscheck.programs import DEFAULT_PROGRAM, PROGRAMS, Program, all_rules, program_of


class DatasetKind(models.TextChoices):
    """The inputs this app's code names; every program's inputs are valid kinds
    (:func:`dataset_kinds`, from the program declarations in :mod:`xuncha.crosscheck.programs`)."""

    PAYMENTS = "payments", "发放名单"
    DEATHS = "deaths", "死亡人员名单"
    PAYROLL = "payroll", "财政供养人员名单"


def dataset_kinds() -> list[tuple[str, str]]:
    """Every input any program reads, as (id, label): a new program's registers are
    kinds of data without a migration (the field's choices are this callable)."""
    from xuncha.crosscheck.programs import all_inputs

    return [(i.id, i.label) for i in all_inputs().values()]


def dataset_path(instance: Dataset, filename: str) -> str:
    # A folder per dataset keeps the user's file name, which evidence rows quote.
    return f"checks/{instance.team_id}/{instance.token}/{instance.name}"


class Dataset(BaseModel):
    """A file a team was given (payment list or register), with its column mapping."""

    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField("类别", max_length=20, choices=dataset_kinds)
    name = models.CharField("文件名", max_length=200)
    token = models.CharField("存储标识", max_length=32, unique=True)
    file = models.FileField("文件", upload_to=dataset_path, max_length=400)
    size = models.PositiveBigIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    # The user's corrections, in the engine's mapping form for this file:
    # {"header_row": n, "columns": {"A": "name", ...}} (empty: as recognised).
    mapping = models.JSONField("列映射", default=dict, blank=True)
    retired = models.BooleanField("已停用", default=False)
    uploaded_by = models.ForeignKey(
        "accounts.User", verbose_name="上传人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "比对数据"
        verbose_name_plural = "比对数据"
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "name"], condition=Q(retired=False), name="dataset_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name


@toned("run")
class RunStatus(Toned):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"

    @classmethod
    def tones(cls) -> dict[str, Tone]:
        return {
            cls.QUEUED: Tone.MUTED,
            cls.RUNNING: Tone.INFO,
            cls.DONE: Tone.OK,
            cls.FAILED: Tone.BAD,
        }


class CheckRun(BaseModel):
    """One run of the rules over a team's datasets, as a background job."""

    team = models.ForeignKey(
        "planning.Team", verbose_name="巡察组", on_delete=models.PROTECT, related_name="+"
    )
    number = models.PositiveIntegerField("批次")
    datasets = models.ManyToManyField(Dataset, verbose_name="比对数据", related_name="runs")
    previous = models.ForeignKey(
        "self", verbose_name="上次运行", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    # program (its id), title, params (by name), rules: as CheckConfig takes them.
    params = models.JSONField("规则参数")
    status = models.CharField(
        "状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    progress = models.FloatField("进度", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    error = models.TextField("失败原因", blank=True)
    worker = models.CharField("工作进程", max_length=100, blank=True)
    heartbeat_at = models.DateTimeField("心跳时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    manifest = models.JSONField("运行清单", default=dict, blank=True)
    summary = models.JSONField("结果摘要", default=dict, blank=True)  # counts, changes
    folder = models.CharField("结果目录", max_length=200, blank=True)  # under MEDIA_ROOT
    created_by = models.ForeignKey(
        "accounts.User", verbose_name="发起人", on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "比对批次"
        verbose_name_plural = "比对批次"
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="run_number_once"),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="run_progress_share"
            ),
        ]

    def __str__(self) -> str:
        return f"第 {self.number} 次比对"

    @property
    def finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

    @property
    def program(self) -> Program:
        return program_of(self.params.get("program", DEFAULT_PROGRAM))

    @property
    def title(self) -> str:
        """The funding programme the report is titled with."""
        return self.params.get("title") or self.program.title

    @property
    def params_text(self) -> str:
        """The rule parameters it ran with, in words."""
        return self.program.params_text(self.params.get("params", {}))


@toned("verdict")
class Verdict(Toned):
    PENDING = "pending", "待核实"
    CONFIRMED = "confirmed", "属实"
    REJECTED = "rejected", "不属实"

    @classmethod
    def tones(cls) -> dict[str, Tone]:
        return {cls.PENDING: Tone.WARN, cls.CONFIRMED: Tone.BAD, cls.REJECTED: Tone.MUTED}


class Suspect(models.Model):
    """One hit of one rule on one payment row (疑点), with its evidence and verification."""

    run = models.ForeignKey(CheckRun, verbose_name="比对批次", on_delete=models.CASCADE,
                            related_name="suspects")  # fmt: skip
    number = models.PositiveIntegerField("疑点编号")
    # The same suspect in two runs has the same key (rule, row and what the row says).
    key = models.CharField("比对键", max_length=40)
    rule = models.CharField("疑点类型", max_length=30, db_index=True)
    file = models.CharField("文件", max_length=200)
    sheet = models.CharField("工作表", max_length=100, blank=True)
    row = models.PositiveIntegerField("行号")
    name = models.CharField("姓名", max_length=100, blank=True)
    id_number = models.CharField("身份证号码", max_length=60, blank=True)
    id_normalized = models.CharField("规范身份证号码", max_length=18, blank=True)
    amount = models.DecimalField("金额（元）", max_digits=14, decimal_places=2, null=True)
    payment_date = models.DateField("发放日期", null=True)
    payment_year = models.PositiveSmallIntegerField("年度", null=True)
    match_tier = models.CharField("匹配方式", max_length=20, blank=True)
    evidence = models.TextField("疑点依据", blank=True)
    group_id = models.CharField("同组编号", max_length=60, blank=True)
    county = models.CharField("县市区", max_length=50, blank=True, db_index=True)
    township = models.CharField("乡镇", max_length=50, blank=True)
    village = models.CharField("村", max_length=50, blank=True)
    bank_account = models.CharField("银行账号", max_length=60, blank=True)
    register_file = models.CharField("比对名单文件", max_length=200, blank=True)
    register_sheet = models.CharField("比对名单工作表", max_length=100, blank=True)
    register_row = models.PositiveIntegerField("比对名单行号", null=True)
    register_name = models.CharField("比对名单姓名", max_length=100, blank=True)
    register_id_number = models.CharField("比对名单身份证号码", max_length=60, blank=True)
    register_date = models.DateField("死亡或入职日期", null=True)
    register_end_date = models.DateField("离职日期", null=True)
    register_employer = models.CharField("工作单位", max_length=200, blank=True)

    verdict = models.CharField(
        "核查结论", max_length=10, choices=Verdict.choices, default=Verdict.PENDING
    )
    improper_amount = models.DecimalField(
        "应追回金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    recovered_amount = models.DecimalField(
        "已追回金额（元）", max_digits=14, decimal_places=2, null=True, blank=True
    )
    note = models.TextField("核查说明", blank=True)
    verified_by = models.ForeignKey(
        "accounts.User", verbose_name="核查录入人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    verified_at = models.DateTimeField("核查录入时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    finding = models.ForeignKey(
        "findings.Finding", verbose_name="形成问题", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    # Every change of a verification (who, when, from what to what); the rows a run
    # inserts in bulk have no "created" entry, the run's manifest is their record.
    history = HistoricalRecords(excluded_fields=["key", "evidence", "bank_account"])

    class Meta:
        verbose_name = "疑点"
        verbose_name_plural = "疑点"
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="suspect_number_once"),
            models.UniqueConstraint(fields=["run", "key"], name="suspect_key_once"),
            models.CheckConstraint(
                condition=Q(improper_amount__isnull=True) | Q(improper_amount__gte=0),
                name="suspect_improper_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(recovered_amount__isnull=True) | Q(recovered_amount__gte=0),
                name="suspect_recovered_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["run", "verdict"]),
            models.Index(fields=["run", "file"]),
            # The same suspect across a team's runs: carrying and counting verdicts by key.
            models.Index(fields=["key"], name="suspect_key_idx"),
        ]

    def __str__(self) -> str:
        return f"疑点 {self.number}"

    @property
    def rule_title(self) -> str:
        rule = all_rules().get(self.rule)
        if rule is not None:
            return rule.title
        # a rule the office wrote: its title as the run recorded it
        found = (r["title"] for r in self.run.manifest.get("rules", []) if r.get("id") == self.rule)
        return next(found, self.rule)


class UserRuleFile(BaseModel):
    """A rule the office wrote (自定义比对规则) as a TOML file, checked when uploaded; a run
    that ticks it keeps its text (docs/user-rules.md)."""

    rule_id = models.CharField("规则编号", max_length=30)
    program = models.CharField("比对模型", max_length=40)
    title = models.CharField("规则名称", max_length=100)
    name = models.CharField("文件名", max_length=200)
    text = models.TextField("规则文件")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey("accounts.User", verbose_name="上传人",
                                    on_delete=models.PROTECT, related_name="+")  # fmt: skip
    retired = models.BooleanField("已停用", default=False)

    class Meta:
        verbose_name = "自定义比对规则"
        verbose_name_plural = verbose_name
        ordering = ["program", "rule_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule_id"], condition=Q(retired=False), name="one_active_user_rule"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.rule_id}）"

    @property
    def program_title(self) -> str:
        """The title of the program it was written for."""
        found = PROGRAMS.get(self.program)
        return found.title if found else self.program


class Unmasking(models.Model):
    """A staff member saw full ID numbers (on screen or in an export): who, when, what."""

    run = models.ForeignKey(CheckRun, verbose_name="比对批次", on_delete=models.CASCADE,
                            related_name="+")  # fmt: skip
    suspect = models.ForeignKey(Suspect, verbose_name="疑点", null=True, blank=True,
                                on_delete=models.CASCADE, related_name="+")  # fmt: skip
    what = models.CharField("内容", max_length=100)
    user = models.ForeignKey(
        "accounts.User", verbose_name="查看人", on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "身份证号码查看记录"
        verbose_name_plural = "身份证号码查看记录"
        ordering = ["-at"]
