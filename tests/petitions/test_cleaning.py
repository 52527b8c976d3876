"""Attachments: refused by content whatever their name, and viewing copies without the
metadata that could identify a petitioner. Needs no Django and no database."""

from __future__ import annotations

import ast
import dataclasses
import io
import os
import random
import re
import struct
import zipfile
import zlib

import openpyxl
import pytest
from PIL import Image, ImageCms, PngImagePlugin
from PIL.JpegImagePlugin import JpegImageFile
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from xuncha.petitions import cleaning
from xuncha.petitions.cleaning import AttachmentRefused, Kind, identify, kind_of, viewing_copy

MB = 1024 * 1024
CHINESE = re.compile(r"[\u4e00-\u9fff]")
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    b'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>XmpWangWu</dc:creator>'
    b"</rdf:Description></rdf:RDF></x:xmpmeta>"
)


def refused(data: bytes, name: str, *, max_bytes: int = MB) -> str:
    """The refusal message, checked to be Chinese and to name the file."""
    with pytest.raises(AttachmentRefused) as caught:
        identify(data, name, max_bytes=max_bytes)
    message = str(caught.value)
    assert name in message and CHINESE.search(message), message
    return message


# ------------------------------------------------------------------ images


def photo_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "PhoneModelX1"  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (27.0, 30.0, 0.0)  # latitude
    gps[3] = "E"
    gps[4] = (112.0, 54.0, 0.0)  # longitude
    return exif


def halves(size: tuple[int, int]) -> Image.Image:
    """Left half red, right half blue: shows which way the photo was turned."""
    image = Image.new("RGB", size, (0, 0, 255))
    image.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    return image


def jpeg(orientation: int = 1, size: tuple[int, int] = (80, 40), **extra: object) -> bytes:
    out = io.BytesIO()
    halves(size).save(out, "JPEG", exif=photo_exif(orientation).tobytes(), **extra)
    return out.getvalue()


def noisy_jpeg() -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(out, "JPEG")
    return out.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    body = kind + payload
    return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a size but holds almost no pixels: what a decompression bomb shows."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", zlib.compress(b"\x00"))
        + png_chunk(b"IEND", b"")
    )


def test_jpeg_copy_has_no_exif_gps_or_device():
    data = jpeg()
    assert b"PhoneMaker" in data and Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)
    kind = identify(data, "IMG_0001.jpg", max_bytes=MB)
    assert kind == kind_of("image/jpeg") and kind.inline and kind.extension == "jpg"
    copy = viewing_copy(data, kind)
    image = Image.open(io.BytesIO(copy))
    assert image.format == "JPEG" and image.size == (80, 40)
    assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in copy and b"PhoneMaker" not in copy and b"PhoneModelX1" not in copy


def test_rotated_photo_keeps_its_visual_orientation():
    data = jpeg(orientation=6)  # stored on its side; shown turned a quarter clockwise
    copy = viewing_copy(data, identify(data, "IMG_0002.jpg", max_bytes=MB))
    image = Image.open(io.BytesIO(copy)).convert("RGB")
    assert image.size == (40, 80)
    assert not image.getexif()
    red, blue = image.getpixel((20, 10)), image.getpixel((20, 70))
    assert isinstance(red, tuple) and isinstance(blue, tuple)
    assert red[0] > 200 > red[2] and blue[2] > 200 > blue[0]  # the left half went to the top


def test_jpeg_comment_and_xmp_are_dropped():
    data = jpeg(comment=b"shot by ZhaoLiu", xmp=XMP)
    assert {"comment", "xmp"} <= set(Image.open(io.BytesIO(data)).info)
    copy = viewing_copy(data, identify(data, "IMG_0003.jpg", max_bytes=MB))
    assert not {"comment", "xmp", "exif"} & set(Image.open(io.BytesIO(copy)).info)
    assert b"ZhaoLiu" not in copy and b"XmpWangWu" not in copy


def test_icc_profile_is_applied_and_dropped():
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    owner = "LiSi-s phone!".encode("utf-16-be")  # a profile description naming its owner
    icc = icc.replace("sRGB built-in".encode("utf-16-be"), owner)
    assert ImageCms.ImageCmsProfile(io.BytesIO(icc)).profile.profile_description == "LiSi-s phone!"
    data = jpeg(icc_profile=icc)
    copy = viewing_copy(data, identify(data, "IMG_0006.jpg", max_bytes=MB))
    image = Image.open(io.BytesIO(copy))
    assert "icc_profile" not in image.info and owner not in copy
    colour = image.convert("RGB").getpixel((10, 20))
    assert isinstance(colour, tuple) and colour[0] > 200 > colour[2]  # sRGB to sRGB: still red


