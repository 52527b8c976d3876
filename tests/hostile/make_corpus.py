"""Write the hostile-file corpus (issue 15) into a folder, with ``corpus.json`` saying
what each file is and what must become of it.

    python tests/hostile/make_corpus.py OUT_DIR [--only NAME ...] [--skip-huge]

Deterministic: the same bytes every time. Nothing is committed but this script (and
the case modules it imports); the test suite generates the corpus into a temporary
folder. The 200 MB single line and the 1 GB zip bomb are streamed to disk, never held
in memory.

Each case's expected outcome is one of:

- ``read``: the file is read; every data line is accounted for, used or skipped with
  a reason (``rows`` is the number of non-blank lines under the header);
  ``problems`` is the least number of rows the manifest must report as data problems
  (formula cells without a value, error cells, unreadable dates and amounts…).
- ``refused``: the file is refused with a Chinese message naming it (and holding the
  case's ``says``, such as the line at fault); nothing is kept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``hostile`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@dataclass
class Case:
    name: str  # a short identifier (test id)
    file: str  # the file's name in the corpus folder (may itself be hostile)
    what: str  # what the file is, in a sentence
    expect: str  # "read" or "refused"
    rows: int | None = None  # for "read": the data lines under the header
    problems: int = 0  # for "read": at least this many rows reported as data problems
    web: bool = True  # False: not a regular file (FIFO, symlink), the CLI only
    # "refused" files without a recognisable header: the web upload may keep them for
    # the user to map the columns by hand, if the dataset page then says what is wrong
    web_flag_ok: bool = False
    huge: bool = False  # hundreds of megabytes on disk or when unpacked
    says: list[str] = field(default_factory=list)  # for "refused": words the message must hold
    tags: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        assert self.expect in ("read", "refused"), self.expect
        assert (self.rows is not None) == (self.expect == "read"), self.name


Builder = Callable[[Path], None]
CASES: list[tuple[Case, Builder]] = []


def case(name: str, file: str, what: str, expect: str, **extra: object):
    """Register a builder ``fn(path)`` writing the file of one case."""

    def register(fn: Builder) -> Builder:
        CASES.append((Case(name, file, what, expect, **extra), fn))  # type: ignore[arg-type]
        return fn

    return register


def _load_cases() -> None:
    if not CASES:
        from hostile import corpus_excel, corpus_text  # noqa: F401  (they register cases)


def all_cases() -> list[Case]:
    _load_cases()
    return [c for c, _ in CASES]


def build(out: Path, *, only: set[str] | None = None, skip_huge: bool = False) -> list[Case]:
    """Write the corpus into ``out`` (created); return the cases written, and write
    their descriptions to ``out/corpus.json``."""
    _load_cases()
    out.mkdir(parents=True, exist_ok=True)
    written = []
    names = [c.name for c, _ in CASES]
    assert len(names) == len(set(names)), "duplicate case names"
    for c, fn in CASES:
        if (only and c.name not in only) or (skip_huge and c.huge):
            continue
        folder = out / c.name  # one folder per case: file names may repeat or be odd
        folder.mkdir(exist_ok=True)
        fn(folder / c.file)
        written.append(c)
    (out / "corpus.json").write_text(
        json.dumps([asdict(c) for c in written], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, nargs="?", help="the folder to write into")
    parser.add_argument("--only", nargs="+", help="only these cases (by name)")
    parser.add_argument("--skip-huge", action="store_true", help="leave out the huge cases")
    parser.add_argument("--list", action="store_true", help="list the cases and exit")
    args = parser.parse_args(argv)
    if args.list:
        for c in all_cases():
            print(f"{c.name:28} {c.expect:8} {c.what}")
        return 0
    if args.out is None:
        parser.error("give the folder to write into (or --list)")
    cases = build(args.out, only=set(args.only or ()), skip_huge=args.skip_huge)
    print(f"{len(cases)} files written to {args.out}")
    return 0


if __name__ == "__main__":  # the case modules register into ``hostile.make_corpus``
    from hostile import make_corpus

    sys.exit(make_corpus.main())
