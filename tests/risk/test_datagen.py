"""The department data generator: the shipped model, computing on the planted values,
finds seed 004's 859 / 388 / 170 of 1,417 and each unit's planted level."""

from __future__ import annotations

import numpy as np
import openpyxl
import pytest

from xuncha.risk.datagen import shares, write_department_workbooks
from xuncha.risk.engine import classify_arrays
from xuncha.risk.spec import parse_spec, shipped_model_text

SEED = 20711  # used by no other test


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    units = [(f"T{i:05d}", f"石{i}村" if i % 9 else f"新{i}社区", f"镇{i % 37}镇", f"县{i % 6}")
             for i in range(1417)]  # fmt: skip
    units[10] = (units[10][0], "同名村", "东镇", "县0")
    units[11] = (units[11][0], "同名村", "西镇", "县1")
    folder = tmp_path_factory.mktemp("depts")
    return units, write_department_workbooks(folder, units, year=2025, seed=SEED)


def test_shares_are_seed_004_and_sum():
    assert shares(1417) == {"general": 859, "watch": 388, "high": 170}
    for n in (1, 7, 100, 2999):
        assert sum(shares(n).values()) == n


def test_model_computes_the_planted_levels(generated):
    units, data = generated
    spec = parse_spec(shipped_model_text())
    codes = [u[0] for u in units]
    values = {c: np.array([data.values[u].get(c, np.nan) for u in codes]) for c in spec.codes}
    result = classify_arrays(spec, values)
    assert result.counts() == {"general": 859, "watch": 388, "high": 170}
    computed = dict(zip(codes, result.level_names, strict=True))
    assert computed == data.truth
    must = {codes[i] for i in np.flatnonzero(result.raised[:, 0])}
    assert must == set(data.must_cases) and len(must) > 20  # raised by the rule, not the score
    assert 0 < result.elevated.sum() < 170


def test_workbooks_are_messy(generated):
    units, data = generated
    assert [f.department for f in data.files] == ["组织部", "农业农村局", "自然资源局", "信访局"]
    names = {u[0]: u[1] for u in units}
    blank_codes = text_numbers = suffixed = 0
    for f in data.files:
        ws = openpyxl.load_workbook(f.path, read_only=True)[f.sheet]
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        header = rows[f.header_row - 1]
        assert list(f.columns) == header[: len(f.columns)]
        body = [r for r in rows[f.header_row :] if r[2]]
        blank_codes += sum(1 for r in body if not r[3])
        text_numbers += sum(1 for r in body for c in r[4:] if isinstance(c, str))
        suffixed += sum(1 for r in body if str(r[2]).endswith(("村委会", "居委会")))
        ghost = [row for (name, row), code in data.resolutions.items()
                 if name == f.path.name and code == ""]  # fmt: skip
        assert len(ghost) == 1 and "已撤并" in rows[ghost[0] - 1][2]
    assert blank_codes > 50 and text_numbers > 50 and suffixed > 50
    several = {k: v for k, v in data.resolutions.items() if v}
    assert len(several) == 1
    (((_name, row), code),) = several.items()
    ws = openpyxl.load_workbook(data.files[0].path, read_only=True)[data.files[0].sheet]
    cells = next(iter(ws.iter_rows(min_row=row, max_row=row, values_only=True)))
    assert cells[2] == names[code] == "同名村" and not cells[3] and not cells[1]
