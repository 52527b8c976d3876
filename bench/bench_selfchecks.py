"""Common-problem grouping (同类同改) over many findings: jieba words, MinHash LSH.

Generates ``--findings`` finding texts (default 100,000) in three categories: 60
problem templates written by different units with their own wording (synonyms swapped,
clauses reordered, amounts and names changed), plus as many unrelated one-off texts (eight words drawn from jieba's dictionary).
Times :func:`xuncha.selfchecks.similarity.group_texts` on them (segmentation, MinHash,
LSH, grouping) and on a tenth of them (the ratio shows how it scales), and prints how
well the groups recover the templates: the share of templated texts that landed in a
group with texts of their own template only (purity) and the one-off texts grouped.

With ``--database``, the same findings are written to a fresh PostgreSQL test database
(``test_`` + the name in ``XUNCHA_DATABASE_URL``, default
``postgres://postgres@127.0.0.1:5432/xuncha_selfc``) and the whole grouping as the job
runs it is timed: :func:`xuncha.selfchecks.services.grouping_build` (read every finding,
group, store the groups and their findings).

    python bench/bench_selfchecks.py [--findings 100000] [--database]
"""

from __future__ import annotations

import argparse
import random
import time
from collections import Counter

from xuncha.common.chinese import tokenizer
from xuncha.selfchecks.similarity import Text, group_texts

SUBJECTS = ["村集体经济", "惠民惠农资金", "低保资金", "工程项目", "集体资产", "党费收缴",
            "三会一课", "扶贫项目", "耕地保护", "医保基金", "农村危房改造", "财务报销",
            "公务接待", "公车使用", "村务公开", "征地补偿款", "专项资金", "集体土地发包",
            "党员发展", "干部选拔"]  # fmt: skip
FAULTS = [
    ["合同管理混乱", "未经村民代表大会表决", "擅自签订"],
    ["资金发放不精准", "向不符合条件人员发放", "审核把关不严"],
    ["台账登记不全", "账实不符", "长期未清理"],
    ["超标准列支", "虚列支出", "票据不合规"],
]
FILLERS = ["经查", "巡察发现", "据群众反映", "调阅资料发现", "走访中发现"]
CATEGORIES = ["corruption", "organisation", "policy"]
OTHER = ["办公楼", "会议室", "档案柜", "宣传栏", "电脑", "食堂", "道路", "路灯", "水渠",
         "学校", "卫生室", "养老院", "垃圾站", "桥梁", "堤坝", "山塘", "林地", "鱼塘",
         "农机", "种子", "化肥", "广场", "戏台", "祠堂", "公厕", "水井", "码头", "仓库",
         "苗木", "茶园", "果园", "牛棚", "猪场", "砖厂", "渡口", "车站", "药店", "书屋"]  # fmt: skip
VERBS = ["挪用", "占用", "出租", "损坏", "闲置", "改建", "私设", "外借", "拆除", "转让"]


def _templated(rng: random.Random, template: int) -> str:
    subject = SUBJECTS[template % len(SUBJECTS)]
    own = random.Random(template)  # the template's own faults and details
    faults = own.sample([f for fs in FAULTS for f in fs], 3)
    a, b, c = own.sample(OTHER, 3)
    rng.shuffle(faults)
    amount = rng.randint(2, 90)
    return (f"{rng.choice(FILLERS)}，{subject}{faults[0]}，{a}{VERBS[template % 10]}{b}，"
            f"{faults[1]}，涉及{subject}金额{amount}.{rng.randint(0, 9)}万元，{c}{faults[2]}。")  # fmt: skip


def _vocabulary() -> list[str]:
    """Common two- and three-character words of jieba's own dictionary: the one-off
    texts' words, a vocabulary as wide as real findings use."""
    freq = tokenizer().FREQ
    return sorted(w for w, n in freq.items() if n >= 200 and 2 <= len(w) <= 3)