def test_unusable_icc_profile_is_simply_dropped():
    data = jpeg(icc_profile=b"not a colour profile, but LiSi's name")
    copy = viewing_copy(data, identify(data, "IMG_0007.jpg", max_bytes=MB))
    assert b"LiSi" not in copy and "icc_profile" not in Image.open(io.BytesIO(copy)).info


def test_a_copy_that_still_carries_metadata_is_not_handed_out(monkeypatch):
    monkeypatch.setattr(cleaning, "_BARE_INFO", set())  # as if Pillow began writing more
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", Image.MAX_IMAGE_PIXELS)  # set back after
    with pytest.raises(AttachmentRefused, match="仍带有元数据"):  # (here: the patch is here)
        cleaning._viewing_copy(jpeg(), kind_of("image/jpeg"))


def test_jpeg_copy_keeps_high_quality():
    data = noisy_jpeg()
    copy = Image.open(io.BytesIO(viewing_copy(data, identify(data, "n.jpg", max_bytes=MB))))
    reference = io.BytesIO()
    Image.new("RGB", (8, 8)).save(reference, "JPEG", quality=90)
    assert isinstance(copy, JpegImageFile)
    assert copy.quantization == Image.open(reference).quantization  # not Pillow's default 75


def test_png_text_chunks_are_removed():
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "WangWu")
    info.add_itxt("Comment", "王五拍摄")
    out = io.BytesIO()
    halves((8, 8)).save(out, "PNG", pnginfo=info, exif=photo_exif().tobytes())
    data = out.getvalue()
    assert b"tEXt" in data and b"iTXt" in data and b"eXIf" in data
    kind = identify(data, "a.png", max_bytes=MB)
    assert kind.mime == "image/png" and kind.inline
    copy = viewing_copy(data, kind)
    assert not any(chunk in copy for chunk in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", b"iCCP"))
    assert b"WangWu" not in copy
    image = Image.open(io.BytesIO(copy))
    assert image.size == (8, 8) and image.convert("RGB").getpixel((0, 0)) == (255, 0, 0)


def test_png_transparency_survives():
    image = Image.new("P", (4, 4), 1)
    image.putpalette([0, 0, 0, 255, 255, 255])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)
    copy = viewing_copy(out.getvalue(), kind_of("image/png"))
    assert Image.open(io.BytesIO(copy)).info.get("transparency") == 0


def test_webp_is_accepted_and_loses_its_exif():
    out = io.BytesIO()
    halves((8, 8)).save(out, "WEBP", exif=photo_exif().tobytes(), lossless=True)
    data = out.getvalue()
    assert b"PhoneMaker" in data
    kind = identify(data, "a.webp", max_bytes=MB)
    assert kind.mime == "image/webp" and kind.inline and kind.extension == "webp"
    copy = viewing_copy(data, kind)
    image = Image.open(io.BytesIO(copy))
    assert image.format == "WEBP" and not image.getexif() and b"PhoneMaker" not in copy


def test_content_decides_not_the_name():
    assert identify(jpeg(), "scan.png", max_bytes=MB).mime == "image/jpeg"
    out = io.BytesIO()
    Image.new("RGB", (4, 4)).save(out, "PNG")
    assert identify(out.getvalue(), "tool.exe", max_bytes=MB).mime == "image/png"


def test_decompression_bomb_is_refused_without_changing_pillow_here():
    just_over = png_header_only(9000, 9000)  # 81 megapixels: over our limit, under Pillow's
    assert "百万像素" in refused(just_over, "bomb.png")
    assert "百万像素" in refused(png_header_only(20000, 20000), "huge.png")  # Pillow raises
    with pytest.raises(AttachmentRefused, match="百万像素"):
        viewing_copy(just_over, kind_of("image/png"), name="bomb.png")
    assert Image.MAX_IMAGE_PIXELS == 1024 * 1024 * 1024 // 4 // 3  # set in the child only


