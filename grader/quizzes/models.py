"""The quiz bank format: pydantic models that the YAML banks and quizzes/schema.json follow.

A bank is one ``Quiz``; its items are a discriminated union on ``kind``. Anything computable
(the answer of a parameterised item, its common wrong answers) is an ``OracleCall`` into the
registry in ``grader.quizzes.oracles``, never a hand-typed number.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Scalar = float | int | str | bool
NOTES_FILES = (
    "01-minibatch-gradient-descent.md",
    "02-minibatch-as-regularization.md",
    "03-optimizers-lr-momentum-sgd.md",
    "04-minibatch-in-action-iris.md",
    "05-assessment-and-day4-plan.md",
)
"""The course notes an item's ``source`` may cite (shipped in assignments/notes/)."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Param(_Strict):
    """A per-student parameter: one of ``choices``, or a grid low, low + step, ..., high."""

    choices: list[Scalar] | None = None
    """The values to draw from (the notes' own value may be the only one)."""
    low: float | None = None
    """Grid start (with ``high`` and ``step``)."""
    high: float | None = None
    """Grid end, included when it lies on the grid."""
    step: float | None = None
    """Grid spacing (> 0); integer low/high/step give integer values."""

    @model_validator(mode="after")
    def _one_form(self) -> Param:
        grid = (self.low, self.high, self.step)
        if self.choices is not None:
            if any(v is not None for v in grid):
                raise ValueError("give either choices or low/high/step, not both")
            if not self.choices:
                raise ValueError("choices must not be empty")
        elif any(v is None for v in grid):
            raise ValueError("a range needs all of low, high and step")
        elif self.step <= 0 or self.high < self.low:  # type: ignore[operator]
            raise ValueError("a range needs step > 0 and high >= low")
        return self

    def values(self) -> list[Scalar]:
        """Every value this parameter can take, in order."""
        if self.choices is not None:
            return list(self.choices)
        low, high, step = self.low, self.high, self.step
        count = int((high - low) / step + 1e-9) + 1  # type: ignore[operator]
        whole = all(float(v).is_integer() for v in (low, high, step))
        vals = [round(low + i * step, 10) for i in range(count)]  # type: ignore[operator]
        return [int(v) for v in vals] if whole else vals


class OracleCall(_Strict):
    """A call into the oracle registry with the item's parameters (and derived values)."""

    oracle: str
    """Registered oracle name (grader.quizzes.oracles.ORACLES)."""
    args: dict[str, Any] = Field(default_factory=dict)
    """Extra keyword arguments: literals, or "$name" for a parameter or derived value.
    Oracle arguments not given here are taken from parameters of the same name."""


class Tolerance(_Strict):
    """Accept |response - answer| <= max(atol, rtol * |answer|)."""

    atol: float = Field(0.0, ge=0)
    """Absolute tolerance."""
    rtol: float = Field(0.0, ge=0)
    """Relative tolerance, a fraction of |answer|."""

    def width(self, answer: float) -> float:
        """The half-width of the accepted interval around ``answer``."""
        return max(self.atol, self.rtol * abs(answer))

    def accepts(self, answer: float, response: float) -> bool:
        """Whether ``response`` is within tolerance of ``answer``."""
        return abs(response - answer) <= self.width(answer) * (1 + 1e-9) + 1e-12


class WrongAnswer(_Strict):
    """A common wrong answer, computed by its own oracle, with feedback on why it is wrong."""

    label: Slug
    """Short id for reports, e.g. ``sign_error``."""
    oracle: OracleCall
    """Computes the wrong value for the same parameters."""
    feedback: str
    """What the student probably did, and why it is wrong."""


class KeywordMisconception(_Strict):
    """A wrong idea in a short answer, spotted by any of its keywords."""

    label: Slug
    """Short id for reports."""
    keywords: list[str] = Field(min_length=1)
    """Case-insensitive phrases; any one present flags the misconception."""
    feedback: str
    """Why the idea is wrong."""


class RubricPoint(_Strict):
    """One point of a short-answer rubric, earned when any of its keywords appears."""

    id: Slug
    """Rubric point id."""
    description: str
    """What the answer should say."""
    keywords: list[str] = Field(min_length=1)
    """Case-insensitive phrases (synonyms); any one earns the point."""
    weight: float = Field(1.0, gt=0)
    """Share of the item's points (normalised over the rubric)."""


class Option(_Strict):
    """An option of a choice item."""

    key: Slug
    """Stable key (grading accepts the key, the letter shown, or the text)."""
    text: str
    """What the student reads."""
    correct: bool = False
    """Marked correct (unless the item's ``answer`` oracle picks the key)."""
    feedback: str = ""
    """Shown when this option is chosen wrongly (or, for a correct one, missed)."""


