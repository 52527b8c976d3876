"""The inspection report of a unit with 200 findings (issue 19: under 5 s) and its PDF.

Creates a fresh database (SQLite in memory by default, as the tests; PostgreSQL when
``XUNCHA_DATABASE_URL`` is set, its ``test_`` copy), fills one inspected unit with
``--findings`` findings across the three focuses, each with two evidence files, a working
paper signed three times citing two of the team's 40 talks, plus leads, petitions and
recommendations. Then times, each the median of ``--runs`` runs:

- the report as ``render_documents(kind="report")`` returns it (data read, context
  built, the Report row kept, the template fetched, the DOCX rendered), and its parts:
  the context alone, the docxtpl rendering alone, fetching the template (the shipped
  one is built on each call);
- the PDF conversion of that DOCX through ``to_pdf`` (LibreOffice headless).

Baselines in the same invocation: python-docx writing the same number of plain
paragraphs with the same text (no template, no styles), and LibreOffice converting a
one-line file (its start-up, which every conversion pays); each figure is printed with
its ratio to its baseline.

    python bench/bench_docs.py [--findings 200] [--runs 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ["DJANGO_SETTINGS_MODULE"] = "xuncha.config.settings.test"

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_SECONDS = 5.0
TODAY = dt.date(2025, 6, 20)


def fill(n: int) -> tuple[Any, Any]:
    """One unit of a round with ``n`` findings, all signed; returns (round, unit)."""
    from django.utils import timezone

    from xuncha.accounts.models import Role, User
    from xuncha.common.models import Evidence
    from xuncha.findings.choices import Category, Receiver, Source, Subcategory
    from xuncha.findings.models import Finding, Lead, Recommendation, Talk, WorkingPaper
    from xuncha.planning.models import Assignment, Cadre, MemberRole, Round, Team, TeamMember, Term
    from xuncha.units.models import Unit, UnitKind

    unit = Unit.objects.create(name="东江街道", code="B000001", kind=UnitKind.TOWNSHIP)
    term = Term.objects.create(name="第十二届", start_year=2022, end_year=2026)
    rnd = Round.objects.create(term=term, number=1, name="第一轮巡察", start_date=dt.date(2025, 3, 1),
                               end_date=dt.date(2025, 5, 31))  # fmt: skip
    team = Team.objects.create(round=rnd, name="第一巡察组")
    Assignment.objects.create(round=rnd, team=team, unit=unit)
    user = User.objects.create_user("team", password="x", role=Role.TEAM)
    cadres = [
        Cadre.objects.create(name=name, home_unit=unit) for name in ("张组长", "王副组长", "李承办")
    ]
    for cadre, role in zip(
        cadres, (MemberRole.LEADER, MemberRole.DEPUTY, MemberRole.MEMBER), strict=True
    ):
        TeamMember.objects.create(team=team, cadre=cadre, role=role)
    work = {"round": rnd, "team": team, "unit": unit, "recorded_by": user}
    talks = Talk.objects.bulk_create(
        [Talk(**work, talk_on=dt.date(2025, 3, 2) + dt.timedelta(days=i), interviewee=f"谈话对象{i}", position="村干部",
              summary="谈话要点") for i in range(40)]
    )  # fmt: skip
    subs = [s for s, _ in Subcategory.choices]
    findings = Finding.objects.bulk_create([
        Finding(**work, category=subs[i % len(subs)].split(".")[0], subcategory=subs[i % len(subs)],
                description=f"第{i + 1}个问题：某村虚报冒领惠民资金，相关人员审核把关不严，资金长期未追回。",
                source=Source.CROSSCHECK, amount=Decimal(1000 + 37 * i) / 4,
                basis="违反《中国共产党纪律处分条例》第一百一十八条及《惠民惠农财政补贴资金管理办法》第十二条。",
                responsible="村党组织书记负主要领导责任，村报账员负直接责任。")
        for i in range(n)
    ])  # fmt: skip
    assert {f.category for f in findings} == set(Category.values)
    evidence = Evidence.objects.bulk_create([
        Evidence(file=f"evidence/00/{i}", original_name=f"证据{i}.pdf", content_type="application/pdf",
                 size=1024 + i, sha256=f"{i:064x}", uploaded_by=user)
        for i in range(2 * n)
    ])  # fmt: skip
    through = Finding.evidence.through
    through.objects.bulk_create([
        through(finding_id=f.pk, evidence_id=evidence[2 * i + k].pk)
        for i, f in enumerate(findings) for k in (0, 1)
    ])  # fmt: skip
    now = timezone.now()
    papers = WorkingPaper.objects.bulk_create([
        WorkingPaper(finding=f, number=f"2025-1-1-{i + 1:03d}", handler_signed_by=cadres[2],
                     handler_signed_at=now, deputy_signed_by=cadres[1], deputy_signed_at=now,
                     leader_signed_by=cadres[0], leader_signed_at=now)
        for i, f in enumerate(findings)
    ])  # fmt: skip
    paper_talks = WorkingPaper.talks.through
    paper_talks.objects.bulk_create([
        paper_talks(workingpaper_id=p.pk, talk_id=talks[(i + k) % len(talks)].pk)
        for i, p in enumerate(papers) for k in (0, 1)
    ])  # fmt: skip
    Lead.objects.bulk_create([
        Lead(**work, description=f"线索{i}", handed_to=Receiver.values[i % 2], handed_on=dt.date(2025, 5, 1),
             receiver="接收人", due_on=dt.date(2025, 8, 1), finding=findings[i])
        for i in range(20)
    ])  # fmt: skip
    for c in range(3):
        rec = Recommendation.objects.create(**work, text=f"意见建议{c + 1}", order=c + 1)
        rec.findings.set([f for f in findings if f.category == Category.values[c]])
    return rnd, unit


def median_time(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def paragraphs_of(context: dict[str, Any]) -> list[str]:
    """The report's text as the reader sees it: headings and paragraphs, in order."""
    out: list[str] = [context["doc"]["title"], context["doc"]["addressee"], *context["intro"]]

    def walk(node: dict[str, Any]) -> None:
        out.append(node["heading"])
        out.extend(node["paragraphs"])
        for key in ("subsections", "items", "subitems"):
            for child in node.get(key, []):
                walk(child)

    for section in context["sections"]:
        walk(section)
    return out


