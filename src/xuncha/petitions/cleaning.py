"""Attachments from the public: checked by content, and given a copy without the
metadata that could identify the petitioner (GPS position, device, author names).

Nothing here trusts a file's name or declared type. Imports no Django.
"""

from __future__ import annotations

import io
import struct
import warnings
import zipfile
from dataclasses import dataclass

import filetype
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import NameObject

MAX_PIXELS = 80_000_000  # a decompression bomb is refused, not decoded
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_BYTES = 200 * 1024 * 1024


class AttachmentRefused(Exception):
    """An upload that is not accepted; the message (Chinese) names the file."""


@dataclass(frozen=True)
class Kind:
    mime: str
    label: str
    extension: str
    inline: bool  # shown in the browser (only raster images we re-encode ourselves)


KINDS = {
    k.mime: k
    for k in (
        Kind("image/jpeg", "JPEG 图片", "jpg", True),
        Kind("image/png", "PNG 图片", "png", True),
        Kind("image/webp", "WebP 图片", "webp", True),
        Kind("video/mp4", "MP4 视频", "mp4", False),
        Kind("video/quicktime", "MOV 视频", "mov", False),
        Kind("application/pdf", "PDF 文件", "pdf", False),
        Kind(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word 文档",
            "docx",
            False,
        ),
        Kind(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel 表格",
            "xlsx",
            False,
        ),
    )
}
_PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_OFFICE_PARTS = {"docx": "word/", "xlsx": "xl/"}
ALLOWED = "、".join(k.label for k in KINDS.values())


def kind_of(mime: str) -> Kind:
    return KINDS[mime]


def identify(data: bytes, name: str, *, max_bytes: int) -> Kind:
    """The kind of an upload, decided from its bytes; refused with a reason otherwise."""
    if not data:
        raise AttachmentRefused(f"「{name}」是空文件。")
    if len(data) > max_bytes:
        raise AttachmentRefused(f"「{name}」超过 {max_bytes // (1024 * 1024) or 1} MB 的上限。")
    guess = filetype.guess(data)
    mime = guess.mime if guess else ""
    if mime == "application/zip" or mime in (
        k.mime for k in KINDS.values() if k.extension in _OFFICE_PARTS
    ):
        return _office(data, name)
    kind = KINDS.get(mime)
    if kind is None:
        raise AttachmentRefused(f"「{name}」的内容不是允许的格式（{ALLOWED}），已拒收。")
    if mime in _PIL_FORMATS:
        _open_image(data, name, verify=True)
    elif mime in ("video/mp4", "video/quicktime"):
        _boxes(bytearray(data), 0, len(data), name)
    elif mime == "application/pdf":
        _pdf(data, name)
    return kind


def viewing_copy(data: bytes, kind: Kind) -> bytes:
    """A copy without identifying metadata (see docs/decisions/0006)."""
    name = f"附件（{kind.label}）"
    if kind.mime in _PIL_FORMATS:
        return _clean_image(data, kind, name)
    if kind.mime in ("video/mp4", "video/quicktime"):
        return _clean_video(data, name)
    if kind.mime == "application/pdf":
        return _clean_pdf(data, name)
    return _clean_office(data, name)


# ------------------------------------------------------------------ images