class ItemBase(_Strict):
    """Fields every item has."""

    id: Slug
    """Unique within the quiz; the question_id of the responses sheet."""
    prompt: str
    """Question text; ``{name}`` is replaced by a parameter or derived value."""
    topics: list[str] = Field(min_length=1)
    """Topic ids from assignments/topics.yaml that the item assesses."""
    source: str = Field(pattern=r"^0[1-5]-[a-z0-9-]+\.md(#.+)?$")
    """Notes file and section the item is written from, e.g. ``05-...md#exit-ticket``."""
    points: float = Field(1.0, gt=0)
    """Maximum points."""
    explanation: str = ""
    """Worked reasoning shown in feedback and the key."""
    params: dict[str, Param] = Field(default_factory=dict)
    """Per-student parameters."""
    derived: dict[str, OracleCall] = Field(default_factory=dict)
    """Values computed from the parameters (in order), usable in the prompt and oracles."""


class NumericItem(ItemBase):
    """A number, within a tolerance."""

    kind: Literal["numeric"]
    answer: OracleCall
    """Computes the correct number."""
    tolerance: Tolerance
    """How close a response must be."""
    unit: str = ""
    """Unit shown after the blank (responses may carry it)."""
    wrong_answers: list[WrongAnswer] = Field(default_factory=list)
    """Common wrong answers with feedback."""


class TraceItem(ItemBase):
    """The next ``steps`` iterates of an algorithm, each within a tolerance.

    Each iterate is graded on its own and is one question in an LMS export, so a trace is
    worth one point per iterate unless the bank gives ``points``: every LMS question then
    carries a whole mark (GIFT can carry no other)."""

    kind: Literal["trace"]
    steps: int = Field(ge=1, le=10)
    """How many iterates to fill in."""
    variable: str = "x"
    """Name of the iterate shown in blanks, x_1 .. x_steps."""
    answer: OracleCall
    """Computes the list of iterates."""
    tolerance: Tolerance
    """Per-iterate tolerance."""
    wrong_answers: list[WrongAnswer] = Field(default_factory=list)
    """Whole wrong trajectories with feedback."""

    @model_validator(mode="before")
    @classmethod
    def _point_per_iterate(cls, data: Any) -> Any:
        if isinstance(data, dict) and "points" not in data and isinstance(data.get("steps"), int):
            return {**data, "points": float(data["steps"])}
        return data


class MultipleChoiceItem(ItemBase):
    """Exactly one option is right."""

    kind: Literal["multiple_choice"]
    options: list[Option] = Field(min_length=2)
    """The options, lettered A, B, C, ... in the order each student is shown them."""
    shuffle: bool = True
    """Each student sees the options in an order of their own (the shared variant keeps
    this order); false keeps this order for everyone, for options whose order matters."""
    answer: OracleCall | None = None
    """Optional oracle returning the correct option key (then no option is marked correct)."""

    @model_validator(mode="after")
    def _one_correct(self) -> MultipleChoiceItem:
        marked = sum(o.correct for o in self.options)
        if self.answer is None and marked != 1:
            raise ValueError(f"exactly one option must be correct, found {marked}")
        if self.answer is not None and marked:
            raise ValueError("with an answer oracle, mark no option correct")
        return self


class MultipleSelectItem(ItemBase):
    """Every correct option must be selected; partial credit, wrong picks subtract."""

    kind: Literal["multiple_select"]
    options: list[Option] = Field(min_length=2)
    """The options, lettered A, B, C, ... in the order each student is shown them."""
    shuffle: bool = True
    """As for multiple choice."""

    @model_validator(mode="after")
    def _some_correct(self) -> MultipleSelectItem:
        if not any(o.correct for o in self.options):
            raise ValueError("at least one option must be correct")
        return self


class ShortAnswerItem(ItemBase):
    """Free text scored by a keyword rubric and flagged for manual review when uncertain."""

    kind: Literal["short_answer"]
    model_answer: str
    """A full-marks answer, for the key and feedback."""
    rubric: list[RubricPoint] = Field(min_length=1)
    """Points to look for."""
    wrong_answers: list[KeywordMisconception] = Field(default_factory=list)
    """Misconceptions to spot."""


Item = Annotated[
    NumericItem | TraceItem | MultipleChoiceItem | MultipleSelectItem | ShortAnswerItem,
    Field(discriminator="kind"),
]


class Quiz(_Strict):
    """One quiz bank (one YAML file in quizzes/)."""

    id: Slug
    """Quiz id; also the file stem and part of every student's variant seed."""
    title: str
    """Shown at the top."""
    assignment: str
    """The assignment topic this quiz goes with (e.g. ``gd_basics``)."""
    description: str = ""
    """Instructions for the student."""
    minutes: int | None = Field(None, ge=1)
    """Suggested time."""
    items: list[Item] = Field(min_length=1)
    """The questions, in order (ids unique: checked by grader.quizzes.bank with lines)."""
