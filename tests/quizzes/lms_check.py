"""What the export tests share: a hostile variant, what an HTML text shows, gift-pegjs, and
the files a third-party consumer reads."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from grader.quizzes.models import Option, RubricPoint, Tolerance
from grader.quizzes.variants import ItemVariant, QuizVariant, WrongAnswerRecord

ROOT = Path(__file__).resolve().parents[2]
GIFT_PEGJS = ROOT / ".node" / "node_modules" / "gift-pegjs"
FILES = Path(__file__).with_name("files")

HOSTILE = 'a<b & c>d {x} ~=#: \\ "quote" <script>x</script> &amp; 5% //no'
"""Every character that HTML, XML or GIFT treat specially, which must reach students as typed."""


class _Shown(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.parts.append("\n" if tag == "br" else f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def shown(fragment: str) -> str:
    """The text a browser shows for an HTML fragment (a tag shows as <tag>, so none may hide)."""
    parser = _Shown()
    parser.feed(fragment)
    parser.close()
    return "".join(parser.parts).strip()


def hostile_variant(student: str = "*shared*") -> QuizVariant:
    """A variant whose every text is HOSTILE, with one item of each kind."""
    base = {"topics": ["update_rule"], "source": "01-minibatch-gradient-descent.md",
            "params": {}, "explanation": "EXPLAIN " + HOSTILE}  # fmt: skip
    tol = Tolerance(atol=5e-7)
    wrong = [WrongAnswerRecord(label="w", value=0.5, feedback="WRONG " + HOSTILE)]
    choices = [
        Option(key="right", text="RIGHT " + HOSTILE, correct=True, feedback="NOT-FOR-RIGHT"),
        Option(key="wrong", text="WRONG " + HOSTILE, feedback="WHY " + HOSTILE),
        Option(key="also", text="ALSO " + HOSTILE, correct=True, feedback="NOT-FOR-RIGHT"),
    ]
    items = [
        ItemVariant(id="num", kind="numeric", prompt=HOSTILE, points=2.0, answer=0.0005,
                    tolerance=tol, wrong_answers=wrong, **base),
        ItemVariant(id="pick", kind="multiple_choice", prompt=HOSTILE, points=1.0,
                    answer="right", options=choices[:2], **base),
        ItemVariant(id="several", kind="multiple_select", prompt=HOSTILE, points=1.0,
                    answer=["right", "also"], options=choices, **base),
        ItemVariant(id="essay", kind="short_answer", prompt=HOSTILE, points=1.0,
                    answer="MODEL-ANSWER " + HOSTILE,
                    rubric=[RubricPoint(id="p", description="RUBRIC-POINT", keywords=["k"])],
                    **base),
    ]  # fmt: skip
    return QuizVariant(quiz_id="hostile", title="TITLE " + HOSTILE, student=student,
                       description="DESC " + HOSTILE, minutes=3, items=items)  # fmt: skip


def parse_gift(text: str) -> list[dict]:
    """The questions gift-pegjs (installed in .node/ by `make install`) reads from GIFT text."""
    if not (GIFT_PEGJS / "package.json").exists():
        pytest.fail(f"gift-pegjs is not installed in {GIFT_PEGJS.parent}: run `make install`")
    node = shutil.which("node")
    assert node, "node is not on PATH (make install installs it)"
    script = Path(__file__).with_name("gift_parse.js")
    proc = subprocess.run(
        [node, str(script), str(GIFT_PEGJS)], input=text, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"gift-pegjs rejected the export: {proc.stderr}"
    return json.loads(proc.stdout)
