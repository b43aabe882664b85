"""The exit-ticket step of ``gdgrade demo``: grade the sample class's sheet and summarise it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.paths import QUIZ_DIR
from grader.quizzes import bank, sheet
from grader.quizzes import summary as summarizing

SAMPLES = QUIZ_DIR / "samples"


def run(out: Path, console: Any) -> Path:
    """Grade ``exit_ticket`` on the shipped responses; write results and the class summary."""
    quiz = bank.load(bank.resolve("exit_ticket"))
    result = sheet.grade_sheet(
        quiz, SAMPLES / "exit_ticket_responses.csv", sheet.read_students(SAMPLES / "students.csv")
    )
    sheet.write_outputs(result, out)
    view = summarizing.summarize(result, bank.load_topics())
    summarizing.write(view, out / "summary")
    console.print(f"[bold]4. Exit ticket[/bold]: {len(result.students)} students graded")
    for topic in view.topics:
        wrong = f", most common wrong answer: {topic.common_wrong}" if topic.common_wrong else ""
        console.print(f"   {topic.topic:<18} {topic.percent_correct:5.1f}% correct{wrong}")
    return out