def test_a_decompression_bomb_png_from_the_public_is_refused_by_its_pixel_count(tmp_path):
    from bombs import bomb_png

    data = bomb_png(tmp_path / "炸弹.png").read_bytes()  # 10 gigapixels in 9 KB
    assert len(data) < 20_000
    assert "「炸弹.png」的图片尺寸过大（超过 80 百万像素），已拒收" in refused(data, "炸弹.png")
    with pytest.raises(AttachmentRefused, match="百万像素"):
        viewing_copy(data, kind_of("image/png"), name="炸弹.png")


def test_a_decoder_past_its_memory_limit_is_a_refusal_not_a_dead_server(monkeypatch):
    big = io.BytesIO()
    Image.new("RGB", (6000, 6000), "white").save(big, "JPEG")  # 108 MB once decoded
    monkeypatch.setenv("XUNCHA_SANDBOX_PARSE_MEMORY_MB", "64")  # not enough for that
    with pytest.raises(AttachmentRefused) as caught:
        viewing_copy(big.getvalue(), kind_of("image/jpeg"), name="照片.jpg")
    assert str(caught.value).startswith("「照片.jpg」无法处理：所需内存超过上限")
    monkeypatch.delenv("XUNCHA_SANDBOX_PARSE_MEMORY_MB")
    assert identify(jpeg(), "照片.jpg", max_bytes=MB).mime == "image/jpeg"  # still here


def test_truncated_jpeg_is_refused_even_when_its_header_reads():
    cut = noisy_jpeg()
    cut = cut[: len(cut) * 6 // 10]
    assert Image.open(io.BytesIO(cut)).size == (200, 200)  # only decoding finds it
    refused(cut, "cut.jpg")
    with pytest.raises(AttachmentRefused, match=re.escape("「cut.jpg」")):
        viewing_copy(cut, kind_of("image/jpeg"), name="cut.jpg")


@pytest.mark.parametrize("where", [10, -1])  # in the compressed pixels; in the CRC itself
def test_png_with_a_bad_checksum_is_refused(where):
    out = io.BytesIO()
    Image.frombytes("RGB", (16, 16), os.urandom(16 * 16 * 3)).save(out, "PNG")
    data = bytearray(out.getvalue())
    start = data.index(b"IDAT")
    (length,) = struct.unpack_from(">I", data, start - 4)
    data[start + 4 + length + 3 if where < 0 else start + where] ^= 0xFF
    refused(bytes(data), "broken.png")


# ------------------------------------------------------------------ video


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I4s", 8 + len(payload), kind) + payload


def big_box(kind: bytes, payload: bytes) -> bytes:
    """A box with a 64-bit ``largesize`` header."""
    return struct.pack(">I4sQ", 1, kind, 16 + len(payload)) + payload


SAMPLE = b"\x01\x02\x03\x04" * 16
LOCATION = b"+27.5+112.9/"


def mp4(brand: bytes = b"isom", stco_offset: int = 0) -> bytes:
    """ftyp + moov (mvhd, udta with ©xyz, a track with its own meta, a chunk offset) + mdat."""
    xyz = box(b"\xa9xyz", struct.pack(">HH", len(LOCATION), 0x15C7) + LOCATION)
    udta = box(b"udta", xyz + box(b"\xa9mak", b"\x00\x05\x00\x00Apple"))
    stbl = box(b"stbl", box(b"stco", struct.pack(">III", 0, 1, stco_offset)))
    trak = box(
        b"trak",
        box(b"tkhd", bytes(84))
        + big_box(b"meta", b"\x00\x00\x00\x00" + box(b"hdlr", b"PhoneModelX1"))
        + box(b"mdia", box(b"mdhd", bytes(24)) + box(b"minf", stbl)),
    )
    moov = box(b"moov", box(b"mvhd", bytes(100)) + udta + trak)
    compatible = brand + (b"" if brand == b"qt  " else b"mp41")  # QuickTime names only itself
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + compatible)
    return ftyp + moov + box(b"mdat", SAMPLE)


def real_mp4() -> bytes:
    """``mp4()`` with its chunk offset pointing at the sample in mdat."""
    draft = mp4()
    return mp4(stco_offset=draft.index(SAMPLE))


