"""Messy responses are read, or refused, never guessed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from grader.quizzes import parse
from grader.quizzes.models import Option


@pytest.mark.parametrize(
    ("text", "value"),
    [("1.5", 1.5), ("1,5", 1.5), (" -.5 ", -0.5), ("−2,25", -2.25), ("3/4", 0.75),
     ("0.5 s", 0.5), ("x = 2e-3", 0.002), ("1,234.5", 1234.5), ("1 000", 1000.0),
     ("~0.33", 0.33), ("+3", 3.0), ("7 steps", 7.0)],
)  # fmt: skip
def test_numbers_are_read(text: str, value: float) -> None:
    parsed = parse.number(text)
    assert parsed is not None and parsed.value == pytest.approx(value)


@pytest.mark.parametrize("text", ["", "abc", "no idea", "0.5 or 0.6", "between 1 and 2", "1/0"])
def test_unreadable_numbers_are_refused(text: str) -> None:
    assert parse.number(text) is None


def test_notes_say_what_was_assumed() -> None:
    parsed = parse.number("1,5 s")
    assert parsed is not None
    assert any("decimal comma" in n for n in parsed.notes)
    assert any("'s'" in n for n in parsed.notes)


@settings(max_examples=60, deadline=None)
@given(st.floats(-1e4, 1e4, allow_nan=False), st.booleans())
def test_number_round_trip(value: float, comma: bool) -> None:
    text = f"{value:.6f}"
    if comma:
        text = text.replace(".", ",")
    parsed = parse.number(text)
    assert parsed is not None and parsed.value == pytest.approx(float(f"{value:.6f}"))


@pytest.mark.parametrize(
    "text",
    ["8.4; -11.76", "[8.4, -11.76]", "x1 = 8.4, x2 = -11.76", "8,4; -11,76", "8.4 -11.76",
     "8.4\n-11.76", "8.4 | -11.76"],
)  # fmt: skip
def test_lists_are_read(text: str) -> None:
    parsed = parse.numbers(text, 2)
    assert parsed is not None and parsed.value == pytest.approx([8.4, -11.76])


def test_short_list_is_read_and_noted() -> None:
    parsed = parse.numbers("1.5", 3)
    assert parsed is not None and parsed.value == [1.5]
    assert any("1 value" in n for n in parsed.notes)


OPTIONS = [Option(key="up", text="Uphill"), Option(key="down", text="Downhill", correct=True),
           Option(key="flat", text="Along the contour")]  # fmt: skip


@pytest.mark.parametrize(
    ("text", "keys"),
    [("B", ["down"]), ("b)", ["down"]), ("down", ["down"]), ("  downhill. ", ["down"]),
     ("A, C", ["flat", "up"]), ("a and c", ["flat", "up"]), ("C;A;A", ["flat", "up"]),
     ("Along the contour", ["flat"])],
)  # fmt: skip
def test_choices_by_letter_key_or_text(text: str, keys: list[str]) -> None:
    parsed = parse.choices(text, OPTIONS)
    assert parsed is not None and parsed.value == keys


@pytest.mark.parametrize("text", ["D", "sideways", "A, Z"])
def test_unknown_choices_are_refused(text: str) -> None:
    assert parse.choices(text, OPTIONS) is None
