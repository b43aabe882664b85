"""Grade a responses sheet (CSV: student_id, question_id, response) and write the results.

Nothing is dropped silently: every data row is either graded or listed as a ``SheetIssue``
(unknown question, duplicate, no student id), and a listed student without rows gets
``missing`` items. Header names are matched loosely (case, spaces, common aliases).
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from grader.errors import ConfigError
from grader.quizzes import grading, variants
from grader.quizzes.models import Quiz
from grader.quizzes.records import QuizGradeResult, SheetIssue, StudentGradeResult

ALIASES = {
    "student_id": {"student_id", "student", "studentid", "id", "user", "username", "sis_id"},
    "question_id": {"question_id", "question", "questionid", "item", "item_id", "qid"},
    "response": {"response", "answer", "value", "student_response"},
}
QUIZ_COLUMN = {"quiz", "quiz_id"}
"""An optional column: rows naming another quiz are reported, not graded."""
"""Accepted header spellings for each required column."""


def _columns(header: list[str]) -> dict[str, int]:
    """Column index of each required field; ConfigError naming the missing ones."""
    norm = [re.sub(r"[\s\-]+", "_", h.strip().lower()) for h in header]
    found = {}
    for field, names in ALIASES.items():
        hits = [i for i, h in enumerate(norm) if h in names]
        if hits:
            found[field] = hits[0]
    missing = sorted(set(ALIASES) - set(found))
    if missing:
        raise ConfigError(f"responses sheet needs columns {missing}; its header is {header}")
    return found


def read_students(path: Path) -> list[str]:
    """Student ids from a file: a CSV with a student_id (or id) column, or one id per line."""
    lines = [ln for ln in path.read_text(encoding="utf-8-sig").splitlines() if ln.strip()]
    if not lines:
        return []
    header = next(csv.reader([lines[0]]))
    norm = [h.strip().lower() for h in header]
    for name in ("student_id", "student", "id"):
        if name in norm:
            col = norm.index(name)
            rows = csv.reader(lines[1:])
            return [r[col].strip() for r in rows if len(r) > col and r[col].strip()]
    return [ln.strip() for ln in lines]


def read_rows(
    path: Path, quiz_id: str = ""
) -> tuple[dict[str, dict[str, tuple[int, str]]], list[SheetIssue], int]:
    """student -> question -> (row, response); plus the issues and the count of data rows."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    if not rows:
        raise ConfigError(f"{path}: the responses sheet is empty")
    cols = _columns(rows[0])
    header = [h.strip().lower() for h in rows[0]]
    quiz_col = next((i for i, h in enumerate(header) if h in QUIZ_COLUMN), None)
    table: dict[str, dict[str, tuple[int, str]]] = {}
    issues: list[SheetIssue] = []
    data = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    for line, row in data:
        cell = {f: (row[i] if i < len(row) else "") for f, i in cols.items()}
        student, question = cell["student_id"].strip(), cell["question_id"].strip().lower()
        other = row[quiz_col].strip() if quiz_col is not None and quiz_col < len(row) else ""
        if quiz_id and other and other != quiz_id:
            issues.append(
                SheetIssue(
                    row=line,
                    kind="other_quiz",
                    student_id=student,
                    question_id=question,
                    message=f"row is for quiz {other!r}, not {quiz_id!r}; not graded",
                )
            )
            continue
        if not student:
            issues.append(
                SheetIssue(
                    row=line,
                    kind="no_student_id",
                    question_id=question,
                    message="row has no student id; not graded",
                )
            )
            continue
        answers = table.setdefault(student, {})
        if question in answers:
            first = answers[question][0]
            issues.append(
                SheetIssue(
                    row=line,
                    kind="duplicate",
                    student_id=student,
                    question_id=question,
                    message=f"second response (first on line {first}); the later one is graded",
                )
            )
        answers[question] = (line, cell["response"])
    return table, issues, len(data)


