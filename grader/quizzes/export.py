"""LMS exports of quiz variants: Moodle GIFT, Moodle XML, and Canvas QTI 1.2 (a zip).

Each format has its own module (gift, moodle_xml, qti and qti_package); all start from the
flattened questions of ``lms_question``. Texts are escaped so that an LMS rendering them as
HTML shows them literally, numbers are plain decimals, option feedback sits on wrong options
only, and an essay's model answer and rubric never reach student-visible feedback. Marks add
up to the bank's points in every format: a trace's iterates share its points exactly
(``lms_question.shares``; whole marks for the shipped banks, a trace being worth a point per
iterate), and GIFT, which carries no marks, exports only questions worth 1.
"""

from __future__ import annotations

from grader.quizzes.gift import gift_escape, to_gift
from grader.quizzes.lms_question import Question, decimal, questions
from grader.quizzes.moodle_xml import to_moodle_xml
from grader.quizzes.qti_package import to_qti_zip

FORMATS = ("gift", "moodle-xml", "qti")

__all__ = [
    "FORMATS",
    "Question",
    "decimal",
    "gift_escape",
    "questions",
    "to_gift",
    "to_moodle_xml",
    "to_qti_zip",
]
