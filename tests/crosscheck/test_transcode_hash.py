"""A GBK file is hashed in the pass that transcodes it (issue 17), and a GBK file given
twice is still read once, the first given kept."""

import hashlib
from pathlib import Path

from helpers import write_csv
from xuncha.crosscheck import check
from xuncha.crosscheck.ingest import SourceReport, identify_source, prepare_source

HEADER = "姓名,身份证号码,金额,发放日期"


def test_gbk_file_is_hashed_while_transcoded(tmp_path: Path, ids: dict[str, str]) -> None:
    path = write_csv(tmp_path / "名单.csv", [HEADER, f"张三,{ids['zhang']},600,2021-1-1"], "gbk")
    report = SourceReport(src=1, path=str(path), file=path.name, dataset="payments")
    prepared = identify_source(report)
    assert prepared.transcode and report.sha256 == ""  # not read a second time to hash
    prepare_source(report, tmp_path, prepared)
    assert prepared.error is None
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_gbk_file_that_fails_to_decode_is_still_named_by_its_hash(tmp_path: Path) -> None:
    path = tmp_path / "坏.csv"
    path.write_bytes((HEADER + "\n张三,1,600,2021-1-1\n").encode("gbk") * 20000 + b"\xff\xff\n")
    report = SourceReport(src=1, path=str(path), file=path.name, dataset="payments")
    prepared = identify_source(report)
    prepare_source(report, tmp_path, prepared)
    assert prepared.error is not None and "编码" in str(prepared.error)
    assert report.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_same_gbk_file_twice_is_counted_once(tmp_path: Path, ids: dict[str, str]) -> None:
    small = write_csv(tmp_path / "a.csv", [HEADER, f"张三,{ids['zhang']},600,2021-1-1"], "gbk")
    copy = tmp_path / "a的副本.csv"
    copy.write_bytes(small.read_bytes())
    # A larger GBK file given between them, and the copy given before a UTF-8 file.
    big = write_csv(
        tmp_path / "b.csv",
        [HEADER] + [f"李四,{ids['li']},50,2021-{m}-1" for m in range(1, 13)],
        "gbk",
    )
    utf8 = write_csv(tmp_path / "c.csv", [HEADER, f"王五,{ids['wang']},600,2021-1-1"])
    result = check({"payments": [small, big, copy, utf8]})
    errors = [(s.file, s.error) for s in result.sources]
    assert [f for f, e in errors if e is None] == ["a.csv", "b.csv", "c.csv"]
    assert errors[2][1] is not None and "与「a.csv」内容完全相同" in errors[2][1]
    assert result.count("duplicate_payment") == 12  # Li's twelve rows; Zhang's once
    assert all(s.sha256 for s in result.sources)
