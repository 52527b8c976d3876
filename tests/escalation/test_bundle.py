"""The bundle format alone (no database): a signature made with one key pair verifies
against that key and no other; each kind of damage is refused with its own reason."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from xuncha.escalation import bundle as fmt

EVIDENCE = "会议记录：村委会 2023 年 5 月违规发放补贴".encode()
SHA = hashlib.sha256(EVIDENCE).hexdigest()


def manifest(key: Ed25519PrivateKey, **extra: Any) -> dict[str, Any]:
    return {
        "format": fmt.FORMAT, "format_version": fmt.FORMAT_VERSION,
        "bundle_id": "0b7c2a86-33a5-4a4e-9a53-9d3f3f0a1e11", "created_at": "2026-03-01T10:00:00+08:00",
        "sender": {"name": "苏仙区委巡察办", "level": "county",
                   "fingerprint": fmt.fingerprint(fmt.public_raw(key))},
        "findings": [{"id": "finding-1", "description": "违规发放补贴", "amount": "12000.00",
                      "attachments": [{"name": "会议记录.txt", "sha256": SHA, "size": len(EVIDENCE)}],
                      "chain": []}],
        **extra,
    }  # fmt: skip


def trust(*keys: Ed25519PrivateKey) -> dict[str, bytes]:
    return {fmt.fingerprint(fmt.public_raw(k)): fmt.public_raw(k) for k in keys}


def rezip(
    data: bytes, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> bytes:
    """The bundle with some entries replaced (None drops one) or added, signature kept."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            body = change.get(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
        for name, body in (add or {}).items():
            dst.writestr(name, body)
    return out.getvalue()


@pytest.fixture
def sender() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture
def signed(sender: Ed25519PrivateKey) -> bytes:
    return fmt.build_bundle(manifest(sender), {SHA: EVIDENCE}, sender)


def refused(data: bytes, trusted: dict[str, bytes], sizes: fmt.Sizes | None = None) -> str:
    with pytest.raises(fmt.BundleError) as err:
        fmt.open_bundle(data, trusted=trusted, sizes=sizes or fmt.Sizes())
    return str(err.value)


def test_roundtrip_between_two_key_pairs(sender: Ed25519PrivateKey, signed: bytes) -> None:
    other = Ed25519PrivateKey.generate()
    opened = fmt.open_bundle(signed, trusted=trust(other, sender), sizes=fmt.Sizes())
    assert opened.fingerprint == fmt.fingerprint(fmt.public_raw(sender))
    assert opened.files == {SHA: EVIDENCE}
    assert opened.manifest["findings"][0]["description"] == "违规发放补贴"
    # the same content signed by the other key is that key's bundle, not the sender's
    forged = fmt.build_bundle(manifest(sender), {SHA: EVIDENCE}, other)
    assert "签名无效" in refused(forged, trust(sender, other))


def test_foreign_key_is_refused_with_its_fingerprint(
    sender: Ed25519PrivateKey, signed: bytes
) -> None:
    why = refused(signed, trust(Ed25519PrivateKey.generate()))
    fp = fmt.fingerprint(fmt.public_raw(sender))
    assert why.startswith("发送方未登记：指纹 " + fmt.spaced(fp)) and "苏仙区委巡察办" in why


def test_tampered_manifest(sender: Ed25519PrivateKey, signed: bytes) -> None:
    body = zipfile.ZipFile(io.BytesIO(signed)).read(fmt.MANIFEST)
    changed = body.replace(b"12000.00", b"1200.00")
    assert changed != body
    assert refused(rezip(signed, {fmt.MANIFEST: changed}), trust(sender)).startswith(
        "签名无效：文件被改动过"
    )


def test_tampered_missing_and_extra_attachments(sender: Ed25519PrivateKey, signed: bytes) -> None:
    path = f"files/{SHA}"
    why = refused(rezip(signed, {path: EVIDENCE + b"!"}), trust(sender))
    assert why.startswith("附件「会议记录.txt」的校验和不符")
    assert "附件「会议记录.txt」缺失" in refused(rezip(signed, {path: None}), trust(sender))
    extra = f"files/{hashlib.sha256(b'x').hexdigest()}"
    assert "清单未列出的文件" in refused(rezip(signed, {}, {extra: b"x"}), trust(sender))


def test_truncated_file(sender: Ed25519PrivateKey, signed: bytes) -> None:
    for cut in (len(signed) // 2, len(signed) - 30, 10):
        assert refused(signed[:cut], trust(sender)).startswith("文件不完整或不是呈报包")


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/x", "/tmp/x", "files/../../x", "files/ABC", "a\\..\\b"]
)
def test_zip_slip_paths(sender: Ed25519PrivateKey, signed: bytes, name: str) -> None:
    assert refused(rezip(signed, {}, {name: b"x"}), trust(sender)).startswith("包内路径不允许")


def test_oversize_bundle_manifest_and_bomb(sender: Ed25519PrivateKey, signed: bytes) -> None:
    assert refused(signed, trust(sender), fmt.Sizes(bundle=len(signed) - 1)).startswith("文件过大")
    assert "manifest.json」过大" in refused(signed, trust(sender), fmt.Sizes(manifest=100))
    bomb = b"\0" * 5_000_000  # compresses to a few kB
    big = fmt.build_bundle(
        manifest(sender, findings=[{"description": "x", "attachments": [
            {"name": "炸弹.bin", "sha256": hashlib.sha256(bomb).hexdigest()}]}]),
        {hashlib.sha256(bomb).hexdigest(): bomb}, sender,
    )  # fmt: skip
    assert len(big) < 100_000
    assert "解压后共" in refused(big, trust(sender), fmt.Sizes(total=1_000_000))
    assert "过大" in refused(big, trust(sender), fmt.Sizes(attachment=1_000_000))


def test_format_version(sender: Ed25519PrivateKey) -> None:
    later = fmt.build_bundle(manifest(sender, format_version=2), {SHA: EVIDENCE}, sender)
    assert "格式版本为 2" in refused(later, trust(sender))


def test_public_key_text_roundtrip(sender: Ed25519PrivateKey) -> None:
    text = fmt.public_key_text(sender, "苏仙区委 巡察办")
    raw, name = fmt.parse_public_key(text)
    assert raw == fmt.public_raw(sender) and name == "苏仙区委 巡察办"
    assert fmt.parse_public_key(text.split()[1])[0] == raw
    with pytest.raises(fmt.BundleError, match="长度不对"):
        fmt.parse_public_key("xuncha-ed25519 AAAA 某办")
    with pytest.raises(fmt.BundleError, match="Base64"):
        fmt.parse_public_key("xuncha-ed25519 !!!")


def test_manifest_lists_every_hash(sender: Ed25519PrivateKey, signed: bytes) -> None:
    body = json.loads(zipfile.ZipFile(io.BytesIO(signed)).read(fmt.MANIFEST))
    assert body["findings"][0]["attachments"][0]["sha256"] == SHA
