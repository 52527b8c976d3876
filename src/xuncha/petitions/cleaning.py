"""Attachments from the public: checked by content, and given a viewing copy without the
metadata that could identify the petitioner (GPS position, device, author names).

Nothing here trusts a file's name or declared type. Imports no Django.
"""

from __future__ import annotations

import io
import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import filetype
from PIL import Image, ImageCms, ImageFile, ImageOps
from pypdf import PasswordType, PdfReader, PdfWriter

MAX_PIXELS = 80_000_000  # larger images are refused before they are decoded
ZIP_MAX_MEMBERS = 5000
ZIP_MAX_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 20
MAX_BOXES = 100_000  # ISO-BMFF boxes per video; real files have a few hundred
MAX_BOX_DEPTH = 16
JPEG_QUALITY = 90


class AttachmentRefused(Exception):
    """An upload that is not accepted; the message (Chinese) names the file."""


@dataclass(frozen=True)
class Kind:
    """What an attachment is, by content."""

    mime: str
    label: str  # Chinese, shown to staff
    extension: str  # used for the name of a downloaded copy
    inline: bool  # only raster images we re-encode ourselves are shown in the browser


_DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
KINDS = {
    k.mime: k
    for k in (
        Kind("image/jpeg", "JPEG 图片", "jpg", True),
        Kind("image/png", "PNG 图片", "png", True),
        Kind("image/webp", "WebP 图片", "webp", True),
        Kind("video/mp4", "MP4 视频", "mp4", False),
        Kind("video/quicktime", "MOV 视频", "mov", False),
        Kind("application/pdf", "PDF 文件", "pdf", False),
        Kind(_DOCX, "Word 文档", "docx", False),
        Kind(_XLSX, "Excel 表格", "xlsx", False),
    )
}
ALLOWED = "JPEG、PNG、WebP 图片，MP4、MOV 视频，PDF，Word（docx）和 Excel（xlsx）文件"
_IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
_VIDEOS = {"video/mp4", "video/quicktime"}
# filetype names an Office file only when its zip members come in Office's own order.
_ZIPS = {"application/zip", _DOCX, _XLSX}
_OFFICE_PARTS = {"word/": _DOCX, "xl/": _XLSX}


def kind_of(mime: str) -> Kind:
    """The kind stored for an attachment (KeyError for a mime never accepted)."""
    return KINDS[mime]


def _shown(name: str) -> str:
    """The file name as quoted in messages: one line, not too long."""
    name = " ".join(name.split()) or "未命名文件"
    return name if len(name) <= 80 else name[:79] + "…"


def _size(n: int) -> str:
    mb = 1024 * 1024
    return f"{n / mb:.3g} MB" if n >= mb else f"{n / 1024:.3g} KB"


def identify(data: bytes, name: str, *, max_bytes: int) -> Kind:
    """The kind of an upload, decided from its bytes; AttachmentRefused otherwise.

    The bytes are untrusted: they are checked in a child process with memory and time
    limits (:mod:`xuncha.sandbox`), so a file that crashes a decoder is a refusal."""
    return _isolated(_identify, data, name, max_bytes=max_bytes, shown=_shown(name))


def viewing_copy(data: bytes, kind: Kind, *, name: str = "") -> bytes:
    """A copy without identifying metadata; AttachmentRefused if it cannot be made.

    ``name`` (optional) is only used to name the file in a refusal. Made in a child
    process with limits, as :func:`identify` checks."""
    shown = _shown(name) if name else f"附件（{kind.label}）"
    copy: bytes = _isolated(_viewing_copy, data, kind, name=name, shown=shown)
    return copy


def _isolated(fn: Any, *args: Any, shown: str, **kwargs: Any) -> Any:
    from xuncha import sandbox

    limits = sandbox.limits("parse")
    try:
        return sandbox.run(fn, *args, file=shown, limits=limits, **kwargs)
    except sandbox.FileCrashed as err:
        raise AttachmentRefused(
            f"「{shown}」无法处理：{sandbox.describe(limits, err.reason)}，已拒收。"
            "文件可能已损坏，或是恶意构造的文件。"
        ) from err


