"""The command line: a thin layer, every command documented with an example."""

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import write_csv
from test_supervise import children as child_processes
from xuncha.cli import build_parser, main, reference_markdown
from xuncha.commands import COMMANDS
from xuncha.common.jobs import pid_alive
from xuncha.crosscheck.idnumber import make_id


@pytest.mark.parametrize("command", [c.name for c in COMMANDS])
def test_every_command_has_help_with_an_example(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "例如：xuncha " + command in capsys.readouterr().out


def test_check_as_the_readme_shows(tmp_path: Path) -> None:
    dead = make_id("431003", dt.date(1940, 1, 2), 123)
    for name in ("2021年1.csv", "2021年2.csv"):
        write_csv(
            tmp_path / name,
            ["姓名,身份证号码,发放金额,发放日期", f"张三,{dead},600,2021-0{name[-5]}-05"],
        )
    write_csv(
        tmp_path / "苏仙区.csv",
        ["姓名,身份证号码,发放金额,发放日期", f"李四,{dead[:-1]}0,600,2021-03-05"],
    )
    write_csv(tmp_path / "死亡.csv", ["姓名,身份证号码,死亡日期", f"张三,{dead},2020-01-01"])
    write_csv(tmp_path / "供养.csv", ["姓名,身份证号码,入职时间", "某,1,2001-01-01"])
    # A shell glob expands to several files after one option.
    cmd = "xuncha check --payments 2021*.csv 苏仙区*.csv --deaths 死亡.csv --payroll 供养.csv --standard 600 --out 结果"
    done = subprocess.run(
        ["bash", "-c", cmd], cwd=tmp_path, capture_output=True, text=True,
        env={"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
             "PYTHONPROFILEIMPORTTIME": "1"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "死亡后仍领取" in done.stdout
    assert (tmp_path / "结果" / "hits.csv").exists()
    # pandas (installed here for the tests and the benchmark baseline) is never loaded by
    # a check: pyarrow imports it, a second and a half, whenever it converts Python values.
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert "pandas" not in imported and "xuncha.crosscheck.engine" in imported


def test_missing_file_is_a_usage_error_in_chinese(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["check", "--payments", str(tmp_path / "无.csv"), "--out", str(tmp_path)])
    assert done.value.code == 2
    assert "文件不存在" in capsys.readouterr().err


def test_nothing_checked_exits_non_zero(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    assert main(["check", "--payments", str(empty), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "无法比对" in err and "Traceback" not in err and "以前的结果" not in err
    (tmp_path / "o").mkdir()
    (tmp_path / "o" / "hits.csv").write_text("old")
    assert main(["check", "--payments", str(empty), "--out", str(tmp_path / "o")]) == 1
    assert "hits.csv 是以前的结果，不是这一次的" in capsys.readouterr().err


def test_bad_standard(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(
            ["check", "--payments", __file__, "--standard", "六百", "--out", "x"]
        )
    assert "不是有效的金额" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out"], "选项 --out 后面需要一个值"),
        (["--rules", "无此规则"], "选项 --rules 的值 '无此规则' 无效（可选："),
        (["--grace-days", "-3"], "选项 --grace-days：死亡后宽限天数不能为负数：「-3」"),
        (["--grace-days", "99999999999999999999"], "死亡后宽限天数过大"),
        (["--grace-days", "1.5"], "死亡后宽限天数应是整数"),
        (["--standard", "NaN"], "发放标准应是一个有限的金额，而不是「NaN」"),
        (["--standard", "Infinity"], "发放标准应是一个有限的金额，而不是「Infinity」"),
        (["--standard=-Infinity"], "发放标准应是一个有限的金额"),
        (["--standard", "1e999999"], "发放标准过大"),
        (["--standard", "0"], "发放标准应大于 0"),
        (["--standard", "600.001"], "发放标准最多两位小数"),
        (["--out", __file__], "已有同名的文件，不能作为输出目录"),
        (["--out", f"{__file__}/sub"], "是文件，不能在其中建立输出目录"),
        (["--bogus"], "无法识别的参数：--bogus"),
    ],
)
def test_usage_errors_in_chinese_before_any_work(args, message, capsys) -> None:
    with pytest.raises(SystemExit) as done:
        main(["check", "--payments", __file__, "--out", "x", *args])
    assert done.value.code == 2
    err = capsys.readouterr().err
    assert message in err and "用法：用法：" not in err and "argument" not in err


def test_wildcards_expanded_where_the_shell_did_not(tmp_path: Path, capsys) -> None:
    dead = make_id("431003", dt.date(1940, 1, 2), 123)
    for month in (1, 2):
        write_csv(tmp_path / f"2021年{month}.csv",
                  ["姓名,身份证号码,发放金额,发放日期", f"张三,{dead},600,2021-0{month}-05"])  # fmt: skip
    out = tmp_path / "o"
    assert main(["check", "--payments", str(tmp_path / "2021*.csv"), "--out", str(out)]) == 0
    assert "重复领取　　　　        2 条" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["check", "--payments", str(tmp_path / "2022*.csv"), "--out", str(out)])
    assert "没有与" in capsys.readouterr().err


def test_mapping_file_mistakes_are_named(tmp_path: Path, capsys) -> None:
    payments = write_csv(tmp_path / "a.csv", ["姓名,身份证号码", "张三,1"])
    for text, message in [
        ('{"columns": ["收款人"]}', "columns 应是“列名: 角色”的对象"),
        ('{"colums": {}}', "有未知的键 colums"),
        ('{"files": {"a.csv": {"header_row": "三"}}}', "header_row 应是表头最后一行的行号"),
    ]:
        mapping = tmp_path / "m.json"
        mapping.write_text(text, encoding="utf-8")
        argv = ["check", "--payments", str(payments), "--mapping", str(mapping)]
        assert main([*argv, "--out", str(tmp_path / "o")]) == 1
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err


def test_formula_like_cells_are_defused_in_hits_csv(tmp_path: Path) -> None:
    payments = write_csv(tmp_path / "a.csv", ["姓名,身份证号码,金额", '"=HYPERLINK(""x"")",12,600'])
    assert main(["check", "--payments", str(payments), "--out", str(tmp_path / "o")]) == 0
    text = (tmp_path / "o" / "hits.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_cli_reference_is_current(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    expected = (Path(__file__).parents[1] / "docs" / "cli.md").read_text(encoding="utf-8")
    assert reference_markdown() == expected, "docs/cli.md is stale: run `make docs`"


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL])
def test_serve_starts_a_job_worker_that_stops_with_it(tmp_path: Path, how: int) -> None:
    """`xuncha serve` runs the background-job worker as its child; stopping the server,
    even by SIGKILL, stops the worker (no orphan left working the queue)."""
    env = {**os.environ, "XUNCHA_DATA_DIR": str(tmp_path), "XUNCHA_SETTINGS": "base"}
    env.pop("XUNCHA_DATABASE_URL", None)
    env.pop("XUNCHA_QUEUE_URL", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen([sys.executable, "-m", "xuncha", "serve", "--port", "0"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    try:
        worker = None
        deadline = time.monotonic() + 60
        while worker is None and time.monotonic() < deadline:
            children = child_processes(server.pid)  # started on the supervising thread
            worker = int(children[0]) if children else None
            time.sleep(0.2)
        assert worker is not None, "no worker process was started"
        assert "worker" in Path(f"/proc/{worker}/cmdline").read_bytes().decode()
        time.sleep(2)  # the worker is up
        server.send_signal(how)
        server.wait(timeout=30)
        deadline = time.monotonic() + 30
        while pid_alive(f"{socket.gethostname()}:{worker}") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not pid_alive(f"{socket.gethostname()}:{worker}"), "the worker outlived the server"
    finally:
        if server.poll() is None:
            server.kill()


def _immutable(folder: Path) -> bool:
    """Make ``folder`` unwritable even for root (these tests may run as root, to whom
    permission bits mean nothing): the immutable attribute of ext4."""
    folder.mkdir()
    return subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode == 0


@pytest.mark.parametrize("where", ["/sys/xuncha-out/结果", "immutable"])
def test_an_unwritable_out_is_refused_before_any_work(tmp_path: Path, where: str, capsys) -> None:
    payments = write_csv(tmp_path / "a.csv", ["姓名,身份证号码,金额", "张三,1,600"])
    out = Path(where)
    if where == "immutable":
        out = tmp_path / "只读"
        if not _immutable(out):
            out.chmod(0o555)
    try:  # refused by the option's check (exit 2) or by trying to write there (exit 1)
        try:
            code = main(["check", "--payments", str(payments), "--out", str(out)])
        except SystemExit as usage:
            code = usage.code
        captured = capsys.readouterr()
        assert (code, "没有权限在" in captured.err) == (2, True) or (
            code == 1
            and f"输出目录「{out}」无法写入" in captured.err
            and "未开始比对" in captured.err
        ), captured.err
        assert "读取" not in captured.out and "Traceback" not in captured.err  # no work done
    finally:
        subprocess.run(["chattr", "-i", str(out)], capture_output=True)
    assert not Path("/sys/xuncha-out").exists()


def test_demo_puts_its_workbench_where_xuncha_data_dir_says(tmp_path: Path) -> None:
    env = {**os.environ, "XUNCHA_DATA_DIR": str(tmp_path / "site"), "XUNCHA_SETTINGS": "base"}
    for name in ("XUNCHA_DATABASE_URL", "XUNCHA_QUEUE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    argv = [sys.executable, "-m", "xuncha", "demo", "--no-serve", "--payments", "300", "--out", "o"]
    first = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert first.returncode == 0, first.stderr[-2000:]
    assert (tmp_path / "site" / "xuncha.sqlite3").exists() and (tmp_path / "o" / "report").is_dir()
    assert not (tmp_path / "o" / "workbench").exists()
    # A data folder that already has accounts is never seeded over.
    again = subprocess.run(argv, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert again.returncode == 1 and "已有账户，演示不会写入已有的数据" in again.stderr
    assert "Traceback" not in again.stderr
