"""``gdgrade quiz ...``: thin typer commands over grader.quizzes (heavy imports inside).

Exit codes: 0 fine, 1 a bank or sheet failed validation, 2 bad usage. Errors are raised
(``ConfigError``, ``UsageError``) and printed as one line by the error boundary of
``grader.cli``; only ``validate`` reports issue by issue.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help=(
        "Exit-ticket quizzes: validate a bank, render or key a student's variant, export to an"
        " LMS, grade a responses sheet, summary per topic, schema of the bank format."
    ),
    no_args_is_help=True,
    add_completion=False,
)

QuizArg = Annotated[str, typer.Argument(help="A bank file, or a quiz id resolved in quizzes/.")]
StudentOpt = Annotated[str, typer.Option("--student", "-s", help="Student id (seeds the variant).")]
OutOpt = Annotated[Path | None, typer.Option("--out", "-o", help="Output path.")]
SheetArg = Annotated[
    Path,
    typer.Argument(help="CSV: student_id,question_id,response.", exists=True, dir_okay=False),
]


def _load(quiz: str):
    """Load a bank (ConfigError, exit 1, when it is not there or fails validation)."""
    from grader.quizzes import bank

    return bank.load(bank.resolve(quiz))


def _check_format(fmt: str, formats: tuple[str, ...] | list[str]) -> None:
    """UsageError (exit 2) unless ``fmt`` is one of ``formats``."""
    from grader.errors import UsageError

    if fmt not in formats:
        raise UsageError(f"--format must be one of {', '.join(formats)}, not {fmt!r}")


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Bank files (YAML) to validate.")],
) -> None:
    """Validate banks: structure, topic ids, oracles and a trial evaluation of every item."""
    from grader.quizzes import bank

    failed = 0
    topics = bank.load_topics()
    for path in files:
        try:
            quiz = bank.load(path, topics=topics)
        except bank.BankError as exc:
            failed += 1
            for issue in exc.issues:
                typer.echo(str(issue), err=True)
            continue
        typer.echo(f"{path}: ok ({quiz.id}, {len(quiz.items)} items)")
    if failed:
        raise typer.Exit(1)


@app.command()
def render(
    quiz: QuizArg,
    student: StudentOpt,
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or ipynb.")] = "md",
    out: OutOpt = None,
) -> None:
    """Render one student's variant of a quiz."""
    from grader.quizzes import render as rendering
    from grader.quizzes import variants

    _check_format(fmt, rendering.FORMATS)
    text = rendering.render(variants.build(_load(quiz), student), fmt)
    _emit(text, out)


@app.command()
def key(quiz: QuizArg, student: StudentOpt, out: OutOpt = None) -> None:
    """Print the answer key of one student's variant as JSON."""
    from grader.quizzes import render as rendering
    from grader.quizzes import variants

    data = rendering.key(variants.build(_load(quiz), student))
    _emit(json.dumps(data, indent=2) + "\n", out)


@app.command()
def export(
    quiz: QuizArg,
    fmt: Annotated[str, typer.Option("--format", "-f", help="gift, moodle-xml or qti.")],
    students: Annotated[
        Path | None,
        typer.Option(
            help="Students file (CSV with student_id, or one id per line): one "
            "variant each. Without it, one shared variant.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    out: OutOpt = None,
) -> None:
    """Export a quiz for Moodle (GIFT, XML) or Canvas (QTI 1.2 zip)."""
    from grader.quizzes import export as exporting
    from grader.quizzes import sheet, variants

    _check_format(fmt, exporting.FORMATS)
    bank_quiz = _load(quiz)
    ids = sheet.read_students(students) if students else [variants.SHARED]
    built = [variants.build(bank_quiz, s) for s in ids]
    if fmt == "qti":
        target = _writable(out or Path(f"{bank_quiz.id}-qti.zip"))
        target.write_bytes(exporting.to_qti_zip(built))
        typer.echo(f"wrote {target} ({len(built)} variant(s))")
        return
    text = exporting.to_gift(built) if fmt == "gift" else exporting.to_moodle_xml(built)
    _emit(text, out)


@app.command()
def grade(
    quiz: QuizArg,
    responses: SheetArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "quiz-results"
    ),
    students: Annotated[
        Path | None,
        typer.Option(
            help="Students list: listed students without rows get 0.", exists=True, dir_okay=False
        ),
    ] = None,
) -> None:
    """Grade a responses sheet: results.json, scores.csv, issues.csv, feedback/<student>.md."""
    from grader.quizzes import sheet

    result = _grade(quiz, responses, students)
    paths = sheet.write_outputs(result, out)
    review = sum(s.needs_review for s in result.students)
    typer.echo(
        f"graded {len(result.students)} students from {result.rows_read} rows; "
        f"{len(result.issues)} issue(s); {review} student(s) to review -> {paths['results']}"
    )
    for issue in result.issues:
        typer.echo(f"  line {issue.row}: {issue.kind}: {issue.message}", err=True)


@app.command()
def summary(
    quiz: QuizArg,
    responses: SheetArg,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory.")] = Path(
        "quiz-summary"
    ),
    students: Annotated[
        Path | None,
        typer.Option(
            help="Students list, as for `quiz grade` (students are counted the same way).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Class view per topic: percent correct, most common wrong answer, plot (md/html/png)."""
    from grader.quizzes import bank
    from grader.quizzes import summary as summarizing

    result = _grade(quiz, responses, students)
    view = summarizing.summarize(result, bank.load_topics())
    paths = summarizing.write(view, out)
    typer.echo(f"{summarizing.students_line(view)} from {result.rows_read} rows")
    for t in view.topics:
        typer.echo(f"{t.topic:<20} {t.percent_correct:5.1f}%  {t.common_wrong or '-'}")
    typer.echo(f"wrote {paths['md']}, {paths['html']}, {paths['png']}")


@app.command()
def schema(out: OutOpt = None) -> None:
    """Write the bank JSON Schema (default: quizzes/schema.json)."""
    from grader.quizzes import schema as schemas

    typer.echo(f"wrote {schemas.write(out) if out else schemas.write()}")


def _grade(quiz: str, responses: Path, students: Path | None):
    """Load, read and grade; a bad or unreadable sheet is a ConfigError (exit code 1)."""
    from grader.errors import ConfigError
    from grader.quizzes import sheet

    bank_quiz = _load(quiz)
    try:
        roster = sheet.read_students(students) if students else None
        return sheet.grade_sheet(bank_quiz, responses, roster)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the sheet: {exc}") from None


def _emit(text: str, out: Path | None) -> None:
    """Write to ``out`` or stdout."""
    if out is None:
        typer.echo(text, nl=False)
    else:
        _writable(out).write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}", err=True)


def _writable(out: Path) -> Path:
    """``out`` when a file can be written there (its folder exists); else UsageError."""
    from grader.errors import UsageError

    if out.is_dir() or not out.parent.is_dir():
        raise UsageError(f"cannot write {out}: it is a directory or its folder does not exist")
    return out
