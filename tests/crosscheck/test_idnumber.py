import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.iso7064 import mod_11_2

from xuncha.crosscheck import idnumber


@given(
    region=st.from_regex(r"[1-8][0-9]{5}", fullmatch=True),
    born=st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    seq=st.integers(0, 999),
)
def test_check_char_agrees_with_iso7064(region: str, born: dt.date, seq: int) -> None:
    number = idnumber.make_id(region, born, seq)
    # python-stdnum's MOD 11-2 is an independent implementation of the same standard.
    assert mod_11_2.is_valid(number)
    assert idnumber.is_valid18(number)


def test_single_digit_errors_are_always_caught() -> None:
    number = idnumber.make_id("430102", dt.date(1990, 1, 1), 123)
    for i in range(17):
        for d in "0123456789":
            if d != number[i]:
                assert not idnumber.is_valid18(number[:i] + d + number[i + 1 :])


def test_birth_date_must_be_real() -> None:
    first17 = "43010219900230123"  # 30 February
    assert not idnumber.is_valid18(first17 + idnumber.check_char(first17))


def test_legacy_conversion_inserts_19_and_check_digit() -> None:
    assert idnumber.from_legacy15("430102900101123") == "430102199001011238"
    assert idnumber.from_legacy15("430102901301123") is None  # month 13
    assert idnumber.from_legacy15("43010290010112") is None


def test_old_region_code_is_valid() -> None:
    # 4328xx codes were replaced in 1995; people born before keep them.
    assert idnumber.is_valid18(idnumber.make_id("432822", dt.date(1941, 3, 9), 335))


@pytest.mark.parametrize(
    ("value", "masked"),
    [("430102199001011238", "430***********1238"), ("", ""), ("1234", "****")],
)
def test_mask(value: str, masked: str) -> None:
    assert idnumber.mask(value) == masked


def test_sex_by_parity_of_digit_17() -> None:
    assert idnumber.sex(idnumber.make_id("430102", dt.date(1990, 1, 1), 123)) == "男"
    assert idnumber.sex(idnumber.make_id("430102", dt.date(1990, 1, 1), 124)) == "女"


def test_non_ascii_digits_are_not_valid() -> None:
    # Python's \d matches Arabic-Indic digits; an ID number never contains them.
    assert not idnumber.is_valid18("10000٠200001010009")
