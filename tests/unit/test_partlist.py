"""A pasted parts list: every accepted shape, blank lines, repeats, and bad lines named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disty.domain.partlist import MAX_LINES, MAX_QUANTITY, PartLine, parse_part_list
from disty.errors import InvalidInput


@pytest.mark.parametrize(
    "line",
    ["QQ0202 3", "QQ0202,3", "QQ0202 , 3", "QQ0202;3", "QQ0202\t3", "QQ0202 x 3", "qq0202 X 3",
     "  QQ0202   3  ", "QQ0202 × 3", "QQ0202=3", "QQ0202 = 3"],
)  # fmt: skip
def test_each_shape_is_a_part_and_a_quantity(line: str) -> None:
    assert parse_part_list(line) == [PartLine("QQ0202", 3, 1)]


def test_a_part_alone_is_one_and_blank_lines_are_ignored() -> None:
    text = "\n  \nC9200L-24P-4G-E\r\n\n123512 2\n"
    assert parse_part_list(text) == [PartLine("C9200L-24P-4G-E", 1, 3), PartLine("123512", 2, 5)]


def test_a_part_named_twice_is_one_line_with_the_quantities_added() -> None:
    assert parse_part_list("QQ0202 2\n3N7314\nqq0202 x 5") == [
        PartLine("QQ0202", 7, 1),
        PartLine("3N7314", 1, 2),
    ]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("QQ0202 2\nQQ0202 two", "line 2 ('QQ0202 two'): the quantity 'two'"),
        ("QQ0202 0", "line 1 ('QQ0202 0'): the quantity '0'"),
        ("QQ0202 -1", "line 1"),
        ("QQ0202 1.5", "the quantity '1.5'"),
        (f"QQ0202 {MAX_QUANTITY + 1}", f"from 1 to {MAX_QUANTITY}"),
        ("\n\nQQ0202 3 4", "line 3 ('QQ0202 3 4') is not a part number and a quantity"),
        ("<script> 1", "line 1"),
        ("QQ0202,", "line 1"),
        ("", "the list is empty"),
        (" \n\n", "the list is empty"),
        (f"QQ0202 {MAX_QUANTITY}\nQQ0202 1", f"more than {MAX_QUANTITY}"),
    ],
)
def test_a_bad_list_is_refused_naming_the_line(text: str, says: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_part_list(text)
    assert says in str(refused.value)
    assert refused.value.field == "parts"


def test_too_many_parts_are_refused() -> None:
    text = "\n".join(f"P{n:05d} 1" for n in range(MAX_LINES + 1))
    with pytest.raises(InvalidInput, match=f"at most {MAX_LINES}"):
        parse_part_list(text)
    assert len(parse_part_list("\n".join(f"P{n:05d}" for n in range(MAX_LINES)))) == MAX_LINES


_parts = st.from_regex(r"[A-Z0-9][A-Z0-9-]{0,11}", fullmatch=True)


@given(st.dictionaries(_parts, st.integers(1, 500), min_size=1, max_size=20))
def test_any_written_list_reads_back(wanted: dict[str, int]) -> None:
    text = "\n".join(f"{part} x {qty}" for part, qty in wanted.items())
    assert {line.part: line.quantity for line in parse_part_list(text)} == wanted


def test_a_longer_list_may_be_allowed_where_the_caller_takes_one() -> None:
    text = "\n".join(f"PART{n} 1" for n in range(MAX_LINES + 1))
    with pytest.raises(InvalidInput, match=f"at most {MAX_LINES}"):
        parse_part_list(text)
    assert len(parse_part_list(text, max_lines=500)) == MAX_LINES + 1


@pytest.mark.parametrize(
    "header",
    ["SKU,Qty", "Part Number\tQuantity", "part number; quantity", "Item Qty", "SKU", "MPN x Qty."],
)
def test_a_spreadsheet_header_row_is_skipped(header: str) -> None:
    assert parse_part_list(f"\n{header}\nQQ0202\t3\n") == [PartLine("QQ0202", 3, 3)]


def test_a_header_word_after_the_first_line_is_a_bad_line() -> None:
    with pytest.raises(InvalidInput, match="line 2"):
        parse_part_list("QQ0202 3\nSKU,Qty")


def test_every_bad_line_is_named_with_its_text_cut() -> None:
    essay = "This is not a part list but a long paragraph pasted by mistake into the box"
    text = "\n".join(["QQ0202 3", "QQ0202 two", essay, "OK1", "<b> 1", "X,"])
    with pytest.raises(InvalidInput) as refused:
        parse_part_list(text)
    said = str(refused.value)
    assert said.startswith("4 lines are not right: line 2 ('QQ0202 two')")
    for number in (2, 3, 5, 6):
        assert f"line {number} " in said
    assert essay not in said
    assert repr(essay[:39] + "…") in said
    # The accepted characters are the ones the parser takes: '#', '/', '+' are, '<' is not.
    assert "letters, digits and . _ / # + -" in said
    assert parse_part_list("AB#1/2+C 1")[0].part == "AB#1/2+C"


def test_many_bad_lines_are_all_named() -> None:
    text = "\n".join(f"BAD! {n}" for n in range(30))
    with pytest.raises(InvalidInput) as refused:
        parse_part_list(text)
    said = str(refused.value)
    assert said.startswith("30 lines are not right")
    assert said.count(" is not a part number") == 10
    assert "and lines 11, 12," in said
    assert said.count("line ") >= 10
    assert "30." in said