def spans(data: bytes) -> dict[bytes, tuple[int, int]]:
    """Where each (uniquely named) box of the sample sits: type -> (start, end)."""
    found = {}
    for kind in (b"ftyp", b"moov", b"mvhd", b"udta", b"trak", b"tkhd", b"meta", b"mdia"):
        start = data.index(kind) - 4
        (size,) = struct.unpack_from(">I", data, start)
        if size == 1:
            (size,) = struct.unpack_from(">Q", data, start + 8)
        found[kind] = (start, start + size)
    found[b"mdat"] = (data.index(b"mdat") - 4, len(data))
    return found


def test_video_location_and_device_boxes_are_blanked_in_place():
    data = real_mp4()
    kind = identify(data, "VID_0001.mp4", max_bytes=MB)
    assert kind.mime == "video/mp4" and kind.extension == "mp4" and not kind.inline
    copy = viewing_copy(data, kind)
    assert len(copy) == len(data)
    assert b"\xa9xyz" not in copy and LOCATION not in copy
    assert b"Apple" not in copy and b"PhoneModelX1" not in copy
    assert b"udta" not in copy and b"meta" not in copy
    where = spans(data)
    for kind_ in (b"udta", b"meta"):
        start, end = where[kind_]
        header = 16 if kind_ == b"meta" else 8
        assert copy[start : start + 4] == data[start : start + 4]  # same size field
        assert copy[start + 4 : start + 8] == b"free"
        assert copy[start + 8 : start + header] == data[start + 8 : start + header]  # largesize
        assert copy[start + header : end] == bytes(end - start - header)
    for kind_ in (b"ftyp", b"mvhd", b"tkhd", b"mdia", b"mdat"):
        start, end = where[kind_]
        assert copy[start:end] == data[start:end], kind_
    (offset,) = struct.unpack_from(">I", copy, copy.index(b"stco") + 12)
    assert copy[offset : offset + len(SAMPLE)] == SAMPLE  # chunk offsets still point at media


def test_top_level_metadata_boxes_are_blanked_too():
    xmp_uuid = bytes.fromhex("BE7ACFCB97A942E89C71999491E3AFAC")  # where Adobe puts XMP
    data = (
        mp4()
        + box(b"udta", box(b"\xa9xyz", LOCATION))
        + box(b"meta", b"\x00" * 4 + b"Phone")
        + box(b"uuid", xmp_uuid + XMP)
    )
    copy = viewing_copy(data, identify(data, "v.mp4", max_bytes=MB))
    assert len(copy) == len(data) and LOCATION not in copy and b"Phone" not in copy
    assert b"XmpWangWu" not in copy and xmp_uuid not in copy
    assert copy.count(b"free") == 5


def test_quicktime_movie_and_mdat_to_the_end():
    data = mp4(brand=b"qt  ")
    data = data[: data.index(b"mdat") - 4] + struct.pack(">I4s", 0, b"mdat") + SAMPLE
    kind = identify(data, "IMG_0004.MOV", max_bytes=MB)
    assert kind.mime == "video/quicktime" and kind.extension == "mov"
    copy = viewing_copy(data, kind)
    assert LOCATION not in copy and copy.endswith(SAMPLE)


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("overrun.mp4", mp4() + struct.pack(">I4s", 10_000, b"free")),
        ("short.mp4", mp4() + struct.pack(">I4s", 4, b"free")),
        ("tail.mp4", mp4() + b"\x00\x00\x00"),
        ("no-moov.mp4", box(b"ftyp", b"isom\x00\x00\x02\x00isom") + box(b"mdat", SAMPLE)),
    ],
)
def test_malformed_video_is_refused(name, data):
    refused(data, name)


def test_deeply_nested_boxes_are_refused_not_a_crash():
    inner = box(b"mvhd", bytes(100))
    for _ in range(500):
        inner = box(b"trak", inner)
    data = box(b"ftyp", b"isom\x00\x00\x02\x00isom") + box(b"moov", inner)
    assert "嵌套" in refused(data, "deep.mp4")


# ------------------------------------------------------------------ PDF


