"""Fingerprints of evidence files and texts, run in the sandboxed child
(:mod:`xuncha.sandbox`): imports no Django.

- Photos (JPEG, PNG, WebP): imagehash's pHash (64 bits as 16 hex digits), robust to
  resizing and recompression; the capture day from EXIF DateTimeOriginal (0x9003), else
  DateTimeDigitized (0x9004). EXIF DateTime (0x0132) is not read: editing software
  rewrites it, so it says when a file was last saved, not when the photo was taken.
- PDFs: the document information's /CreationDate (``D:20240315…``). A scan made today of
  an old paper is dated today, so only a PDF made before the feedback is a signal.
- Texts: jieba words (punctuation and spaces dropped) and adjacent word pairs as the
  shingles of a datasketch MinHash of :data:`NUM_PERM` permutations, stored as uint32.

A file or text without a date or too short gives empty values: no signal comes of it.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import re
import warnings
from collections.abc import Sequence
from typing import Any

NUM_PERM = 128
MIN_TEXT_CHARS = 30  # shorter reports ("已整改完毕。") are alike by nature, never compared
MIN_DESCRIPTION_CHARS = 10  # a finding's description is terse by nature
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp")
PDF_TYPE = "application/pdf"
MAX_PIXELS = 60_000_000  # beyond it Pillow's decompression-bomb check refuses the file

_EXIF_IFD = 0x8769
_ORIGINAL, _DIGITIZED = 0x9003, 0x9004
_WORD = re.compile(r"[\w\u4e00-\u9fff]")
_DIGITS = re.compile(r"\d+(?:\.\d+)?")  # numbers are what a copier edits: all read as 0
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")


def image_print(path: str) -> tuple[str, dt.date | None, str]:
    """(phash, taken day, source of the day) of a photo."""
    import imagehash
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(path) as im:
            exif = im.getexif()
            taken, source = _exif_day(exif)
            im.draft("L", (64, 64))  # JPEG: decode at a small scale, the hash needs 32×32
            return str(imagehash.phash(im)), taken, source


def _exif_day(exif: object) -> tuple[dt.date | None, str]:
    try:
        ifd = exif.get_ifd(_EXIF_IFD)  # type: ignore[attr-defined]
    except Exception:
        return None, ""
    for tag, source in ((_ORIGINAL, "exif_original"), (_DIGITIZED, "exif_digitized")):
        day = _exif_date(ifd.get(tag))
        if day:
            return day, source
    return None, ""


def _exif_date(value: object) -> dt.date | None:
    """``2024:03:15 10:20:00`` → 2024-03-15; anything else (blank, zeros) → None."""
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.strptime(value.strip()[:10], "%Y:%m:%d").date()
    except ValueError:
        return None


def pdf_print(path: str) -> tuple[str, dt.date | None, str]:
    """('', creation day, 'pdf_creation') of a PDF (no perceptual hash)."""
    from pypdf import PdfReader

    info = PdfReader(path).metadata
    raw = info.get("/CreationDate") if info else None
    return "", _pdf_date(str(raw)) if raw else None, "pdf_creation" if raw else ""


def _pdf_date(raw: str) -> dt.date | None:
    found = _PDF_DATE.match(raw.strip())
    if not found:
        return None
    year, month, day = found.group(1), found.group(2) or "01", found.group(3) or "01"
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def file_prints(
    files: Sequence[tuple[int, str, str]],
) -> list[tuple[int, str, dt.date | None, str, str]]:
    """(id, phash, taken day, date source, error) for each (id, path, content type). One
    file that fails to read gets its error; the others go on."""
    out: list[tuple[int, str, dt.date | None, str, str]] = []
    for pk, path, content_type in files:
        try:
            if content_type in IMAGE_TYPES:
                phash, taken, source = image_print(path)
            elif content_type == PDF_TYPE:
                phash, taken, source = pdf_print(path)
            else:
                phash, taken, source = "", None, ""
        except Exception as err:  # a broken file is a fact to record, not a failed run
            out.append((pk, "", None, "", f"{type(err).__name__}: {err}"[:300]))
            continue
        out.append((pk, phash, taken, source, ""))
    return out


def shingles(text: str) -> set[str]:
    """jieba words without punctuation or spaces, and each pair of adjacent words; every
    number reads as 0 (a copied report with its figures changed is still a copy)."""
    import jieba

    jieba.setLogLevel(60)
    # Without HMM (the guessing of unknown words): 2.5 times faster, and a copied text
    # splits the same way as its original either way.
    words = [w for w in jieba.lcut(_DIGITS.sub("0", text), HMM=False) if _WORD.search(w)]
    return set(words) | {a + "\x1f" + b for a, b in itertools.pairwise(words)}


def text_chars(text: str) -> int:
    return len(_WORD.findall(text))


def text_sha(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


@functools.cache
def _empty() -> Any:
    from datasketch import MinHash

    return MinHash(num_perm=NUM_PERM)  # seed 1: the same permutations in every process


@functools.cache
def _permutations() -> tuple[Any, Any]:
    """datasketch's (a, b) of its default affine32 scheme: ``a * fmix32(h) + b`` in uint32."""
    import numpy as np

    mh = _empty()
    if getattr(mh, "scheme", None) != "affine32":
        raise RuntimeError(
            f"datasketch MinHash scheme {getattr(mh, 'scheme', None)!r}, not affine32"
        )
    a, b = mh.permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def _fmix32(hv: Any) -> Any:
    """MurmurHash3's 32-bit finalizer, which datasketch's affine32 scheme applies first."""
    import numpy as np

    hv = hv ^ (hv >> np.uint32(16))
    hv = hv * np.uint32(0x85EBCA6B)
    hv = hv ^ (hv >> np.uint32(13))
    hv = hv * np.uint32(0xC2B2AE35)
    return hv ^ (hv >> np.uint32(16))