def _decoders() -> None:
    """Pillow's own bomb limit, set deliberately (in the child only): it warns above
    MAX_IMAGE_PIXELS and refuses above twice that; _open_image refuses above it first."""
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def _identify(data: bytes, name: str, *, max_bytes: int) -> Kind:
    _decoders()
    shown = _shown(name)
    if not data:
        raise AttachmentRefused(f"「{shown}」是空文件，已拒收。")
    if len(data) > max_bytes:
        raise AttachmentRefused(f"「{shown}」超过 {_size(max_bytes)} 的上限，已拒收。")
    guess = filetype.guess(data)
    mime = guess.mime if guess is not None else ""
    if mime in _ZIPS:
        return _identify_office(data, shown)
    kind = KINDS.get(mime)
    if kind is None:
        if mime == "image/heic":
            raise AttachmentRefused(
                f"「{shown}」是 HEIC 格式的照片，暂不支持；请在手机上转为 JPEG（或截图）后再上传。"
            )
        seen = f"（按内容识别为 {guess.extension} 文件）" if guess is not None else ""
        raise AttachmentRefused(f"「{shown}」的内容不是允许的格式{seen}，已拒收。只收{ALLOWED}。")
    if mime in _IMAGE_FORMATS:
        _check_image(data, _IMAGE_FORMATS[mime], shown)
    elif mime in _VIDEOS:
        if b"moov" not in {box[0] for box in _scan(data, shown)}:
            raise AttachmentRefused(f"「{shown}」的视频不完整（缺少 moov 索引），已拒收。")
    else:
        _open_pdf(data, shown)
    return kind


def _viewing_copy(data: bytes, kind: Kind, *, name: str = "") -> bytes:
    _decoders()
    shown = _shown(name) if name else f"附件（{kind.label}）"
    if kind.mime in _IMAGE_FORMATS:
        return _clean_image(data, _IMAGE_FORMATS[kind.mime], shown)
    if kind.mime in _VIDEOS:
        return _clean_video(data, shown)
    if kind.mime == "application/pdf":
        return _clean_pdf(data, shown)
    if kind.mime in (_DOCX, _XLSX):
        return _clean_office(data, shown)
    raise AttachmentRefused(f"「{shown}」的类型（{kind.mime}）不能生成查看副本。")


# ------------------------------------------------------------------ images


def _open_image(data: bytes, fmt: str, name: str) -> ImageFile.ImageFile:
    """Open (header only) with the one decoder its content calls for; refuse bombs."""
    # Pillow warns above Image.MAX_IMAGE_PIXELS (set to MAX_PIXELS by _decoders) and
    # raises DecompressionBombError above twice that; refusing above MAX_PIXELS here,
    # from the header, turns both into a refusal before any pixel is decoded.
    try:
        image = Image.open(io.BytesIO(data), formats=[fmt])
    except Image.DecompressionBombError as err:
        raise _too_large(name) from err
    except (OSError, SyntaxError, ValueError, EOFError, struct.error) as err:
        raise _broken(name) from err
    if image.width * image.height > MAX_PIXELS:
        raise _too_large(name)
    return image


def _too_large(name: str) -> AttachmentRefused:
    return AttachmentRefused(
        f"「{name}」的图片尺寸过大（超过 {MAX_PIXELS // 1_000_000} 百万像素），已拒收。"
    )


def _broken(name: str) -> AttachmentRefused:
    return AttachmentRefused(f"「{name}」的图片已损坏或不完整，无法打开，已拒收。")