def pdf(author: str = "Zhang San", pages: int = 2, **encrypt: str) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=200, height=200)
    page_xmp = DecodedStreamObject()
    page_xmp.set_data(XMP.replace(b"XmpWangWu", b"PageXmpZhao"))
    writer.pages[0][NameObject("/Metadata")] = writer._add_object(page_xmp)  # no public API
    writer.add_metadata({"/Author": author, "/Creator": "WPS Office", "/Producer": "WPS"})
    writer.xmp_metadata = XMP
    if encrypt:
        writer.encrypt(algorithm="AES-128", **encrypt)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_copy_has_no_document_information_or_xmp():
    data = pdf()
    assert b"Zhang San" in data and b"XmpWangWu" in data and b"PageXmpZhao" in data
    kind = identify(data, "举报材料.pdf", max_bytes=MB)
    assert kind.mime == "application/pdf" and not kind.inline
    copy = viewing_copy(data, kind)
    reader = PdfReader(io.BytesIO(copy))
    assert len(reader.pages) == 2
    assert not reader.metadata or "/Author" not in reader.metadata
    assert reader.xmp_metadata is None and "/Info" not in reader.trailer
    assert b"Zhang San" not in copy and b"XmpWangWu" not in copy and b"WPS" not in copy
    assert b"PageXmpZhao" not in copy and "/Metadata" not in reader.pages[0]


def test_pdf_locked_only_against_editing_is_opened():
    data = pdf(user_password="", owner_password="owner-secret")
    assert PdfReader(io.BytesIO(data)).is_encrypted
    copy = viewing_copy(data, identify(data, "locked.pdf", max_bytes=MB))
    reader = PdfReader(io.BytesIO(copy))
    assert not reader.is_encrypted and len(reader.pages) == 2
    assert not reader.metadata or "/Author" not in reader.metadata


def test_pdf_with_an_open_password_is_refused():
    assert "加密" in refused(pdf(user_password="1234", owner_password="5678"), "secret.pdf")


def test_broken_pdf_is_refused():
    refused(b"%PDF-1.7\n" + bytes(range(256)) * 4, "broken.pdf")


# ------------------------------------------------------------------ Office documents

CORE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
    'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" '
    'xmlns:dcterms="http://purl.org/dc/terms/">'
    "<dc:creator>李四</dc:creator><cp:lastModifiedBy>LiSi-PC</cp:lastModifiedBy>"
    "<dcterms:created>2024-05-01T08:00:00Z</dcterms:created></cp:coreProperties>"
)


