"""The escalation bundle (呈报包): a ZIP with a signed manifest, read in the sandbox.

Layout (format version 1, decision 0026)::

    manifest.json        UTF-8 JSON: format, format_version, bundle_id, created_at,
                         sender {name, level, fingerprint}, to {level, office},
                         findings [{…, attachments [{name, sha256, size}], chain […]}]
    manifest.sig         the Ed25519 signature of manifest.json's exact bytes, Base64
    files/<sha256>       each attachment, named by its SHA-256 (hex, lower case)

The manifest carries every file's hash, so one signature covers the whole bundle. Only
those three kinds of names are accepted: nothing can be written outside the bundle's own
names (zip-slip), and each entry is read with a bound on its real size (a lying header
of a compressed bomb is caught). No Django here: :func:`open_bundle` runs in a child
process (:mod:`xuncha.sandbox`), and the caller passes the trusted keys in.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

FORMAT = "xuncha-escalation"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SIGNATURE = "manifest.sig"
KEY_PREFIX = "xuncha-ed25519"
_FILE_NAME = re.compile(r"files/[0-9a-f]{64}")
MB = 2**20


class BundleError(Exception):
    """A bundle (or key text) refused; the message says in Chinese what failed."""


@dataclass(frozen=True)
class Sizes:
    """Bounds on a bundle: the file, the manifest, each attachment, all of them, and how
    many attachments."""

    bundle: int = 200 * MB
    manifest: int = 2 * MB
    attachment: int = 100 * MB
    total: int = 400 * MB
    files: int = 500


@dataclass(frozen=True)
class Opened:
    """A bundle whose signature, hashes and format were all checked."""

    manifest: dict[str, Any]
    fingerprint: str
    files: dict[str, bytes] = field(repr=False)  # sha256 -> content


def fingerprint(public_raw: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex: what two offices compare by phone."""
    return hashlib.sha256(public_raw).hexdigest()


def spaced(fp: str) -> str:
    """A fingerprint in groups of four, easier to read aloud."""
    return " ".join(fp[i : i + 4] for i in range(0, len(fp), 4))


def public_raw(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


def public_key_text(private: Ed25519PrivateKey, name: str) -> str:
    """The one-line public key handed to the upper office (the .pub file)."""
    body = base64.b64encode(public_raw(private)).decode()
    return f"{KEY_PREFIX} {body} {' '.join(name.split())}\n"


def parse_public_key(text: str) -> tuple[bytes, str]:
    """The raw public key and the name in a pasted key text (our one-line form, a bare
    Base64 key, or a PEM public key)."""
    text = text.strip()
    if not text:
        raise BundleError("公钥为空：请粘贴对方提供的公钥文本，或上传 .pub 文件。")
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode())
        except ValueError as err:
            raise BundleError("公钥无法读取：PEM 格式有误。") from err
        if not isinstance(key, Ed25519PublicKey):
            raise BundleError("公钥不是 Ed25519 公钥。")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw), ""
    parts = text.split(maxsplit=2)
    if parts[0] == KEY_PREFIX:
        parts = parts[1:]
    elif len(parts) > 1:
        raise BundleError(f"公钥格式不对：应以「{KEY_PREFIX}」开头。")
    try:
        raw = base64.b64decode(parts[0] if parts else "", validate=True)
    except (binascii.Error, ValueError) as err:
        raise BundleError("公钥无法读取：不是有效的 Base64 文本。") from err
    if len(raw) != 32:
        raise BundleError(f"公钥长度不对：Ed25519 公钥应为 32 字节，这里是 {len(raw)} 字节。")
    return raw, (parts[1].strip() if len(parts) > 1 else "")


