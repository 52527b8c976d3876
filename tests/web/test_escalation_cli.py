"""`xuncha escalation`: the county shows and writes its public key and exports a hop's
bundle; the city registers the key and imports the bundle once (a second import
changes nothing; a damaged one is refused with its reason, exit 1)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from web.factories import FindingFactory
from web.test_escalation import Installations
from xuncha.cli import main
from xuncha.escalation import bundle as fmt
from xuncha.escalation import keys, services
from xuncha.escalation.models import ReceivedBundle, TrustedSender


@pytest.fixture
def two(settings: Any, tmp_path: Path) -> Installations:
    return Installations(settings, tmp_path / "installations")


def test_key_trust_export_import(
    world: Any, two: Installations, tmp_path: Path, capsys: Any
) -> None:
    office = world.users["office"]
    two.be("county", "苏仙区委巡察办", "county", office)
    finding = FindingFactory(team=world.team, round=world.team.round, unit=world.unit)
    major = services.major_mark(finding=finding, reason="重大", by=office)
    services.escalate(major=major, to_level="city", to_office="郴州市委巡察办", by=office)
    pub, package = tmp_path / "苏仙.pub", tmp_path / "包" / "呈报包.zip"
    assert main(["escalation", "key", "--out", str(pub)]) == 0
    out = capsys.readouterr().out
    assert (
        f"指纹：{fmt.spaced(keys.own_fingerprint())}" in out and "苏仙区委巡察办" in pub.read_text()
    )
    assert main(["escalation", "export", "--finding", str(finding.pk), "--by", world.users["leader"].username,
                 "--out", str(package)]) != 0  # fmt: skip
    assert "不是有效的巡察办账号" in capsys.readouterr().err and not package.exists()
    assert main(["escalation", "export", "--finding", str(finding.pk), "--by", office.username,
                 "--out", str(package)]) == 0  # fmt: skip
    assert "已导出呈报包" in capsys.readouterr().out
    two.be("city", "郴州市委巡察办", "city", office)
    assert main(["escalation", "import", str(package), "--by", office.username]) == 1
    assert "发送方未登记" in capsys.readouterr().err and not ReceivedBundle.objects.exists()
    assert main(["escalation", "trust", str(pub), "--by", office.username]) == 0
    assert TrustedSender.objects.get().name == "苏仙区委巡察办"
    capsys.readouterr()
    cut = tmp_path / "截断.zip"
    cut.write_bytes(package.read_bytes()[:200])
    assert main(["escalation", "import", str(cut), "--by", office.username]) == 1
    assert "「截断.zip」未导入：文件不完整" in capsys.readouterr().err
    assert main(["escalation", "import", str(package), "--by", office.username]) == 0
    assert "已核验并签收「苏仙区委巡察办」" in capsys.readouterr().out
    assert main(["escalation", "import", str(package), "--by", office.username]) == 0
    assert "本次未做任何改动" in capsys.readouterr().out and ReceivedBundle.objects.count() == 1
