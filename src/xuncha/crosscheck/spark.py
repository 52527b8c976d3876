"""The Spark engine (``engine="spark"``): the same rules, on Apache Spark.

Files are read and normalised once, by the same ingest and normalisation code as the
DuckDB engine; the normalised rows (``norm``) are written as Parquet to a folder every
Spark executor can read (``spark_stage``: local mode takes a temporary folder; a
cluster needs a shared path). Spark then runs the linking and the rules — the same SQL,
through :class:`~xuncha.crosscheck.dialect.SparkDialect` — and the hits come back as
Arrow, conformed to the engine's hit schema. Executors run SQL only (no Python
functions), so they need Spark alone, not this package (docs/spark.md).
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dialect import lit
from .errors import InputError

if TYPE_CHECKING:
    import duckdb

    from .engine import CheckConfig
    from .sqlsession import SparkSession

# Spark settings for these queries: ANSI mode off (a failed cast is NULL, as in
# DuckDB's TRY_CAST), no UI, quiet logs.
DEFAULT_CONF = {
    "spark.sql.ansi.enabled": "false",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
}


def spark_session(master: str = "local[*]", conf: dict[str, str] | None = None) -> Any:
    """The Spark session for ``master`` (an existing one is reused: Spark allows one
    per process)."""
    try:
        from pyspark.sql import SparkSession as PySparkSession
    except ImportError as err:  # pragma: no cover - the extra is installed by make install
        raise InputError(
            "未安装 Spark 引擎：请安装 xuncha[spark]（pip install 'xuncha[spark]'），"
            "并确认本机有 Java 17 或更高版本。"
        ) from err
    settings = {**DEFAULT_CONF, **(conf or {})}
    if master.startswith("local"):  # Spark's 200 shuffle partitions are for clusters
        settings.setdefault("spark.sql.shuffle.partitions", str(2 * (os.cpu_count() or 2)))
    builder = PySparkSession.builder.master(master).appName("xuncha check")
    for key, value in settings.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as err:  # no Java, a master that does not answer …
        raise InputError(
            f"无法启动 Spark（{master}）：{str(err).strip().splitlines()[0][:200]}。"
            "请确认已安装 Java 17 或更高版本，主节点地址正确。"
        ) from err
    session.sparkContext.setLogLevel("OFF")  # errors reach Python as exceptions
    for key, value in settings.items():  # a reused session gets the SQL settings too
        if key.startswith("spark.sql."):
            session.conf.set(key, value)
    return session


def spark_stage(con: duckdb.DuckDBPyConnection, config: CheckConfig, tmp: Path) -> SparkSession:
    """Write ``norm`` as Parquet where Spark can read it; return a session over it."""
    from .sqlsession import SparkSession

    base = Path(config.spark_stage) if config.spark_stage else tmp
    folder = base / f"xuncha-norm-{uuid.uuid4().hex[:12]}"
    folder.mkdir(parents=True)
    # HUGEINT has no Parquet type: the two 19-digit columns travel as DECIMAL(38, 0).
    con.execute(
        f"""COPY (SELECT * REPLACE (CAST(id_value AS DECIMAL(38, 0)) AS id_value,
                                    CAST(id_tolerance AS DECIMAL(38, 0)) AS id_tolerance)
                  FROM norm)
            TO {lit(folder.as_posix())} (FORMAT parquet, PER_THREAD_OUTPUT true,
                                      ROW_GROUP_SIZE 500000)"""
    )
    spark = spark_session(config.spark_master, config.spark_conf)
    spark.read.parquet(str(folder)).createOrReplaceTempView("norm")
    return SparkSession(spark, stage=folder)