def _check_image(data: bytes, fmt: str, name: str) -> None:
    """Refuse an image Pillow cannot verify and decode (JPEG decoded at 1/8 scale)."""
    first = _open_image(data, fmt, name)
    image = _open_image(data, fmt, name)  # verify() leaves an image unusable: a second one
    try:
        first.verify()  # PNG: every chunk's CRC; a no-op for JPEG
        image.draft(None, (image.width // 8, image.height // 8))  # JPEG only; cheap decode
        image.load()  # a truncated JPEG only shows here
    except MemoryError:
        raise  # the child's memory limit: told as such (xuncha.sandbox)
    except Exception as err:  # any failure of the decoder on untrusted bytes is a refusal
        raise _broken(name) from err


def _clean_image(data: bytes, fmt: str, name: str) -> bytes:
    image: Image.Image = _open_image(data, fmt, name)
    try:
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # keep how it looks once EXIF is gone
        image = _to_srgb(image)
        if image.mode not in _SAVE_MODES[fmt]:
            alpha = fmt != "JPEG" and image.has_transparency_data
            image = image.convert("RGBA" if alpha else "RGB")
        # Pillow carries over a JPEG comment, an ICC profile and PNG transparency from
        # ``info``; keep only the last (not identifying).
        keep = "transparency" if fmt == "PNG" else None
        image.info = {k: v for k, v in image.info.items() if k == keep}
        out = io.BytesIO()
        if fmt == "PNG":
            image.save(out, fmt)
        else:
            image.save(out, fmt, quality=JPEG_QUALITY)
    except MemoryError:
        raise
    except Exception as err:  # corrupt EXIF or pixel data in untrusted bytes
        raise AttachmentRefused(f"「{name}」无法重新编码为查看副本。") from err
    copy = out.getvalue()
    _check_bare(copy, name)
    return copy


_SAVE_MODES = {
    "JPEG": {"L", "RGB"},
    "PNG": {"1", "L", "LA", "P", "RGB", "RGBA", "I;16"},
    "WEBP": {"RGB", "RGBA"},
}
# What Pillow reports for a bare JPEG, PNG or WebP; anything else (EXIF, XMP, ICC, comments,
# PNG text chunks, which show up under their own keys) means metadata got through.
_BARE_INFO = {"jfif", "jfif_version", "jfif_unit", "jfif_density", "transparency"}
_BARE_INFO |= {"loop", "background"}  # WebP


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted from an embedded ICC profile to sRGB, so the profile can go."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"))
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # an unusable profile: drop it, colours may shift slightly
    return converted if converted is not None else image


def _check_bare(copy: bytes, name: str) -> None:
    """Fail closed if a Pillow change ever writes metadata into the copy."""
    with Image.open(io.BytesIO(copy)) as image:
        if set(image.info) - _BARE_INFO or image.getexif():
            raise AttachmentRefused(f"「{name}」的查看副本仍带有元数据，未生成。")


# ------------------------------------------------------------------ video (ISO BMFF)