def plain_docx(texts: list[str]) -> bytes:
    from docx import Document

    doc = Document()
    for text in texts:
        doc.add_paragraph(text)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def pdf_time(data: bytes, name: str, runs: int) -> tuple[float, int]:
    from pypdf import PdfReader

    from xuncha.documents.official.pdf import to_pdf

    with tempfile.TemporaryDirectory(prefix="bench-docs-") as folder:
        docx = Path(folder) / f"{name}.docx"
        docx.write_bytes(data)
        seconds, pdf = median_time(lambda: to_pdf(docx, Path(folder) / "pdf"), runs)
        return seconds, len(PdfReader(pdf).pages)


def measure(n: int, runs: int) -> None:
    from xuncha.documents.kinds import KINDS, Scope
    from xuncha.documents.official.templates import render, shipped_template
    from xuncha.documents.selectors import round_assignments
    from xuncha.documents.services import render_documents
    from xuncha.documents.store import template_for

    t0 = time.perf_counter()
    rnd, unit = fill(n)
    print(f"  filled in {time.perf_counter() - t0:.1f} s ({connection.vendor})")
    (a,) = round_assignments(round=rnd, unit=unit)
    scope = Scope(assignment=a, today=TODAY, office="中共湘南市委巡察工作领导小组办公室")
    build_s, built = median_time(lambda: KINDS["report"].build(scope), runs)
    context = built.documents[0].context
    template = shipped_template()
    render_s, _ = median_time(lambda: render(template, context), runs)
    template_s, _ = median_time(lambda: template_for("report"), runs)
    report_s, rendered = median_time(
        lambda: render_documents(kind="report", round=rnd, unit=unit, today=TODAY), runs
    )
    (_, data) = rendered.files[0]
    texts = paragraphs_of(context)
    plain_s, plain = median_time(lambda: plain_docx(texts), runs)
    pdf_runs = max(1, min(runs, 3))
    pdf_s, pages = pdf_time(data, "report", pdf_runs)
    start_s, _ = pdf_time(plain_docx(texts[:1]), "one-line", pdf_runs)

    print(f"  {n} findings: {len(texts):,} paragraphs, DOCX {len(data) / 1024:.0f} KB"
          f" (plain: {len(plain) / 1024:.0f} KB), PDF {pages} pages")  # fmt: skip
    print(f"{'':<44}{'seconds':>9}{'÷ baseline':>12}")
    rows = [
        ("report (render_documents, median)", report_s, plain_s),
        ("  context from the data", build_s, plain_s),
        ("  docxtpl rendering", render_s, plain_s),
        ("  the template (store.template_for)", template_s, plain_s),
        ("baseline: python-docx, plain paragraphs", plain_s, plain_s),
        (f"PDF via to_pdf (median of {pdf_runs})", pdf_s, start_s),
        ("baseline: to_pdf of a one-line file", start_s, start_s),
    ]
    for label, seconds, base in rows:
        print(f"{label:<44}{seconds:>9.3f}{seconds / base:>11.1f}×")
    verdict = "OK" if report_s < TARGET_SECONDS else "TOO SLOW"
    print(f"report for {n} findings: {report_s:.2f} s (target < {TARGET_SECONDS:.0f} s): {verdict};"
          f" PDF conversion {pdf_s:.2f} s (a background job)")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        measure(args.findings, args.runs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
