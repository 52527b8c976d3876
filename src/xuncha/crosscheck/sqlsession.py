"""Where the linking and the rules run: a DuckDB connection or a Spark session, behind
the few operations they need (make a table from a query, make a view, read a result
as Arrow). With :mod:`.dialect`, this is all that differs between the engines."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from .dialect import DuckDBDialect, SparkDialect


class SqlSession(Protocol):
    @property
    def dialect(self) -> DuckDBDialect: ...

    def table(self, name: str, sql: str) -> None:
        """Materialise the result of ``sql`` as ``name`` (replacing it)."""

    def view(self, name: str, sql: str) -> None:
        """``name`` stands for ``sql`` (computed where it is used)."""

    def release(self, *names: str) -> None:
        """Free intermediate tables early where the engine can."""

    def rows(self, sql: str) -> list[tuple[Any, ...]]: ...

    def load(self, name: str, data: pa.Table) -> None:
        """A small table from Python (a legal standard's rates) as table ``name``."""

    def arrow(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        """The result of ``sql`` with ``params`` bound to its named markers
        (``dialect.param(name)``)."""

    def close(self) -> None:
        """Drop what the run left (the caller's connection or session stays open)."""


class DuckDBSession:
    def __init__(self, con: Any) -> None:
        self.con = con
        self.dialect = DuckDBDialect()

    def table(self, name: str, sql: str) -> None:
        # The very statement `xuncha rules --sql` prints (Spark's differs: see below).
        self.con.execute(self.dialect.create_table(name, sql))

    def view(self, name: str, sql: str) -> None:
        self.con.execute(f"CREATE OR REPLACE VIEW {name} AS {sql}")

    def release(self, *names: str) -> None:
        for name in names:
            self.con.execute(f"DROP TABLE IF EXISTS {name}")

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return list(self.con.execute(sql).fetchall())

    def load(self, name: str, data: pa.Table) -> None:
        self.con.register(f"_{name}_arrow", data)
        self.con.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT * FROM _{name}_arrow")
        self.con.unregister(f"_{name}_arrow")

    def arrow(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        return self.con.sql(sql, params=params or None).to_arrow_table()

    def close(self) -> None:
        pass  # the connection and its tables go with the run's temporary database


class SparkSession:
    """Tables are DataFrames checkpointed on the executors (``localCheckpoint``: computed
    once, kept in memory and spilled to disk, their lineage cut), each registered as a
    temporary view. Cutting the lineage matters: without it every query that names a
    table would plan again everything the table was made from."""

    def __init__(self, spark: Any, stage: Path | None = None) -> None:
        self.spark = spark
        self.stage = stage  # the Parquet folder this run wrote, removed on close
        self.dialect = SparkDialect()
        self.frames: dict[str, Any] = {}
        self.views: list[str] = []

    def table(self, name: str, sql: str) -> None:
        self.release(name)
        self.frames[name] = self.spark.sql(sql).localCheckpoint(eager=True)
        self.frames[name].createOrReplaceTempView(name)

    def view(self, name: str, sql: str) -> None:
        self.spark.sql(f"CREATE OR REPLACE TEMPORARY VIEW {name} AS {sql}")
        self.views.append(name)

    def release(self, *names: str) -> None:
        for name in names:
            frame = self.frames.pop(name, None)
            if frame is not None:
                frame.unpersist()
                self.spark.catalog.dropTempView(name)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.spark.sql(sql).collect()]

    def load(self, name: str, data: pa.Table) -> None:
        self.release(name)
        self.frames[name] = self.spark.createDataFrame(data)
        self.frames[name].createOrReplaceTempView(name)

    def arrow(self, sql: str, params: dict[str, Any] | None = None) -> pa.Table:
        return self.spark.sql(sql, args=params or None).toArrow()

    def close(self) -> None:
        self.release(*self.frames)
        for name in [*self.views, "norm"]:
            self.spark.catalog.dropTempView(name)
        if self.stage is not None:
            shutil.rmtree(self.stage, ignore_errors=True)