_CONTAINERS = {b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex"}
_CONTAINERS |= {b"moof", b"traf"}  # fragmented MP4
# udta and meta hold GPS (©xyz, ISO6709 keys), make, model and dates; uuid boxes carry XMP
# and camera makers' EXIF blocks; free/skip may hold left-over copies of any of them.
# None of them is needed to play the video.
_NEUTRALISED = {b"udta", b"meta", b"uuid", b"free", b"skip"}

_Box = tuple[bytes, int, int, int]  # type, offset, header length, total length


def _boxes(data: bytes | bytearray, start: int, end: int, name: str, depth: int) -> Iterator[_Box]:
    """Every box in ``data[start:end]``, descending into container boxes."""
    if depth > MAX_BOX_DEPTH:
        raise _bad_video(name, start, "嵌套过深")
    pos = start
    while pos < end:
        if end - pos < 8:
            raise _bad_video(name, pos, "盒子头不完整")
        size, kind = struct.unpack_from(">I4s", data, pos)
        header = 8
        if size == 1:
            if end - pos < 16:
                raise _bad_video(name, pos, "盒子头不完整")
            (size,) = struct.unpack_from(">Q", data, pos + 8)
            header = 16
        elif size == 0:  # runs to the end of the file (or of the enclosing box)
            size = end - pos
        if size < header or size > end - pos:
            raise _bad_video(name, pos, "长度不对")
        yield kind, pos, header, size
        if kind in _CONTAINERS:
            yield from _boxes(data, pos + header, pos + size, name, depth + 1)
        pos += size


def _scan(data: bytes | bytearray, name: str) -> list[_Box]:
    boxes = []
    for box in _boxes(data, 0, len(data), name, 0):
        boxes.append(box)
        if len(boxes) > MAX_BOXES:
            raise _bad_video(name, box[1], "盒子数量异常")
    return boxes


def _bad_video(name: str, pos: int, what: str) -> AttachmentRefused:
    return AttachmentRefused(f"「{name}」的视频文件结构已损坏（第 {pos} 字节处{what}），已拒收。")


def _clean_video(data: bytes, name: str) -> bytes:
    """Neutralise metadata boxes in place: same size, so chunk offsets (stco/co64) hold."""
    buf = bytearray(data)
    for kind, pos, header, size in _scan(buf, name):
        if kind in _NEUTRALISED:
            buf[pos + 4 : pos + 8] = b"free"
            buf[pos + header : pos + size] = bytes(size - header)
    return bytes(buf)


# ------------------------------------------------------------------ PDF


def _open_pdf(data: bytes, name: str) -> PdfReader:
    """A readable PDF; one locked only against editing (empty user password) is opened."""
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and reader.decrypt("") == PasswordType.NOT_DECRYPTED:
            raise AttachmentRefused(f"「{name}」是加密的 PDF，请去掉打开密码后再上传。")
        len(reader.pages)  # walks the page tree
    except AttachmentRefused:
        raise
    except Exception as err:  # pypdf raises many kinds of error on malformed input
        raise AttachmentRefused(f"「{name}」的 PDF 已损坏，无法打开，已拒收。") from err
    return reader


def _clean_pdf(data: bytes, name: str) -> bytes:
    reader = _open_pdf(data, name)
    try:
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None  # no /Info: Author, Creator, Producer, dates
        writer.xmp_metadata = None  # no XMP stream on the catalog
        for page in writer.pages:
            page.pop("/Metadata", None)
        # The detached XMP stream is still in the object table until swept.
        writer.compress_identical_objects(remove_duplicates=False, remove_unreferenced=True)
        out = io.BytesIO()
        writer.write(out)
    except Exception as err:
        raise AttachmentRefused(f"「{name}」的 PDF 无法生成查看副本。") from err
    return out.getvalue()


# ------------------------------------------------------------------ Office documents

_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_OOXML = b"http://schemas.openxmlformats.org"
# Blank parts rather than missing ones: _rels/.rels and [Content_Types].xml still name them.
_BLANK_PARTS = {
    "docprops/core.xml": _XML + b'<cp:coreProperties xmlns:cp="' + _OOXML
    + b'/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"'
    b' xmlns:dcterms="http://purl.org/dc/terms/"/>',
    # Company, Manager and the template's path live here.
    "docprops/app.xml": _XML + b'<Properties xmlns="' + _OOXML
    + b'/officeDocument/2006/extended-properties"/>',
    "docprops/custom.xml": _XML + b'<Properties xmlns="' + _OOXML
    + b'/officeDocument/2006/custom-properties"/>',
}  # fmt: skip


def _open_zip(data: bytes, name: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise AttachmentRefused(f"「{name}」的文件已损坏，无法打开，已拒收。") from err
    members = archive.infolist()
    total = sum(m.file_size for m in members)
    if len(members) > ZIP_MAX_MEMBERS or (
        total > ZIP_MAX_BYTES and total > ZIP_MAX_RATIO * len(data)
    ):
        raise AttachmentRefused(f"「{name}」解压后过大或文件过多，疑似压缩炸弹，已拒收。")
    if any(m.flag_bits & 0x1 for m in members):
        raise AttachmentRefused(f"「{name}」含有加密的内容，请去掉密码后再上传。")
    return archive


def _identify_office(data: bytes, name: str) -> Kind:
    names = _open_zip(data, name).namelist()
    if len(set(names)) != len(names):
        raise AttachmentRefused(f"「{name}」的文档结构异常（有重名的部件），已拒收。")
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise AttachmentRefused(f"「{name}」含有宏，已拒收；请另存为不含宏的 docx 或 xlsx。")
    if "[Content_Types].xml" in names:
        for prefix, mime in _OFFICE_PARTS.items():
            if any(n.startswith(prefix) for n in names):
                return KINDS[mime]
    raise AttachmentRefused(f"「{name}」是压缩包或不认识的文档，已拒收。只收{ALLOWED}。")


def _clean_office(data: bytes, name: str) -> bytes:
    source = _open_zip(data, name)
    out = io.BytesIO()
    try:
        with zipfile.ZipFile(out, "w") as target:
            for member in source.infolist():
                entry = zipfile.ZipInfo(member.filename, date_time=member.date_time)
                if member.compress_type != zipfile.ZIP_STORED:
                    entry.compress_type = zipfile.ZIP_DEFLATED
                blank = _BLANK_PARTS.get(member.filename.lower())  # part names ignore case
                if blank is not None:
                    target.writestr(entry, blank)
                    continue
                big = member.file_size >= 0x7FFF_FFFF
                with source.open(member) as src, target.open(entry, "w", force_zip64=big) as dst:
                    shutil.copyfileobj(src, dst, 1024 * 1024)  # one member at a time, in chunks
    except (
        zipfile.BadZipFile,
        zlib.error,
        OSError,
        ValueError,
        EOFError,
        NotImplementedError,
    ) as err:
        raise AttachmentRefused(f"「{name}」的文档已损坏，无法生成查看副本。") from err
    return out.getvalue()
