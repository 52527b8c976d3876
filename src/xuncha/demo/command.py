"""``xuncha demo``: generated data, a cross-check scored against its answers, then the
demo city seeded into a workbench and served."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import sys
from pathlib import Path

from ..runtime import EXIT_NOTHING_CHECKED, EXIT_OK, setup_django


def demo_run(args: argparse.Namespace) -> int:
    from ..commands import print_summary
    from ..crosscheck import check
    from ..crosscheck.datagen import DatagenConfig, generate
    from ..crosscheck.evaluate import evaluate, format_scores

    print("1/4 生成带标准答案的模拟数据（郴州市水库移民直补资金，含各种脏数据）……")
    data = generate(args.out / "data", DatagenConfig(payments=args.payments))
    print("2/4 比对：发放名单 × 死亡人员名单 × 财政供养人员名单……")
    report_dir = args.out / "report"
    result = check(
        {"payments": data.payments, "deaths": data.deaths, "payroll": data.payroll},
        params={"standard": data.standard},
        out=report_dir,
    )
    print_summary(result)
    print("3/4 与标准答案对照（精确率 / 召回率）：")
    print(format_scores(evaluate(result.hits, data.truth)))
    print(f"\n报告在：{report_dir.resolve()}/疑点核查表.xlsx（另有 hits.csv、manifest.json）")
    _other_programs(args.out / "programs")
    print("\n4/4 巡察工作台：生成演示城市（湘南市）……")
    token = _demo_workbench(args.out / "workbench")
    if token is None:
        return EXIT_NOTHING_CHECKED
    from .documents import summary, write_demo_documents

    papers_dir = args.out / "公文"
    shutil.rmtree(papers_dir, ignore_errors=True)  # a previous demo's files are not this one's
    print(summary(write_demo_documents(papers_dir, today=dt.date.today()), papers_dir))
    print(
        f"   码上巡察（群众扫码页面，可用手机浏览器打开）：http://{args.host}:{args.port}/p/{token}/"
    )
    if args.no_serve:
        return EXIT_OK
    from ..serving import serve_run

    serve = argparse.Namespace(host=args.host, port=args.port, threads=8, workers=1, no_jobs=False)
    return serve_run(serve)


def _other_programs(folder: Path, payments: int = 3000) -> None:
    """The other programs of the library, each on its own generated data, scored."""
    from ..crosscheck import check
    from ..crosscheck.evaluate import evaluate
    from ..crosscheck.programs import PROGRAMS, table_files_of

    others = [p for p in PROGRAMS.values() if p.id != "reservoir" and p.datagen]
    if not others:
        return
    print("\n   比对模型库中的其他模型（各自的模拟数据，与标准答案对照）：")
    for program in others:
        data = program.generate(folder / program.id / "data", payments=payments, seed=20231001)
        result = check(data.files(), program=program.id, params=dict(data.params),
                       table_files=table_files_of(data), out=folder / program.id / "report")  # fmt: skip
        scores = evaluate(result.hits, data.truth, program=program.id).values()
        low = min(min(s.precision, s.recall) for s in scores)
        print(
            f"   {program.title}（{program.id}）：疑点 {result.hits.num_rows} 条，"
            f"{len(result.rules_run)} 条规则，各规则精确率、召回率最低 {low:.4f}；"
            f"报告在 {folder / program.id / 'report'}/"
        )


def _demo_workbench(folder: Path) -> str | None:
    """The demo city seeded into the data folder XUNCHA_DATA_DIR names, as ``serve``
    would use it, or else into a fresh ``folder``; returns the token of the QR code
    open today, or None (said why) when that installation already has users."""
    if not os.environ.get("XUNCHA_DATA_DIR"):
        shutil.rmtree(folder, ignore_errors=True)
        os.environ["XUNCHA_DATA_DIR"] = str(folder.resolve())
    # The demo city's office signs its documents (公文, 督办函, notices) with its own name.
    os.environ.setdefault(
        "XUNCHA_OFFICE_NAME", "中共湘南市委巡察工作领导小组办公室"
    )  # city.CITY_NAME
    setup_django()
    from django.conf import settings as conf
    from django.core.management import call_command

    from ..accounts.models import User
    from .city import seed_city
    from .petitions import seed_petitions

    folder = Path(conf.DATA_DIR)
    call_command("migrate", interactive=False, verbosity=0)
    if User.objects.exists():
        print(f"错误：XUNCHA_DATA_DIR（{folder}）的数据库中已有账户，演示不会写入已有的数据。"
              "请把 XUNCHA_DATA_DIR 设为一个新的空目录，或不设置它。", file=sys.stderr)  # fmt: skip
        return None
    city = seed_city(today=dt.date.today())

    users = {u.username: u for u in User.objects.filter(username__in=["office", "team"])}
    petitions = seed_petitions(
        today=dt.date.today(), office=users["office"], team_user=users["team"]
    )
    from .crosscheck import seed_crosscheck

    chain = seed_crosscheck(folder=folder / "crosscheck-data", team_user=users["team"],
                            today=dt.date.today())  # fmt: skip
    from .supervision import seed_supervision, summary

    supervision = seed_supervision(today=dt.date.today())  # seed 004, after all the city's work
    from .papers import seed_papers

    papers = seed_papers(today=dt.date.today())  # every finding exists now: papers, recommendations
    from .reviews import seed_reviews
    from .reviews import summary as review_summary

    reviews = seed_reviews(today=dt.date.today())  # seed 004's 745 → 18, after the papers
    from ..checks.selectors import verified_totals
    from ..findings.models import Finding
    from ..rectifications.models import RectificationItem

    t = verified_totals([chain.run])
    print(f"   数据比对：疑点 {t['total']} 条 → 核实属实 {t['confirmed']} 条、违规金额 {t['improper']:,.0f} 元"
          f" → 已追回 {t['recovered']:,.0f} 元（已形成问题并反馈整改）")  # fmt: skip

    print(
        f"   {city.units} 个被巡察单位，{Finding.objects.count()} 个问题，"
        f"{RectificationItem.objects.count()} 项整改事项，{petitions.petitions} 件信访举报（数据在 {folder.resolve()}）"
    )
    print(summary(supervision))
    print(f"   问题底稿 {papers.papers} 份（已完成签署 {papers.signed} 份，未签署 {papers.unsigned} 份），"
          f"意见建议 {papers.recommendations} 条")  # fmt: skip
    print(review_summary(reviews))
    from .risk import summary as risk_summary  # levels computed from the imports (issue 21)

    print(risk_summary())
    from . import worklist as worklist_demo  # the office's monthly task lists (issue 21)

    print(worklist_demo.summary(worklist_demo.seed_worklist(today=dt.date.today())))
    print(f"   演示账户（密码均为 {city.password}）：")
    labels = {"office": "巡察办", "team": "巡察组", "unit": "被巡察单位", "supervisor": "整改督查",
              "leader": "领导", "admin": "系统管理员"}  # fmt: skip
    for role, username in city.accounts.items():
        print(f"     {labels.get(role, role)}：{username}")
    return petitions.open_token
