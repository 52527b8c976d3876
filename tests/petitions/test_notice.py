"""The QR code (PNG, SVG) and the A4 notice that carries it."""

from __future__ import annotations

import datetime as dt
import io
import xml.etree.ElementTree as ET

import segno
from PIL import Image
from pypdf import PdfReader

from xuncha.petitions.notice import Notice, notice_pdf, qr_png, qr_svg, wrap

URL = "http://10.1.2.3:8000/p/Zk3F9aQ2xLmN0pRt/"


def notice(**changes) -> Notice:
    values = dict(url=URL, issuer="中共湘南市委巡察工作领导小组办公室", team="湘南市委第一巡察组", unit="青山村",
                  start=dt.date(2024, 3, 1), end=dt.date(2024, 5, 31), scope="受理反映青山村“两委”班子成员问题。",
                  phone="0739-8201234", address="湘南市邮政信箱 A001 号", issued_on=dt.date(2024, 2, 28))  # fmt: skip
    values.update(changes)
    return Notice(**values)


def test_png_is_the_code_at_the_given_scale():
    modules = segno.make(URL, error="m").symbol_size(scale=1, border=4)[0]
    image = Image.open(io.BytesIO(qr_png(URL, scale=6)))
    assert image.size == (modules * 6, modules * 6)


def test_svg_is_a_plain_standalone_drawing():
    svg = qr_svg(URL)
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert b"<script" not in svg and b"http://" not in svg.replace(b"http://www.w3.org", b"")
    width = (
        float(root.get("viewBox", root.get("width", "0")).split()[-1])
        if root.get("viewBox")
        else float(root.get("width"))
    )
    assert width == segno.make(URL, error="m").symbol_size(scale=10, border=4)[0]


def test_notice_is_one_a4_page_with_everything_on_it():
    reader = PdfReader(io.BytesIO(notice_pdf(notice())))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - 595.3) < 1 and abs(float(box.height) - 841.9) < 1
    text = reader.pages[0].extract_text()
    for expected in ("湘南市委第一巡察组", "青山村", "2024年3月1日", "2024年5月31日", "0739-8201234",
                     "受理反映青山村", "可匿名", URL, "中共湘南市委巡察工作领导小组办公室"):  # fmt: skip
        assert expected in text, expected


def test_a_long_scope_still_fits_on_the_page():
    scope = "重点受理群众身边不正之风和腐败问题。" * 33 + "完"
    reader = PdfReader(io.BytesIO(notice_pdf(notice(scope=scope[:600], unit=None))))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", "")
    assert scope[:600][-12:] in text and "扫码反映问题" in text


def test_wrapping_keeps_closing_punctuation_off_a_line_start():
    lines = wrap("甲乙丙丁，戊己庚辛。" * 10, 60, 12)
    assert len(lines) > 3
    assert all(line and line[0] not in "，。" for line in lines)
