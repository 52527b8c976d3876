"""CSV records line by line, every physical line accounted for, malformed quotes repaired.

DuckDB reads a well-formed file (:mod:`.text`); this reader takes the rest: a file
whose cells are quoted across lines, mixes line endings, or holds a malformed quote
(DuckDB's strict mode refuses those). A quote that opens a cell but does not close it
as the CSV rules ask (a closing quote followed by the delimiter or the line's end) is
taken as a plain character and the line reported: read leniently, as Python's csv
module and DuckDB's lenient mode do, such a quote swallows every line after it up to
the next quote, and those rows are lost without a word.

A quoted cell may hold line breaks (Excel writes a cell with Alt+Enter so), but a cell
whose first line is already a whole row and whose next lines are whole rows too is a
stray quote, not a cell: those lines are read one by one.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

MAX_SPAN = 50
"""Physical lines one quoted cell may span; a longer "cell" is a stray quote."""

REPAIRED = "引号不成对（单元格以引号开头，却没有在分隔符或行尾前结束），已把引号当作普通字符读取"
"""The problem a repaired line is reported under (with its line number)."""

_QUOTED = re.compile(r'"((?:[^"]|"")*+)"', re.S)
_OK, _OPEN, _BAD = "ok", "open", "bad"


@dataclass(slots=True)
class Record:
    line: int  # the physical line it starts on (1-based)
    end: int  # the physical line it ends on
    fields: list[str] = field(default_factory=list)
    repaired: bool = False  # a malformed quote was read as a plain character


def split_record(text: str, delim: str, literal: bool = False) -> tuple[list[str], str]:
    """The cells of ``text`` (one record, without its line ending) and whether it is
    complete ("ok"), ends inside a quoted cell ("open") or has a quoted cell followed by
    something other than the delimiter ("bad"). With ``literal``, a quote that does not
    open a well-formed cell is a plain character and the result is always "ok"."""
    fields: list[str] = []
    pos, n = 0, len(text)
    while True:
        stop = -1
        if pos < n and text[pos] == '"':
            m = _QUOTED.match(text, pos)
            if m is not None:
                after = text.find(delim, m.end())
                after = n if after < 0 else after
                if not text[m.end() : after].strip(" "):  # only spaces before the delimiter
                    fields.append(m.group(1).replace('""', '"'))
                    stop = after
                elif not literal:
                    return fields, _BAD
            elif not literal:
                return fields, _OPEN
        if stop < 0:
            stop = text.find(delim, pos)
            stop = n if stop < 0 else stop
            fields.append(text[pos:stop])
        if stop >= n:
            return fields, _OK
        pos = stop + 1
        if pos == n:  # a delimiter ends the line: one more, empty cell
            fields.append("")
            return fields, _OK


def _text(line: str) -> str:
    """A physical line without its ending (\\n or \\r\\n)."""
    if line.endswith("\n"):
        line = line[:-1]
    return line[:-1] if line.endswith("\r") else line


class _Lines:
    """Numbered physical lines, with lines taken ahead put back."""

    def __init__(self, lines: Iterable[str], first: int) -> None:
        self._it = enumerate(lines, first)
        self._back: deque[tuple[int, str]] = deque()

    def __iter__(self) -> Iterator[tuple[int, str]]:
        return self

    def __next__(self) -> tuple[int, str]:
        return self._back.popleft() if self._back else next(self._it)

    def put_back(self, taken: list[tuple[int, str]]) -> None:
        self._back.extendleft(reversed(taken))


def read_records(lines: Iterable[str], delim: str, full: int, first: int = 1) -> Iterator[Record]:
    """Every record of ``lines`` (physical lines with their endings, numbered from
    ``first``). ``full`` is the number of cells in a whole row (the header's): it tells a
    stray quote from a cell holding line breaks. Together the records cover every line
    exactly once."""
    source = _Lines(lines, first)
    for no, line in source:
        text = _text(line)
        if '"' not in text:
            yield Record(no, no, text.split(delim))
            continue
        yield _record(source, no, line, text, delim, full)


def _spanning(source: _Lines, no: int, line: str, delim: str, full: int) -> Record | None:
    """The record whose quoted cell opens on line ``no`` and closes on a later line, or
    None (the lines taken ahead put back) if it is no such record: the cell would span
    more than MAX_SPAN lines, or the quote is stray (the line it opens on is a whole row
    by itself, and so is a line it would swallow; seen at the first such line, so a
    stray quote costs one line of lookahead)."""
    taken: list[tuple[int, str]] = []
    joined = line
    stray_if_whole = _whole(line, delim, full)
    for nxt in source:
        taken.append(nxt)
        if stray_if_whole and _whole(nxt[1], delim, full):
            break
        joined += nxt[1]
        fields, state = split_record(_text(joined), delim)
        if state == _OK:
            return Record(no, nxt[0], fields)
        if state != _OPEN or len(taken) >= MAX_SPAN - 1:
            break
    source.put_back(taken)
    return None


def _whole(line: str, delim: str, full: int) -> bool:
    """Whether a line by itself, quotes as plain characters, holds a whole row's cells."""
    return len(split_record(_text(line), delim, literal=True)[0]) >= max(full, 2)


@dataclass
class Mended:
    """What :func:`mend` wrote: one line per record (a cell holding line breaks keeps
    them), and where the records are in the file it read."""

    records: int = 0
    repaired: list[int] = field(default_factory=list)  # lines whose stray quote was mended
    shifts: dict[int, int] = field(default_factory=dict)  # record k on: lines added after it
    continued: int = 0  # further lines of cells holding line breaks
    multiline: bool = False  # some record holds a line break (DuckDB reads it serially)


def mend(
    lines: Iterable[str], out: TextIO, delim: str, full: int, width: int, first: int
) -> Mended:
    """Write ``lines`` (numbered from ``first``) to ``out`` as a CSV DuckDB's strict reader
    takes, one record per line in the same order: well-formed lines as they are, a line
    with a stray quote with that quote as a plain character (quoted again properly), an
    empty line as one delimiter (a blank row), every line ending as \\n, and no record
    wider than ``width`` cells. Python touches each line once, C does the rest."""
    well = _well_formed(delim)
    done = Mended()
    buf: list[str] = []
    source = _Lines(lines, first)
    for no, line in source:
        text = _text(line)
        if (
            ('"' not in text or well.fullmatch(text))
            and "\r" not in text
            and text.count(delim) < width
        ):
            buf.append(text or delim)
        else:
            rec = _record(source, no, line, text, delim, full)
            buf.append(_joined(rec.fields[:width], delim))
            if rec.repaired:
                done.repaired.append(no)
            if rec.end > no:
                done.continued += rec.end - no
                done.shifts[done.records + 2] = done.continued
                done.multiline = True
            elif "\r" in text:
                done.multiline = True
        done.records += 1
        if len(buf) >= 4096:
            out.write("\n".join(buf) + "\n")
            buf.clear()
    if buf:
        out.write("\n".join(buf) + "\n")
    return done


def _record(source: _Lines, no: int, line: str, text: str, delim: str, full: int) -> Record:
    """The record starting on line ``no`` (:func:`read_records`' step)."""
    fields, state = split_record(text, delim)
    if state == _OK:
        return Record(no, no, fields)
    if state == _OPEN and (record := _spanning(source, no, line, delim, full)):
        return record
    return Record(no, no, split_record(text, delim, literal=True)[0], repaired=True)


def _joined(fields: list[str], delim: str) -> str:
    """One CSV record: a cell holding the delimiter, a quote or a line break quoted."""
    special = (delim, '"', "\n", "\r")
    return (
        delim.join(
            '"' + f.replace('"', '""') + '"' if any(s in f for s in special) else f for f in fields
        )
        or '""'
    )


def _well_formed(delim: str) -> re.Pattern[str]:
    """A line DuckDB's strict reader takes as one record as it is: each cell quoted
    properly (spaces may follow the closing quote), or unquoted and not starting with
    a quote (a quote later in it is a plain character)."""
    d = re.escape(delim)
    cell = rf'(?:"(?:[^"]|"")*+" *|[^"{d}][^{d}]*|)'
    return re.compile(rf"{cell}(?:{d}{cell})*")
