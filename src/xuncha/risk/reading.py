"""Reading a department's workbook in the sandbox child process (no Django there, decision
0009): a workbook's first sheet, or a CSV in UTF-8 or GBK, as rows of text, with the
sheet's name. Rows keep their Excel numbers: blank rows above the first filled one are
kept (fastexcel drops them unless asked), so 「第 12 行」 is the row the user sees."""

from __future__ import annotations

from xuncha.crosscheck.errors import InputError


def read_isolated(data: bytes, *, name: str) -> tuple[str, list[list[str]]]:
    """(sheet name or "" for a CSV, every row as stripped text), read by
    :func:`xuncha.crosscheck.preview.table_rows` in the sandbox with the "parse" limits;
    a crash or a limit is an InputError naming the file, like any other reason it cannot
    be read."""
    from xuncha import sandbox
    from xuncha.crosscheck.preview import table_rows

    try:
        result: tuple[str, list[list[str]]] = sandbox.run(
            table_rows, data, name=name, keep_top=True, file=name, limits=sandbox.limits("parse")
        )
    except sandbox.FileCrashed as err:
        raise InputError(sandbox.crash_reason(err), file=name) from err
    return result