def grade_sheet(quiz: Quiz, path: Path, students: list[str] | None = None) -> QuizGradeResult:
    """Grade every student in the sheet (and every listed student) on their own variant."""
    table, issues, count = read_rows(path, quiz.id)
    item_ids = {item.id for item in quiz.items}
    roster = set(students or [])
    for student, answers in sorted(table.items()):
        if students is not None and student not in roster:
            issues.append(
                SheetIssue(
                    row=min(r for r, _ in answers.values()),
                    kind="unknown_student",
                    student_id=student,
                    message="not in the students list; graded anyway",
                )
            )
        for question, (line, _) in sorted(answers.items()):
            if question not in item_ids:
                issues.append(
                    SheetIssue(
                        row=line,
                        kind="unknown_question",
                        student_id=student,
                        question_id=question,
                        message=f"quiz {quiz.id!r} has no item {question!r}; not graded",
                    )
                )
    results = []
    for student in sorted(set(table) | roster):
        variant = variants.build(quiz, student)
        answers = table.get(student, {})
        records = [
            grading.grade(item, answers.get(item.id, (0, None))[1]) for item in variant.items
        ]
        results.append(
            StudentGradeResult(
                student_id=student,
                quiz_id=quiz.id,
                items=records,
                score=round(sum(r.points for r in records), 4),
                max_score=sum(r.max_points for r in records),
                needs_review=any(r.needs_review for r in records),
            )
        )
    return QuizGradeResult(
        quiz_id=quiz.id,
        quiz_title=quiz.title,
        responses_file=str(path),
        rows_read=count,
        students=results,
        issues=sorted(issues, key=lambda i: i.row),
    )


def safe_name(student: str) -> str:
    """A student id usable as a file name."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", student).strip("._") or "student"


def feedback_markdown(result: StudentGradeResult, title: str) -> str:
    """One student's feedback page."""
    lines = [
        f"# {title}: feedback for {result.student_id}",
        "",
        f"Score: {grading.show_points(result.score)} / {grading.show_points(result.max_score)} "
        f"({result.percent:.0f}%)",
        "",
    ]
    if result.needs_review:
        lines += [
            "Some answers are flagged for a teacher to read; their points are provisional.",
            "",
        ]
    for rec in result.items:
        mark = {"correct": "✓", "partial": "½", "review": "?"}.get(rec.status, "✗")
        lines += [
            f"## {mark} {rec.question_id} ({grading.show_points(rec.points)}/"
            f"{grading.show_points(rec.max_points)}, {rec.status})",
            "",
        ]
        if rec.response is not None:
            lines += [f"Your answer: `{rec.response.strip() or '(blank)'}`", ""]
        lines += [rec.feedback, ""]
        if rec.notes:
            lines += ["Read as: " + "; ".join(rec.notes), ""]
    return "\n".join(lines)


def write_outputs(result: QuizGradeResult, out: Path) -> dict[str, Path]:
    """results.json (canonical), scores.csv, issues.csv and feedback/<student>.md."""
    out.mkdir(parents=True, exist_ok=True)
    paths = {
        "results": out / "results.json",
        "scores": out / "scores.csv",
        "issues": out / "issues.csv",
        "feedback": out / "feedback",
    }
    paths["results"].write_text(result.model_dump_json(indent=2), encoding="utf-8")
    ids = [rec.question_id for rec in result.students[0].items] if result.students else []
    with paths["scores"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student_id", "score", "max_score", "percent", "needs_review", *ids])
        for s in result.students:
            writer.writerow(
                [
                    s.student_id,
                    s.score,
                    s.max_score,
                    f"{s.percent:.1f}",
                    s.needs_review,
                    *(r.points for r in s.items),
                ]
            )
    with paths["issues"].open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["row", "kind", "student_id", "question_id", "message"])
        for i in result.issues:
            writer.writerow([i.row, i.kind, i.student_id, i.question_id, i.message])
    paths["feedback"].mkdir(exist_ok=True)
    for s in result.students:
        page = feedback_markdown(s, result.quiz_title)
        (paths["feedback"] / f"{safe_name(s.student_id)}.md").write_text(page, encoding="utf-8")
    return paths


def load_result(path: Path) -> QuizGradeResult:
    """Read a results.json back."""
    return QuizGradeResult.model_validate(json.loads(path.read_text(encoding="utf-8")))