def _open_image(data: bytes, name: str, *, verify: bool) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.width * image.height > MAX_PIXELS:
                raise AttachmentRefused(
                    f"「{name}」的图片尺寸过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），已拒收。"
                )
            if verify:
                image.verify()
                return image
            image.load()
            return image
    except AttachmentRefused:
        raise
    except (
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as err:
        raise AttachmentRefused(
            f"「{name}」的图片已损坏或不完整，无法打开（{type(err).__name__}）。"
        ) from err


def _clean_image(data: bytes, kind: Kind, name: str) -> bytes:
    image = _open_image(data, name, verify=False)
    upright = ImageOps.exif_transpose(image)  # keep how the photo looks once EXIF is gone
    if upright.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        upright = upright.convert("RGB")
    fmt = _PIL_FORMATS[kind.mime]
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    # A fresh image from the pixels alone: no EXIF, XMP, ICC profile, comments or text.
    bare = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    if upright.mode == "P":
        bare.putpalette(upright.getpalette() or [])
    out = io.BytesIO()
    bare.save(out, fmt, **({"quality": 90} if fmt in ("JPEG", "WEBP") else {}))
    return out.getvalue()


# ------------------------------------------------------------------ video (ISO BMFF)

_CONTAINERS = {
    b"moov",
    b"trak",
    b"mdia",
    b"minf",
    b"stbl",
    b"edts",
    b"dinf",
    b"mvex",
    b"moof",
    b"traf",
}
_IDENTIFYING = {b"udta", b"meta"}


def _boxes(buf: bytearray, start: int, end: int, name: str, clean: bool = False) -> None:
    """Walk boxes in ``buf[start:end]``; with ``clean``, turn every udta/meta box into a
    zeroed ``free`` box of the same size (offsets of the media data stay valid)."""
    pos = start
    while pos < end:
        if end - pos < 8:
            raise AttachmentRefused(f"「{name}」的视频文件结构已损坏（第 {pos} 字节处不完整）。")
        size, kind = struct.unpack_from(">I4s", buf, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise AttachmentRefused(
                    f"「{name}」的视频文件结构已损坏（第 {pos} 字节处不完整）。"
                )
            size = struct.unpack_from(">Q", buf, pos + 8)[0]
            header = 16
        elif size == 0:
            size = end - pos
        if size < header or pos + size > end:
            raise AttachmentRefused(
                f"「{name}」的视频文件结构已损坏（第 {pos} 字节处的长度不对）。"
            )
        if clean and kind in _IDENTIFYING:
            buf[pos + 4 : pos + 8] = b"free"
            buf[pos + header : pos + size] = bytes(size - header)
        elif kind in _CONTAINERS:
            _boxes(buf, pos + header, pos + size, name, clean)
        pos += size


def _clean_video(data: bytes, name: str) -> bytes:
    buf = bytearray(data)
    _boxes(buf, 0, len(buf), name, clean=True)
    return bytes(buf)


# ------------------------------------------------------------------ PDF


def _pdf(data: bytes, name: str) -> PdfReader:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AttachmentRefused(f"「{name}」是加密的 PDF，请去掉密码后再上传。")
        len(reader.pages)
        return reader
    except AttachmentRefused:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as err:
        raise AttachmentRefused(f"「{name}」的 PDF 已损坏，无法打开。") from err


def _clean_pdf(data: bytes, name: str) -> bytes:
    reader = _pdf(data, name)
    writer = PdfWriter(clone_from=reader)
    writer._info = None  # no document information dictionary (Author, Creator, Producer…)
    writer._root_object.pop(NameObject("/Metadata"), None)  # no XMP
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# ------------------------------------------------------------------ Office documents

_EMPTY_APP = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'
)
_EMPTY_CUSTOM = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'
)
_EMPTY_CORE = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
    b' xmlns:dc="http://purl.org/dc/elements/1.1/"/>'
)


def _zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise AttachmentRefused(f"「{name}」的文件已损坏，无法打开。") from err
    total = sum(m.file_size for m in members)
    if len(members) > ZIP_MAX_MEMBERS or (total > ZIP_MAX_BYTES and total > 20 * len(data)):
        raise AttachmentRefused(f"「{name}」解压后过大，疑似压缩炸弹，已拒收。")
    return archive


def _office(data: bytes, name: str) -> Kind:
    names = set(_zip(data, name).namelist())
    if "[Content_Types].xml" in names:
        for ext, prefix in _OFFICE_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return next(k for k in KINDS.values() if k.extension == ext)
    raise AttachmentRefused(
        f"「{name}」是压缩包或不认识的文档，不是允许的格式（{ALLOWED}），已拒收。"
    )


def _clean_office(data: bytes, name: str) -> bytes:
    source = _zip(data, name)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        # Author, last editor, company, manager and custom fields live in docProps/.
        blank = {"docProps/core.xml": _EMPTY_CORE, "docProps/app.xml": _EMPTY_APP,
                 "docProps/custom.xml": _EMPTY_CUSTOM}  # fmt: skip
        for member in source.infolist():
            target.writestr(member.filename, blank.get(member.filename) or source.read(member))
    return out.getvalue()
