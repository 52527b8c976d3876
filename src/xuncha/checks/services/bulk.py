"""The suspects of a run into the database in one statement stream."""

from __future__ import annotations

from typing import Any

from django.db import connection, models

from xuncha.crosscheck.engine import HIT_SCHEMA

from ..models import CheckRun, Suspect, Verdict

# The suspect's columns the engine fills (named as in its hits), and how each is sent
# to the database: text never NULL, decimals and dates as text (SQLite binds neither).
_HIT_FIELDS = [f for f in Suspect._meta.concrete_fields if f.column in HIT_SCHEMA.names]
_TEXT = {f.column for f in Suspect._meta.concrete_fields
         if isinstance(f, models.CharField | models.TextField)}  # fmt: skip


def suspects_insert(run: CheckRun, hits: Any) -> None:
    """Insert the hits as pending suspects in one statement stream (COPY on PostgreSQL);
    the verification of suspects found before is carried afterwards
    (:func:`.verification.verification_carry`)."""
    import duckdb

    con = duckdb.connect()
    try:
        con.register("hits", hits)
        picked = {
            "run_id": str(run.pk),
            "number": "row_number() OVER ()",
            "key": "md5(concat_ws('|', rule, file, sheet, \"row\", id_number, amount, payment_date))",
            "verdict": f"'{Verdict.PENDING}'",
            "note": "''",
            "version": "0",
        }
        for f in _HIT_FIELDS:
            as_text = isinstance(f, models.DecimalField | models.DateField)
            picked[f.column] = f'CAST("{f.column}" AS VARCHAR)' if as_text else f'"{f.column}"'
        for c in picked.keys() & _TEXT:
            picked[c] = f"coalesce(CAST({picked[c]} AS VARCHAR), '')"
        select = ", ".join(f"{expr} AS {c}" for c, expr in picked.items())
        table = con.sql(f"SELECT {select} FROM hits").to_arrow_table()
    finally:
        con.close()
    _bulk_insert(Suspect._meta.db_table, table)


def _bulk_insert(table: str, data: Any) -> None:
    """Insert an Arrow table: COPY for PostgreSQL, executemany for SQLite."""
    cols = list(data.column_names)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            import io

            import pyarrow.csv as pacsv

            buf = io.BytesIO()
            pacsv.write_csv(data, buf, pacsv.WriteOptions(include_header=False))
            text_cols = ", ".join(c for c in cols if c in _TEXT)
            sql = (f"COPY {table} ({', '.join(cols)}) FROM STDIN "
                   f"(FORMAT csv, FORCE_NOT_NULL ({text_cols}))")  # fmt: skip
            with cursor.cursor.copy(sql) as copy:
                copy.write(buf.getvalue())
            return
        marks = ", ".join(["%s"] * len(cols))
        columns = [data.column(c).to_pylist() for c in cols]
        cursor.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
            list(zip(*columns, strict=True)),
        )