def _unique(rng: random.Random, vocabulary: list[str]) -> str:
    return "，".join(rng.sample(vocabulary, 8)) + "。"


def generate(n: int, seed: int = 7) -> tuple[list[Text], dict[int, int]]:
    """Texts and the answer key: id -> template number (templated texts only)."""
    rng = random.Random(seed)
    vocabulary = _vocabulary()
    texts, key = [], {}
    for i in range(n):
        unit = rng.randint(1, max(2, n // 20))
        if i % 2 == 0:
            template = rng.randrange(60)
            category = CATEGORIES[template % 3]
            texts.append(Text(i, unit, category, _templated(rng, template)))
            key[i] = template
        else:
            texts.append(Text(i, unit, rng.choice(CATEGORIES), _unique(rng, vocabulary)))
    return texts, key


def measure(n: int) -> tuple[float, float, int, float, int]:
    texts, key = generate(n)
    start, cpu = time.perf_counter(), time.process_time()
    groups = group_texts(texts)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    pure = sum(Counter(key.get(i, -1 - i) for i in g.ids).most_common(1)[0][1] for g in groups)
    stray = sum(1 for g in groups for i in g.ids if i not in key)
    grouped = sum(len(g.ids) for g in groups)
    return seconds, cpu, len(groups), pure / max(1, grouped), stray


def measure_database(n: int) -> None:
    import os

    os.environ.setdefault("XUNCHA_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/xuncha_selfc")
    os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        _fill(n)
        from xuncha.selfchecks.services import grouping_build

        start = time.perf_counter()
        done = grouping_build()
        seconds = time.perf_counter() - start
        print(f"grouping_build on {connection.vendor}, {done.findings_read:,} findings: "
              f"{seconds:.1f} s, {done.groups.count()} groups stored")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _fill(n: int) -> None:
    import datetime as dt

    from xuncha.accounts.models import Role, User
    from xuncha.findings.models import Finding
    from xuncha.planning.models import Round, Team, Term
    from xuncha.units.models import Unit, UnitKind

    texts, _ = generate(n)
    units = Unit.objects.bulk_create(
        [Unit(name=f"第{i}村", code=f"S{i:06d}", kind=UnitKind.VILLAGE)
         for i in range(max(t.unit_id for t in texts) + 1)]
    )  # fmt: skip
    term = Term.objects.create(name="第十二届", start_year=2022, end_year=2026)
    rnd = Round.objects.create(term=term, number=1, name="第一轮", start_date=dt.date(2025, 3, 1),
                               end_date=dt.date(2025, 6, 1))  # fmt: skip
    team = Team.objects.create(round=rnd, name="第一组")
    office = User.objects.create_user("office", password="x", role=Role.OFFICE)
    Finding.objects.bulk_create(
        [Finding(round=rnd, team=team, unit=units[t.unit_id], recorded_by=office,
                 category=t.category, subcategory=f"{t.category}.x", source="talk",
                 description=t.text) for t in texts],
        batch_size=5000,
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--database", action="store_true", help="time grouping_build on PostgreSQL")
    args = parser.parse_args()
    if args.database:
        measure_database(args.findings)
        return
    tokenizer()  # the dictionary loads once per process: not part of the figure
    small, _, n_small, _, _ = measure(args.findings // 10)
    seconds, cpu, n_groups, purity, stray = measure(args.findings)
    print(f"findings {args.findings:,}: {seconds:.1f} s ({cpu:.1f} s CPU), {n_groups} groups "
          f"({args.findings / seconds:,.0f} findings/s)")  # fmt: skip
    print(f"findings {args.findings // 10:,}: {small:.1f} s, {n_small} groups; "
          f"ratio {seconds / small:.1f} for 10x the findings")  # fmt: skip
    print(
        f"precision (texts of their group's main template): {purity:.3f}; one-off texts grouped: {stray}"
    )


if __name__ == "__main__":
    main()
