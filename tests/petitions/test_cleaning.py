"""Attachments: refused by content whatever their name, and viewing copies without the
metadata that could identify a petitioner."""

from __future__ import annotations

import io
import struct
import zipfile

import pytest
from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter

from xuncha.petitions.cleaning import AttachmentRefused, identify, kind_of, viewing_copy

MB = 1024 * 1024


def jpeg(orientation: int = 1, size: tuple[int, int] = (80, 40)) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0112] = orientation
    exif.get_ifd(0x8825)[2] = (27.0, 30.0, 0.0)  # GPS latitude
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def mp4() -> bytes:
    udta = box(b"udta", box(b"\xa9xyz", b"\x00\x0c\x15\xc7+27.5+112.9/"))
    moov = box(b"moov", box(b"mvhd", bytes(100)) + udta + box(b"trak", box(b"tkhd", bytes(84))))
    return box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + moov + box(b"mdat", b"\x01" * 64)


def pdf(author: str = "张三") -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Author": author, "/Producer": "WPS Office"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def docx(creator: str = "李四") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        z.writestr(
            "docProps/core.xml",
            f"<cp:coreProperties><dc:creator>{creator}</dc:creator></cp:coreProperties>",
        )
        z.writestr("docProps/app.xml", "<Properties><Company>某某局</Company></Properties>")
    return out.getvalue()


def test_jpeg_copy_drops_exif_and_keeps_the_photo_upright():
    kind = identify(jpeg(orientation=6), "IMG_0001.jpg", max_bytes=MB)
    assert kind.mime == "image/jpeg" and kind.inline
    copy = viewing_copy(jpeg(orientation=6), kind)
    image = Image.open(io.BytesIO(copy))
    assert not image.getexif() and b"PhoneMaker" not in copy
    assert image.size == (40, 80)  # orientation 6 is a quarter turn: width and height swap


def test_png_text_chunks_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "王五")
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "PNG", pnginfo=info)
    copy = viewing_copy(out.getvalue(), identify(out.getvalue(), "a.png", max_bytes=MB))
    assert b"Author" not in copy and Image.open(io.BytesIO(copy)).size == (8, 8)


def test_webp_is_accepted():
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "WEBP")
    assert identify(out.getvalue(), "a.webp", max_bytes=MB).mime == "image/webp"


def test_video_location_box_is_blanked_in_place():
    data = mp4()
    kind = identify(data, "VID.mp4", max_bytes=MB)
    assert kind.mime == "video/mp4" and not kind.inline
    copy = viewing_copy(data, kind)
    assert len(copy) == len(data)
    assert b"+27.5+112.9" not in copy and b"udta" not in copy and b"free" in copy
    assert copy.endswith(box(b"mdat", b"\x01" * 64))  # the media data is untouched
    assert copy[: copy.index(b"moov") - 4] == data[: data.index(b"moov") - 4]


def test_pdf_copy_has_no_author():
    kind = identify(pdf(), "举报材料.pdf", max_bytes=MB)
    reader = PdfReader(io.BytesIO(viewing_copy(pdf(), kind)))
    assert len(reader.pages) == 1
    assert not reader.metadata or "/Author" not in reader.metadata


def test_office_document_properties_are_blanked():
    kind = identify(docx(), "情况说明.docx", max_bytes=MB)
    assert kind.extension == "docx"
    copy = zipfile.ZipFile(io.BytesIO(viewing_copy(docx(), kind)))
    assert "李四" not in copy.read("docProps/core.xml").decode()
    assert "某某局" not in copy.read("docProps/app.xml").decode()
    assert copy.read("word/document.xml") == b"<w:document/>"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("空文件.jpg", b""),
        ("photo.jpg", b"MZ\x90\x00\x03" + bytes(300)),
        ("page.png", b"<!doctype html><script>alert(1)</script>"),
        ("logo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("cut.jpg", jpeg()[:200]),
        ("archive.docx", b"PK\x05\x06" + bytes(18)),
        (
            "bad.mp4",
            box(b"ftyp", b"isom\x00\x00\x02\x00isom") + struct.pack(">I4s", 10_000, b"moov"),
        ),
        ("anim.gif", b"GIF89a" + bytes(20)),
    ],
)
def test_refused_with_the_file_named(name, data):
    with pytest.raises(AttachmentRefused) as refused:
        identify(data, name, max_bytes=MB)
    assert name in str(refused.value)


def test_oversized_is_refused():
    with pytest.raises(AttachmentRefused, match="超过 1 MB"):
        identify(jpeg() + bytes(MB), "big.jpg", max_bytes=MB)


def test_a_plain_zip_is_not_an_office_document():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    with pytest.raises(AttachmentRefused, match="压缩包"):
        identify(out.getvalue(), "材料.docx", max_bytes=MB)


def test_kind_of_every_mime():
    assert kind_of("image/png").extension == "png"