def build_bundle(
    manifest: dict[str, Any], files: dict[str, bytes], private: Ed25519PrivateKey
) -> bytes:
    """The ZIP: the manifest as given (it must already list every file's hash), its
    signature and the files."""
    for sha, data in files.items():
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(f"file {sha} does not match its hash")
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    signature = base64.b64encode(private.sign(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, body)
        zf.writestr(SIGNATURE, signature)
        for sha, data in files.items():
            zf.writestr(f"files/{sha}", data)
    return out.getvalue()


def open_bundle(data: bytes, *, trusted: dict[str, bytes], sizes: Sizes) -> Opened:
    """Read and verify a bundle; :class:`BundleError` names the first thing that failed.

    ``trusted`` maps fingerprints to raw public keys (the registered senders). Order:
    the ZIP and its names, the manifest, the sender, the signature, the format, then
    each attachment's presence, size and hash."""
    if len(data) > sizes.bundle:
        raise BundleError(f"文件过大：{len(data) / MB:.1f} MB，上限 {sizes.bundle // MB} MB。")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise BundleError(
            "文件不完整或不是呈报包：无法作为 ZIP 读取（可能在拷贝中被截断）。"
        ) from err
    _check_names(infos, sizes)
    with zf:
        body = _read(zf, MANIFEST, sizes.manifest)
        signature = _read(zf, SIGNATURE, 1024)
        manifest = _manifest(body)
        fp = str(manifest.get("sender", {}).get("fingerprint", "")) if isinstance(
            manifest.get("sender"), dict) else ""  # fmt: skip
        _verify(body, signature, fp, manifest, trusted)
        _check_format(manifest)
        files = _attachments(zf, manifest, {i.filename for i in infos}, sizes)
    return Opened(manifest=manifest, fingerprint=fp, files=files)


def _check_names(infos: list[zipfile.ZipInfo], sizes: Sizes) -> None:
    seen: set[str] = set()
    for info in infos:
        name = info.filename
        if name not in (MANIFEST, SIGNATURE) and not _FILE_NAME.fullmatch(name):
            raise BundleError(
                f"包内路径不允许：「{name}」（只能有 {MANIFEST}、{SIGNATURE} 和 files/ 下以"
                "校验和命名的文件）。"
            )
        if name in seen:
            raise BundleError(f"包内文件「{name}」重复出现。")
        seen.add(name)
    if len(seen) > sizes.files + 2:
        raise BundleError(f"包内文件过多：{len(seen) - 2} 个附件，上限 {sizes.files} 个。")
    total = sum(i.file_size for i in infos)
    if total > sizes.total:
        raise BundleError(
            f"包内文件解压后共 {total / MB:.1f} MB，超过上限 {sizes.total // MB} MB。"
        )
    for name in (MANIFEST, SIGNATURE):
        if name not in seen:
            raise BundleError(f"不是完整的呈报包：缺少 {name}。")


def _read(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """An entry's bytes, never more than ``limit`` whatever its header claims."""
    try:
        with zf.open(name) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as err:
        raise BundleError(f"包内文件「{name}」已损坏，无法读出（文件可能被截断或改动）。") from err
    if len(data) > limit:
        raise BundleError(f"包内文件「{name}」过大：超过上限 {limit / MB:.1f} MB。")
    return data


def _manifest(body: bytes) -> dict[str, Any]:
    try:
        manifest = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as err:
        raise BundleError(f"清单 {MANIFEST} 不是有效的 UTF-8 JSON：文件被改动过或已损坏。") from err
    if not isinstance(manifest, dict):
        raise BundleError(f"清单 {MANIFEST} 的内容不是对象。")
    return manifest


def _verify(
    body: bytes, signature: bytes, fp: str, manifest: dict[str, Any], trusted: dict[str, bytes]
) -> None:
    if fp not in trusted:
        name = (
            manifest["sender"].get("name", "") if isinstance(manifest.get("sender"), dict) else ""
        )
        raise BundleError(
            f"发送方未登记：指纹 {spaced(fp) or '（无）'}"
            + (f"（包内自称「{name}」）" if name else "")
            + "。请先与对方核对指纹，在「密钥与发送方」页登记其公钥后再导入。"
        )
    try:
        raw_signature = base64.b64decode(signature.strip(), validate=True)
        Ed25519PublicKey.from_public_bytes(trusted[fp]).verify(raw_signature, body)
    except (InvalidSignature, binascii.Error, ValueError) as err:
        raise BundleError("签名无效：文件被改动过（清单与签名不符），不予导入。") from err


def _check_format(manifest: dict[str, Any]) -> None:
    if manifest.get("format") != FORMAT:
        raise BundleError(f"不是呈报包：清单的 format 应为「{FORMAT}」。")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise BundleError(
            f"呈报包格式版本为 {version}，本系统只能读取版本 {FORMAT_VERSION}；请双方升级到同一版本。"
        )
    try:
        uuid.UUID(str(manifest.get("bundle_id")))
    except ValueError as err:
        raise BundleError("清单中的呈报包编号（bundle_id）无效。") from err
    findings = manifest.get("findings")
    if not isinstance(findings, list) or not findings:
        raise BundleError("清单中没有重大问题（findings 为空）。")
    for i, item in enumerate(findings, 1):
        if not isinstance(item, dict) or not isinstance(item.get("attachments", []), list):
            raise BundleError(f"清单中第 {i} 个问题的格式不对。")


def _attachments(
    zf: zipfile.ZipFile, manifest: dict[str, Any], present: set[str], sizes: Sizes
) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for item in manifest["findings"]:
        for att in item.get("attachments", []):
            name, sha = str(att.get("name", "")), str(att.get("sha256", ""))
            path = f"files/{sha}"
            if not _FILE_NAME.fullmatch(path):
                raise BundleError(f"附件「{name}」的校验和格式不对。")
            if path not in present:
                raise BundleError(f"附件「{name}」缺失：包内没有 {path}。")
            if sha not in files:
                data = _read(zf, path, sizes.attachment)
                if hashlib.sha256(data).hexdigest() != sha:
                    raise BundleError(f"附件「{name}」的校验和不符：文件被改动过或已损坏。")
                files[sha] = data
    extra = sorted(p for p in present - {MANIFEST, SIGNATURE} if p[len("files/") :] not in files)
    if extra:
        raise BundleError(f"包内有清单未列出的文件：{'、'.join(extra)}。")
    return files
