"""Run the whole hostile corpus through the CLI and the web upload, outside pytest, and
print the table (case → CLI outcome, web outcome) as Markdown.

    .venv/bin/python tests/hostile/run_corpus.py [--only NAME …] [--no-web] [--no-cli]
        [--skip-huge] [--failing] [--work DIR]

The same runners and judgements as tests/hostile/test_corpus.py.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hostile import cli_runner, make_corpus, web_runner

POOL = 2  # CLI runs at once (the machine is shared; a bomb may take gigabytes)


def cell(fails: list[str] | None, outcome: str) -> str:
    if fails is None:
        return "—"
    verdict = "ok" if not fails else "**FAIL**: " + "; ".join(fails)
    return f"{outcome} — {verdict}".replace("|", "\\|").replace("\n", " ")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", nargs="+")
    p.add_argument("--no-web", action="store_true")
    p.add_argument("--no-cli", action="store_true")
    p.add_argument("--skip-huge", action="store_true")
    p.add_argument("--failing", action="store_true", help="list failing cases only")
    p.add_argument("--work", type=Path, help="keep the corpus and the runs here")
    args = p.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="hostile-"))
    corpus = work / "corpus"
    cases = make_corpus.build(corpus, only=set(args.only or ()), skip_huge=args.skip_huge)
    print(f"corpus: {len(cases)} files in {corpus}", file=sys.stderr)
    cli: dict[str, tuple[list[str], str]] = {}
    web: dict[str, tuple[list[str], str]] = {}
    with ThreadPoolExecutor(POOL) as pool:
        futures = {}
        if not args.no_cli:
            futures = {
                c.name: pool.submit(cli_runner.run_cli, c, corpus, work / "cli") for c in cases
            }
        if not args.no_web:
            with web_runner.Server(work / "web") as server:
                for c in cases:
                    if c.web:
                        r = server.upload_case(c, corpus)
                        web[c.name] = (web_runner.judge(r), r.outcome())
                        print(f"web {c.name}: {web[c.name]}", file=sys.stderr, flush=True)
        for name, future in futures.items():
            r = future.result()
            cli[name] = (cli_runner.judge(r), r.outcome())
            print(f"cli {name}: {cli[name]}", file=sys.stderr, flush=True)
    print(table(cases, cli, web, failing=args.failing))
    return 0


def table(cases, cli, web, *, failing: bool = False) -> str:
    lines = ["| case | expected | CLI | web |", "|---|---|---|---|"]
    bad = 0
    for c in cases:
        got_cli, got_web = cli.get(c.name), web.get(c.name)
        failed = bool((got_cli and got_cli[0]) or (got_web and got_web[0]))
        bad += failed
        if failing and not failed:
            continue
        expect = c.expect + (f" {c.rows} rows" if c.rows is not None else "")
        lines.append(
            f"| {c.name} | {expect} | {cell(*(got_cli or (None, '')))} | "
            f"{cell(*(got_web or (None, '')))} |"
        )
    lines.append(f"\n{bad} of {len(cases)} cases fail somewhere.")
    return "\n".join(lines)


if __name__ == "__main__":
    from hostile import run_corpus

    sys.exit(run_corpus.main())