def docx(*extra: tuple[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", "<Relationships/>")
        z.writestr("word/document.xml", "<w:document>正文</w:document>")
        z.writestr("word/media/image1.png", b"\x89PNG-bytes", compress_type=zipfile.ZIP_STORED)
        z.writestr("docProps/core.xml", CORE)
        z.writestr("docProps/app.xml", "<Properties><Company>某某局</Company></Properties>")
        z.writestr("docProps/custom.xml", "<Properties><property>王五</property></Properties>")
        for name, data in extra:
            z.writestr(name, data)
    return out.getvalue()


def test_office_document_properties_are_blanked():
    data = docx()
    kind = identify(data, "情况说明.docx", max_bytes=MB)
    assert kind.extension == "docx" and not kind.inline
    copy = zipfile.ZipFile(io.BytesIO(viewing_copy(data, kind)))
    assert copy.testzip() is None
    assert copy.namelist() == zipfile.ZipFile(io.BytesIO(data)).namelist()
    core = copy.read("docProps/core.xml").decode()
    assert "coreProperties" in core
    assert not any(word in core for word in ("李四", "LiSi", "creator", "lastModifiedBy", "2024"))
    assert "某某局" not in copy.read("docProps/app.xml").decode()
    assert "王五" not in copy.read("docProps/custom.xml").decode()
    assert copy.read("word/document.xml").decode() == "<w:document>正文</w:document>"
    assert copy.getinfo("word/media/image1.png").compress_type == zipfile.ZIP_STORED


def test_real_workbook_keeps_its_cells_and_loses_its_author():
    book = openpyxl.Workbook()
    book.active["A1"] = "收款账户"
    book.properties.creator = "李四"
    book.properties.lastModifiedBy = "LiSi"
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    kind = identify(data, "明细.xlsx", max_bytes=MB)
    assert kind == kind_of(cleaning._XLSX) and kind.extension == "xlsx"
    copy = viewing_copy(data, kind)
    core = zipfile.ZipFile(io.BytesIO(copy)).read("docProps/core.xml").decode()
    assert "李四" not in core and "LiSi" not in core
    reopened = openpyxl.load_workbook(io.BytesIO(copy))  # still a workbook Excel can read
    assert reopened.active["A1"].value == "收款账户"
    assert reopened.properties.creator != "李四" and reopened.properties.lastModifiedBy is None


def test_zip_bomb_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as f:
            for _ in range(201):
                f.write(bytes(MB))
    assert "压缩炸弹" in refused(out.getvalue(), "bomb.docx")


def test_zip_with_too_many_members_is_refused():
    extra = [(f"word/part{i}.xml", b"") for i in range(cleaning.ZIP_MAX_MEMBERS)]
    assert "压缩炸弹" in refused(docx(*extra), "many.docx", max_bytes=10 * MB)


def test_corrupt_member_is_refused_when_copying():
    data = bytearray(docx(("word/styles.xml", random.Random(7).randbytes(2000).hex())))
    start = data.index(b"word/styles.xml") + len(b"word/styles.xml")
    data[start + 100 : start + 140] = bytes(40)  # damage the compressed stream
    kind = identify(bytes(data), "styles.docx", max_bytes=MB)  # the directory is intact
    with pytest.raises(AttachmentRefused, match=re.escape("「styles.docx」")):
        viewing_copy(bytes(data), kind, name="styles.docx")


def test_macro_document_is_refused():
    assert "宏" in refused(docx(("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")), "macro.docx")


# ------------------------------------------------------------------ refusals in general


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
        z.writestr("run.exe", b"MZ" + bytes(64))
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("photo.jpg", b"MZ\x90\x00\x03" + bytes(300)),
        ("page.png", b"<!doctype html><html><script>alert(1)</script></html>"),
        ("logo.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("run.pdf", b"#!/bin/sh\nrm -rf ~\n"),
        ("anim.gif", b"GIF89a" + bytes(20)),
        ("archive.docx", plain_zip()),
        ("empty-zip.docx", b"PK\x05\x06" + bytes(18)),
        ("header.jpg", b"\xff\xd8\xff\xe0" + bytes(20)),
    ],
)
def test_refused_by_content_with_the_file_named(name, data):
    refused(data, name)


def test_executable_says_what_it_really_is():
    assert "exe" in refused(b"MZ\x90\x00\x03" + bytes(300), "photo.jpg")


def test_heic_photo_gets_advice():
    heic = box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic") + box(b"meta", bytes(8))
    assert "HEIC" in refused(heic, "IMG_0005.HEIC")


def test_a_plain_zip_is_not_an_office_document():
    assert "压缩包" in refused(plain_zip(), "材料.docx")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")  # no [Content_Types].xml
    assert "压缩包" in refused(out.getvalue(), "半个文档.docx")


def test_empty_and_oversized_are_refused():
    assert "空文件" in refused(b"", "空文件.jpg")
    assert "超过 1 MB" in refused(jpeg() + bytes(MB), "big.jpg")
    assert "超过 500 KB" in refused(jpeg() + bytes(600 * 1024), "big.jpg", max_bytes=500 * 1024)


def test_long_or_odd_names_are_shortened_in_messages():
    with pytest.raises(AttachmentRefused) as caught:
        identify(b"", "a\nb" + "x" * 500 + ".jpg", max_bytes=MB)
    message = str(caught.value)
    assert "a b" in message and "\n" not in message and len(message) < 150


def test_viewing_copy_refusal_names_the_file():
    with pytest.raises(AttachmentRefused, match=re.escape("「坏文件.pdf」")):
        viewing_copy(b"%PDF-1.7 garbage", kind_of("application/pdf"), name="坏文件.pdf")
    with pytest.raises(AttachmentRefused, match="MP4 视频"):
        viewing_copy(mp4() + b"\x00", kind_of("video/mp4"))


def test_every_kind_is_known_and_frozen():
    assert {k.extension for k in cleaning.KINDS.values()} == {
        "jpg",
        "png",
        "webp",
        "mp4",
        "mov",
        "pdf",
        "docx",
        "xlsx",
    }
    assert [k.extension for k in cleaning.KINDS.values() if k.inline] == ["jpg", "png", "webp"]
    assert all(CHINESE.search(k.label) for k in cleaning.KINDS.values())
    with pytest.raises(dataclasses.FrozenInstanceError):
        kind_of("image/png").inline = False  # type: ignore[misc]
    with pytest.raises(KeyError):
        kind_of("image/svg+xml")
    assert isinstance(kind_of("application/pdf"), Kind)


def test_module_imports_no_django():
    with open(cleaning.__file__, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}  # fmt: skip
    imported |= {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert imported and not any(name.split(".")[0] == "django" for name in imported)
