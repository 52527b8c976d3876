"""Chinese word segmentation (jieba), shared by the sham-rectification signals' text
fingerprints and the common-problem grouping. Imports no Django."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any


@cache
def tokenizer() -> Any:
    """jieba's default tokenizer, its dictionary loaded once per process, quietly."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    jieba.initialize()
    return jieba.dt