def _sha1_32(shingle: str) -> int:
    """datasketch's default hash of a value: the first 4 bytes of its SHA-1, little-endian."""
    return int.from_bytes(hashlib.sha1(shingle.encode("utf-8")).digest()[:4], "little")


MINHASH_CHUNK = 50  # texts permuted at once: 128 × some 5,000 uint32 stay in the CPU's cache
KNOWN_SHINGLES = 500_000  # shingle hashes kept between chunks (some 50 MB)


def minhashes(texts: Sequence[str], min_chars: int = MIN_TEXT_CHARS) -> list[bytes]:
    """:func:`minhash_bytes` of each text."""
    return minhashes_each([(text, min_chars) for text in texts])


def minhashes_each(texts: Sequence[tuple[str, int]]) -> list[bytes]:
    """:func:`minhash_bytes` of each (text, min_chars): the same values as datasketch, with
    the permutations applied by numpy to all shingles of :data:`MINHASH_CHUNK` texts at
    once (one datasketch ``update_batch`` per text spends more on numpy calls than on the
    work they do)."""
    import numpy as np

    a, b = _permutations()
    out = [b""] * len(texts)
    todo = [i for i, (text, least) in enumerate(texts) if text_chars(text) >= least]
    empty = np.full(NUM_PERM, 0xFFFFFFFF, dtype="<u4").tobytes()  # no shingle: datasketch's start
    known: dict[str, int] = {}  # words recur from text to text: each one's SHA-1 once
    for start in range(0, len(todo), MINHASH_CHUNK):
        chunk = todo[start : start + MINHASH_CHUNK]
        sets = [shingles(texts[i][0]) for i in chunk]
        fresh = set().union(*sets).difference(known)
        known.update(zip(fresh, map(_sha1_32, fresh), strict=True))
        hashes = list(map(known.__getitem__, itertools.chain.from_iterable(sets)))
        ends = list(itertools.accumulate(map(len, sets)))
        if len(known) > KNOWN_SHINGLES:
            known.clear()
        if not hashes:
            for i in chunk:
                out[i] = empty
            continue
        hv = _fmix32(np.array(hashes, dtype=np.uint32))
        # (NUM_PERM, shingles): each permutation's values of a text lie side by side, so
        # the minimum per text runs over contiguous memory (10 times faster than rows).
        permuted = np.multiply.outer(a, hv)  # uint32 wraps: modulo 2**32
        permuted += b.reshape(-1, 1)
        starts = np.array([0, *ends[:-1]], dtype=np.int64)
        full = np.array(ends, dtype=np.int64) > starts  # a text without shingles: no column
        mins = np.minimum.reduceat(permuted, starts[full], axis=1)
        rows = iter(np.ascontiguousarray(mins.T, dtype="<u4"))
        for i, has in zip(chunk, full, strict=True):
            out[i] = next(rows).tobytes() if has else empty
    return out


def minhash_bytes(text: str, min_chars: int = MIN_TEXT_CHARS) -> bytes:
    """The text's MinHash as NUM_PERM little-endian uint32 (empty for a short text): the
    hash values of a datasketch ``MinHash(num_perm=NUM_PERM)`` updated with its shingles."""
    return minhashes([text], min_chars)[0]


def minhash_bytes_datasketch(text: str, min_chars: int = MIN_TEXT_CHARS) -> bytes:
    """:func:`minhash_bytes` through datasketch itself, one text at a time (the reference
    the vectorised values are tested against)."""
    import numpy as np

    if text_chars(text) < min_chars:
        return b""
    mh = _empty().copy()  # a copy keeps the permutations: 3 times faster than a new one
    mh.update_batch([s.encode("utf-8") for s in shingles(text)])
    return np.asarray(mh.hashvalues, dtype="<u4").tobytes()


def text_prints(
    texts: Sequence[tuple[int, str]], min_chars: int = MIN_TEXT_CHARS
) -> list[tuple[int, str, bytes]]:
    """(id, sha1 of the text, MinHash bytes) for each (id, text)."""
    values = minhashes([text for _, text in texts], min_chars)
    return [(pk, text_sha(text), mh) for (pk, text), mh in zip(texts, values, strict=True)]
