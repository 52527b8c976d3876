"""The QR code (PNG, SVG) and the A4 notice that carries it. Needs no Django and no
database. No QR decoder is installed: the codes are compared module by module with
segno's own matrix instead, read back from the pixels, the SVG path and the PDF squares."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET

import pytest
import segno
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ContentStream
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from xuncha.petitions.notice import Notice, notice_pdf, qr_png, qr_svg, wrap

URL = "http://10.1.2.3:8000/p/Zk3F9aQ2xLmN0pRt/"
SVG_NS = "{http://www.w3.org/2000/svg}"
A4_W, A4_H = 595.28, 841.89
SCOPE = "主要受理反映青山村“两委”班子及其成员问题的来信、来电、来访，重点是群众身边的不正之风和腐败问题。"
NOTICE = Notice(
    url=URL,
    issuer="中共湘南市委巡察工作领导小组办公室",
    team="湘南市委第一巡察组",
    unit="青山村",
    start=dt.date(2024, 3, 1),
    end=dt.date(2024, 5, 31),
    scope=SCOPE,
    phone="0739-8201234",
    address="湘南市邮政信箱A001号",
    issued_on=dt.date(2024, 2, 28),
)


def matrix(url: str = URL) -> list[list[int]]:
    return [list(row) for row in segno.make(url, error="m").matrix]


def modules(url: str = URL) -> int:
    """Modules across, the four-module quiet zone included."""
    return segno.make(url, error="m").symbol_size(scale=1, border=4)[0]


# --- PNG and SVG ----------------------------------------------------------------------------


def test_png_is_the_code_at_the_given_scale_pixel_for_module():
    png = qr_png(URL, scale=6)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(png)).convert("L")
    n = modules()
    assert image.size == (n * 6, n * 6)
    seen = [[int(image.getpixel((x * 6 + 3, y * 6 + 3)) < 128) for x in range(n)] for y in range(n)]
    assert all(not any(row) for row in seen[:4] + seen[-4:])  # quiet zone: white
    assert all(not any(row[:4] + row[-4:]) for row in seen)
    assert [row[4:-4] for row in seen[4:-4]] == matrix()


def test_png_default_scale_is_ten_pixels_a_module():
    assert Image.open(io.BytesIO(qr_png(URL))).size == (modules() * 10,) * 2


def test_a_short_link_still_gets_a_regular_qr_code_not_a_micro_one():
    short = "http://x.cn/"
    assert segno.make(short, error="m").is_micro  # what segno.make would have chosen
    size = Image.open(io.BytesIO(qr_png(short, scale=1))).size
    assert size == (21 + 8, 21 + 8)  # version 1, the smallest that phone cameras read


def svg_matrix(path_data: str, count: int) -> list[list[int]]:
    """The dark modules of segno's SVG path: absolute ``M x y``, relative ``m dx dy``, and
    ``h n`` drawing n modules of a row (the stroke runs along the row's middle)."""
    grid = [[0] * count for _ in range(count)]
    x = y = 0.0
    for op, args in re.findall(r"([MmHhVvZzLl])([^MmHhVvZzLl]*)", path_data):
        nums = [float(v) for v in args.replace(",", " ").split()]
        if op == "M":
            x, y = nums
        elif op == "m":
            x, y = x + nums[0], y + nums[1]
        elif op == "h":
            for col in range(round(x), round(x + nums[0])):
                grid[int(y)][col] = 1
            x += nums[0]
        else:
            raise AssertionError(f"unexpected path command {op}")
    return grid


def test_svg_is_a_plain_standalone_drawing_of_the_same_code():
    svg = qr_svg(URL)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg"
    assert b"<script" not in svg.lower() and b"href" not in svg.lower()
    assert b"<image" not in svg and b"<style" not in svg and b"<foreignObject" not in svg
    assert re.findall(rb"https?://[^\"']+", svg) == [b"http://www.w3.org/2000/svg"]
    assert svg.decode("utf-8").startswith("<?xml")

    n = modules()
    assert root.get("viewBox") == f"0 0 {n} {n}"
    assert root.get("width") == f"{n}mm"  # 1 mm a module unless scaled
    paths = root.findall(f"{SVG_NS}path")
    assert [p.get("fill") for p in paths if p.get("fill")] == ["#fff"]  # white background
    (dark,) = (p for p in paths if p.get("stroke") == "#000")
    grid = svg_matrix(dark.get("d", ""), n)
    assert [row[4:-4] for row in grid[4:-4]] == matrix()
    assert sum(map(sum, grid)) == sum(map(sum, matrix()))  # nothing in the quiet zone


# --- the PDF, read back ----------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    """One string drawn on the page, with its box in points."""

    text: str
    x: float
    y: float  # baseline
    size: float
    width: float

    def box(self) -> tuple[float, float, float, float]:
        return (self.x, self.y - 0.25 * self.size, self.x + self.width, self.y + 0.88 * self.size)


def _mul(a: list[float], b: list[float]) -> list[float]:
    return [
        a[0] * b[0] + a[1] * b[2],
        a[0] * b[1] + a[1] * b[3],
        a[2] * b[0] + a[3] * b[2],
        a[2] * b[1] + a[3] * b[3],
        a[4] * b[0] + a[5] * b[2] + b[4],
        a[4] * b[1] + a[5] * b[3] + b[5],
    ]


def drawn(pdf: bytes) -> tuple[list[Run], list[tuple[float, ...]], list[list[float]]]:
    """Walk the page's content stream: the text runs, the filled rectangles (as drawn,
    in their own coordinates) and the transformation each rectangle was drawn under."""
    reader = PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    fonts = {
        k: str(v.get_object()["/BaseFont"])[1:] for k, v in page["/Resources"]["/Font"].items()
    }
    ctm, char_space, stack = [1.0, 0, 0, 1, 0, 0], 0.0, []
    tm, font, size = [1.0, 0, 0, 1, 0, 0], "", 0.0
    runs: list[Run] = []
    rects: list[tuple[float, ...]] = []
    transforms: list[list[float]] = []
    for operands, op in ContentStream(page.get_contents(), reader).operations:
        name = op.decode()
        if name == "q":
            stack.append((ctm, char_space))
        elif name == "Q":
            ctm, char_space = stack.pop()
        elif name == "cm":
            ctm = _mul([float(v) for v in operands], ctm)
        elif name == "Tm":
            tm = [float(v) for v in operands]
        elif name == "Tf":
            font, size = fonts[operands[0]], float(operands[1])
        elif name == "Tc":
            char_space = float(operands[0])
        elif name == "Tj":
            raw = operands[0].original_bytes
            text = raw.decode("utf-16-be") if font == "STSong-Light" else raw.decode("latin-1")
            width = pdfmetrics.stringWidth(text, font, size) + char_space * (len(text) - 1)
            m = _mul(tm, ctm)
            runs.append(Run(text, m[4], m[5], size * m[0], width * m[0]))
        elif name == "re":
            rects.append(tuple(float(v) for v in operands))
            transforms.append(ctm)
    return runs, rects, transforms


def text_of(pdf: bytes) -> str:
    """The page's text as pypdf extracts it, lines joined (wrapped text reads on)."""
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    return reader.pages[0].extract_text().replace("\n", "")


def code_in(pdf: bytes) -> tuple[list[list[int]], tuple[float, float, float, float]]:
    """The QR code as drawn with filled rectangles (each one or more whole modules): its
    matrix, and its box on the page in points with the four-module quiet zone."""
    _, rects, transforms = drawn(pdf)
    assert rects
    boxes = []
    for (x, y, w, h), t in zip(rects, transforms, strict=True):
        assert t[1] == t[2] == 0 < t[0] == t[3]  # moved and scaled, not turned
        boxes.append((t[0] * x + t[4], t[3] * y + t[5], t[0] * w, t[3] * h))
    module = min(min(w, h) for *_, w, h in boxes)
    left, top = min(b[0] for b in boxes), max(b[1] + b[3] for b in boxes)
    n = round((max(b[0] + b[2] for b in boxes) - left) / module)
    grid = [[0] * n for _ in range(n)]
    for x, y, w, h in boxes:
        col, row = (x - left) / module, (top - y - h) / module
        assert abs(col - round(col)) < 0.01 and abs(row - round(row)) < 0.01  # on the grid
        for r in range(round(row), round(row + h / module)):
            for c in range(round(col), round(col + w / module)):
                grid[r][c] = 1
    quiet = 4 * module
    return grid, (left - quiet, top - n * module - quiet, left + n * module + quiet, top + quiet)


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_laid_out(pdf: bytes) -> list[Run]:
    """Everything inside 20 mm margins, no two strings on top of each other, nothing in
    the code or its quiet zone."""
    runs, _, _ = drawn(pdf)
    _, code_box = code_in(pdf)
    for run in runs:
        x0, y0, x1, y1 = run.box()
        assert x0 >= 20 * mm - 0.01 and x1 <= A4_W - 20 * mm + 0.01, run
        assert y0 >= 20 * mm and y1 <= A4_H - 20 * mm, run
        assert not overlaps(run.box(), code_box), run
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            assert not overlaps(a.box(), b.box()), (a, b)
    return runs


def test_notice_is_one_a4_page_with_everything_on_it():
    pdf = notice_pdf(NOTICE)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert abs(float(box.width) - A4_W) < 1 and abs(float(box.height) - A4_H) < 1
    text = text_of(pdf)
    for expected in (
        "中共湘南市委第一巡察组巡察公告",
        "码上巡察",
        "湘南市委第一巡察组于2024年3月1日至2024年5月31日进驻青山村开展巡察",
        "受理范围：" + SCOPE,
        "联系电话：0739-8201234",
        "来信请寄：湘南市邮政信箱A001号",
        "受理时间：2024年3月1日至2024年5月31日",
        "扫码反映问题（可匿名）",
        URL,
        "依纪依法保护反映人，可匿名反映",
        "中共湘南市委巡察工作领导小组办公室2024年2月28日",
    ):
        assert expected in text, expected


def test_the_code_in_the_pdf_is_vector_squares_of_the_same_code():
    pdf = notice_pdf(NOTICE)
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    assert not page.images and "/XObject" not in page["/Resources"]
    grid, (x0, y0, x1, _) = code_in(pdf)
    assert grid == matrix()
    assert x1 - x0 >= 55 * mm  # large: a short scope leaves room for a big code
    assert abs((x0 + x1) / 2 - A4_W / 2) < 0.5  # centred
    runs = assert_laid_out(pdf)
    below = [r.text for r in sorted(runs, key=lambda r: -r.y) if r.y < y0]
    assert below[:3] == ["扫码反映问题（可匿名）", "无法扫码的，可在浏览器中输入以下网址：", URL]


def test_body_lines_are_justified_to_the_right_margin():
    runs = assert_laid_out(notice_pdf(NOTICE))
    body = [r for r in runs if min(abs(r.x - 25 * mm), abs(r.x - 25 * mm - 2 * r.size)) < 0.01]
    assert len(body) >= 8 and {r.size for r in body} == {13}  # a short scope: large type
    right_edges = [r.x + r.width for r in body]
    assert len([e for e in right_edges if abs(e - (A4_W - 25 * mm)) < 0.5]) >= 3
    assert all(e <= A4_W - 25 * mm + 0.5 for e in right_edges)


@pytest.mark.parametrize("length", [500, 600])  # the form accepts up to 600 characters
def test_a_long_scope_still_fits_on_the_page(length):
    base = "重点受理群众身边不正之风和腐败问题，以及违反中央八项规定精神的问题；"
    scope = (base * 30)[: length - 4] + "到此为止"
    pdf = notice_pdf(dataclasses.replace(NOTICE, scope=scope))
    text = text_of(pdf)
    assert scope[-40:] in text and "扫码反映问题（可匿名）" in text and "2024年2月28日" in text
    runs = assert_laid_out(pdf)
    assert min(r.size for r in runs) >= 7.5
    grid, (x0, _, x1, _) = code_in(pdf)
    assert grid == matrix()
    assert x1 - x0 >= 40 * mm


def test_a_scope_too_long_for_one_page_is_refused_not_cut():
    with pytest.raises(ValueError, match="一页"):
        notice_pdf(dataclasses.replace(NOTICE, scope="问" * 5000))


def test_a_team_wide_code_names_no_unit_and_a_bare_team_gets_its_committee():
    pdf = notice_pdf(dataclasses.replace(NOTICE, unit=None, team="第一巡察组", address=""))
    text = text_of(pdf)
    assert "中共湘南市委第一巡察组巡察公告" in text
    assert "湘南市委第一巡察组于2024年3月1日至2024年5月31日开展巡察。" in text
    assert "进驻" not in text and "来信请寄" not in text and "青山村" in text  # only in the scope
    assert_laid_out(pdf)


def test_a_long_link_is_printed_whole_within_the_margins():
    url = "https://xuncha.example.gov.cn/petitions/public/" + "k" * 120 + "/"
    pdf = notice_pdf(dataclasses.replace(NOTICE, url=url))
    assert url in text_of(pdf)
    grid, _ = code_in(pdf)
    assert grid == matrix(url)
    assert_laid_out(pdf)


# --- wrapping ------------------------------------------------------------------------------


def test_wrapping_keeps_every_character_and_every_line_within_the_width():
    text = (
        "根据巡察工作统一部署，巡察组于2024年3月1日至2024年5月31日开展巡察，电话0739-8201234。" * 3
    )
    lines = wrap(text, 200, 12, indent=24)
    assert "".join(lines) == text
    assert pdfmetrics.stringWidth(lines[0], "STSong-Light", 12) <= 176
    assert all(pdfmetrics.stringWidth(line, "STSong-Light", 12) <= 200 for line in lines)
    assert len(lines) >= 5


def test_wrapping_keeps_punctuation_numbers_and_latin_runs_together():
    text = "甲乙丙丁，戊己庚辛。“壬癸”（子丑）0739-8201234、A001号于2024年5月31日" * 6
    lines = wrap(text, 80, 12)
    assert "".join(lines) == text and len(lines) > 12
    assert not any(line[0] in "，。、”）" for line in lines)
    assert not any(line[-1] in "“（" for line in lines)
    for whole in ("0739-8201234", "A001号", "2024年", "31日"):
        assert sum(line.count(whole) for line in lines) == 6, whole


def test_wrapping_splits_a_run_longer_than_a_line():
    lines = wrap("x" * 100, 60, 12)
    assert "".join(lines) == "x" * 100 and len(lines) > 2
    assert all(pdfmetrics.stringWidth(line, "STSong-Light", 12) <= 60 for line in lines)
