"""Categories (the three focuses, 三个聚焦), sources and lead receivers, declared once;
the statuses shown as badges carry their colour beside their label."""

from collections.abc import Mapping

from django.db import models

from xuncha.common.choices import Tone, Toned, toned


class Category(models.TextChoices):
    CORRUPTION = "corruption", "群众身边不正之风和腐败问题"
    ORGANISATION = "organisation", "基层党组织软弱涣散、组织力欠缺问题"
    POLICY = "policy", "党中央决策部署和乡村振兴政策落实问题"


class Subcategory(models.TextChoices):
    """Each code starts with its category's code and a dot."""

    BENEFIT_FUNDS = "corruption.funds", "惠民惠农资金"
    COLLECTIVE_ASSETS = "corruption.assets", "农村集体“三资”"
    PROJECTS = "corruption.projects", "工程项目"
    WORK_STYLE = "corruption.style", "作风问题"
    WEAK_ORGANISATION = "organisation.weak", "软弱涣散"
    PARTY_LIFE = "organisation.life", "组织生活不规范"
    CADRES = "organisation.cadres", "干部队伍建设"
    POLICY_DELIVERY = "policy.delivery", "政策落实不到位"
    INDUSTRY = "policy.industry", "产业项目"
    LIVELIHOOD = "policy.livelihood", "民生保障"

    @classmethod
    def of(cls, category: str) -> list[tuple[str, str]]:
        return [(v, label) for v, label in cls.choices if v.startswith(category + ".")]


class Source(models.TextChoices):
    TALK = "talk", "个别谈话"
    PETITION = "petition", "信访举报"
    CROSSCHECK = "crosscheck", "数据比对"
    DOCUMENTS = "documents", "查阅资料"
    SITE_VISIT = "site_visit", "实地走访"


class Receiver(models.TextChoices):
    DISCIPLINE = "discipline", "纪委监委"
    ORGANISATION = "organisation", "组织部"


@toned("lead")
class LeadResult(Toned):
    PENDING = "pending", "办理中"
    FILED = "filed", "立案审查"
    DISPOSED = "disposed", "组织处理/诫勉谈话"
    CLEARED = "cleared", "了结/澄清"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.PENDING: Tone.INFO, cls.FILED: Tone.BAD, cls.DISPOSED: Tone.WARN,
                cls.CLEARED: Tone.OK}  # fmt: skip


@toned("immediate")
class ImmediateStatus(Toned):
    OPEN = "open", "整改中"
    DONE = "done", "已完成"

    @classmethod
    def tones(cls) -> Mapping[str, Tone]:
        return {cls.OPEN: Tone.INFO, cls.DONE: Tone.OK}


# The findings list's 整改状态 filter value for findings not yet fed back (no ledger item).
UNFED = "unfed"
