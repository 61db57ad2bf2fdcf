"""Every number a lesson credits to P1 or P2 is in the checked table of paper facts.

Two checks:

1. **The table against the papers.** Each fact's quote occurs in the paper's text (both
   whitespace-normalised, so line breaks and doubled spaces of the PDF extraction do not matter)
   and contains the fact's value. The papers' text is not shipped with the package; it is read
   from ``$LNHET_PAPERS_DIR`` or ``../shared/papers`` next to the repository (P1 = ``000_*.txt``,
   P2 = ``004_*.txt``), and the check is skipped where neither exists.
2. **The lessons against the table.** Every notebook of the course, and the text of the labs
   (``lnhet_widgets/widgets``: strings and comments), is scanned for numbers credited to a
   paper, and each must equal a value (or spread) of one of that paper's facts.

How a number is credited to a paper (the rule of check 2)
---------------------------------------------------------
The scanned text is each markdown cell (without LaTeX ``$…$`` and HTML tags) and, in code
cells, every string literal (implicitly concatenated parts joined, f-string expressions left
out) and every comment. It is cut into *units*: table rows, and elsewhere paragraphs (and list
items, headings) with their line breaks joined.

A *mark* is ``P1`` or ``P2`` as a word; "the paper" counts as the lesson's own paper (P2 in
lesson 03, P1 elsewhere). A mark credits

- **forward** — the clause after it, when it is written ``P1:``, ``P1's``, ``P1 measures`` (or
  finds, quotes, gives, sees, reports, observes, says, states, grew, calls, excited, puts):
  ``(P2: 116×)``, ``P1's 508 nm``, ``P1 measures 34 µs``;
- **backward** — the clause before it, when it is written ``(P1)`` or ``as in P1``:
  ``+2.9 % (P1)``;
- **a table column** — every cell below a header cell that contains a mark (``| P2 |``,
  ``| P1's observation |``); a mark in the *first* header cell (``| observation (P1) | … |``)
  credits the whole table.

A forward clause ends at ``;``, ``:``, an unbalanced ``)``, ``|``, a dash ``—``, a sentence
end, a comma before a word, "and at", or after 90 characters; a backward clause runs back to
the sentence start, an unbalanced ``(``, ``;`` or ``|`` (at most 90 characters), so in
``t = 0.815 — "0.81, near the lower limit" (P1)`` both numbers are credited. Inside a clause
a number counts unless it is part of a word or formula (``CsPbBr3``, ``Yb0.3``, ``LnNP40``,
``2c``), a figure, equation or section number (``Fig. 2``, ``Eqs. (1)–(6)``, ``§6``), a Miller
index (``(110)``), or zero. A credited number *agrees* with a fact of the same paper when the
fact's value (or spread, the ± of a size) rounds to it at the number's own precision (``0.4``
agrees with 0.41, ``0.815`` does not agree with 0.81); signs are ignored, so a "blue shift of
4 nm" may be written −4 nm. Anything else fails the test with the notebook, the cell, the
number and its clause: a number missing from the table, or one that contradicts it
(``t = 0.815 (P1)``, where P1 gives 0.81).
"""

from __future__ import annotations

import ast
import io
import os
import re
import tokenize
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from lnhet_widgets.io import paper_facts

ROOT = Path(__file__).parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
PAPER_FILES = {"P1": "000_*.txt", "P2": "004_*.txt"}
LESSON_PAPER = {"03": "P2"}  # whose "the paper" a lesson means; P1 elsewhere

VERBS = ("measures", "measured", "finds", "found", "quotes", "gives", "sees", "saw", "reports",
         "observes", "says", "states", "grew", "calls", "excited", "puts")
MARK = re.compile(r"\b(P[12])\b|\b(the paper)\b", re.IGNORECASE)
FORWARD = re.compile(r"\s*(?::|['’]s\b|\s+(?:" + "|".join(VERBS) + r")\b)")
NUMBER = re.compile(r"(?<![\w.,/])[+\-−]?(\d+(?:\.\d+)?)(?![\w])(?!\.\d)")
NOT_A_VALUE = re.compile(
    r"(?:Figs?\.|Eqs?\.|Table|§|ref\.|Supplementary Fig\.|Movie|Note|lesson|Lesson|step)\s*$")
MILLER = re.compile(r"\(\s*-?\d[\d\s-]*\)")
CLAUSE_END = re.compile(r";|\||—|:|\.\s|\.$|\n|,\s+(?=[^\W\d])| and at ")
MAX_CLAUSE = 90


@dataclass(frozen=True)
class Credit:
    notebook: str
    cell: int
    paper: str
    number: str
    clause: str

    def __str__(self) -> str:
        return (f"{self.notebook} cell {self.cell}: {self.number} credited to {self.paper} "
                f"in {self.clause.strip()!r}")


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _paper_text(paper: str) -> str | None:
    folder = Path(os.environ.get("LNHET_PAPERS_DIR", ROOT.parent / "shared" / "papers"))
    files = sorted(folder.glob(PAPER_FILES[paper])) if folder.is_dir() else []
    return _normalise(files[0].read_text(encoding="utf-8")) if files else None


# --- check 1: the table against the papers -----------------------------------------------------


@pytest.mark.parametrize("fact", paper_facts(), ids=lambda f: f.id)
def test_quote_is_in_the_paper_and_holds_the_value(fact):
    assert fact.value_text() in fact.quote, f"{fact.id}: {fact.value_text()!r} not in its quote"
    text = _paper_text(fact.paper)
    if text is None:
        pytest.skip(f"the text of {fact.paper} is not here (set LNHET_PAPERS_DIR)")
    assert _normalise(fact.quote) in text, f"{fact.id}: quote not found in {fact.paper}"


# --- check 2: the lessons against the table ----------------------------------------------------


def _markdown_units(source: str) -> list[str]:
    """Table rows one by one; other text as paragraphs with their line breaks joined."""
    source = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$", " ", source, flags=re.DOTALL)
    source = re.sub(r"<[^>]+>", " ", source)
    units: list[str] = []
    paragraph: list[str] = []
    for line in source.split("\n"):
        stripped = line.strip()
        starts_block = (not stripped or stripped.startswith(("|", "#", "- ", "* "))
                        or re.match(r"\d+\. ", stripped))
        if starts_block and paragraph:
            units.append(" ".join(paragraph))
            paragraph = []
        if stripped.startswith("|"):
            units.append(stripped)
        elif stripped:
            paragraph.append(stripped)
    if paragraph:
        units.append(" ".join(paragraph))
    return units


def _code_units(source: str) -> list[str]:
    units: list[str] = []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # IPython magics; the notebook test reports real errors
        return units
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            units.append("".join(v.value if isinstance(v, ast.Constant) else " "
                                 for v in node.values))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            units.append(node.value)
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    units += [tok.string for tok in tokens if tok.type == tokenize.COMMENT]
    return units


def _forward_end(text: str, i: int) -> bool:
    return bool(CLAUSE_END.match(text, i)) and not text.startswith("..", i)


def _backward_end(text: str, i: int) -> bool:
    return text[i] in ";|" or (text[i] == "." and text[i + 1:i + 2] == " ")


def _clause(text: str, start: int, step: int) -> str:
    """The clause from ``start`` forward (``step`` 1) or backward (−1), by the module's rule;
    a balanced parenthesis inside it belongs to it, an unbalanced one ends it."""
    inner, outer = ("(", ")") if step > 0 else (")", "(")
    ends = _forward_end if step > 0 else _backward_end
    positions = (range(start, min(len(text), start + MAX_CLAUSE)) if step > 0
                 else range(start - 1, max(0, start - MAX_CLAUSE) - 1, -1))
    depth, stop = 0, positions.stop
    for i in positions:
        if text[i] == inner:
            depth += 1
        elif text[i] == outer:
            if depth == 0:
                stop = i
                break
            depth -= 1
        elif ends(text, i):
            stop = i
            break
    return text[start:stop] if step > 0 else text[stop + 1:start]


def _numbers(clause: str) -> list[str]:
    clause = MILLER.sub(" ", clause)
    found = []
    for match in NUMBER.finditer(clause):
        if NOT_A_VALUE.search(clause[:match.start()]) or float(match.group(1)) == 0:
            continue
        found.append(match.group(1))
    return found


def _credits_in_line(line: str, own_paper: str | None) -> list[tuple[str, str]]:
    """(paper, clause) pairs of one sentence, string or comment by the rule above; without
    ``own_paper`` "the paper" credits nothing."""
    out = []
    for mark in MARK.finditer(line):
        if not (mark.group(1) or own_paper):
            continue
        paper = (mark.group(1) or own_paper).upper()
        forward = FORWARD.match(line, mark.end())
        if forward:
            out.append((paper, _clause(line, forward.end(), 1)))
        if line[mark.end():mark.end() + 1] == ")" and line[mark.start() - 1:mark.start()] == "(":
            out.append((paper, _clause(line, mark.start() - 1, -1)))
        elif line[max(0, mark.start() - 6):mark.start()].lower() == "as in ":
            out.append((paper, _clause(line, mark.start() - 6, -1)))
    return out


def _table_credits(lines: list[str], own_paper: str) -> list[tuple[str, str]]:
    out, header = [], None
    for line in lines:
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [(m.group(1) or own_paper).upper() if (m := MARK.search(c)) else None
                      for c in cells]
            continue
        if set("".join(cells)) <= set("-: "):
            continue
        everything = header[0]
        for paper, cell in zip(header, cells, strict=False):
            if paper or everything:
                out.append((paper or everything, cell))
    return out


def lesson_credits(path: Path) -> list[Credit]:
    """Every number the notebook at ``path`` credits to P1 or P2, by the rule above."""
    own = LESSON_PAPER.get(path.name[:2], "P1")
    nb = nbformat.read(path, as_version=4)
    credits = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            lines = _markdown_units(cell.source)
            pairs = _table_credits(lines, own)
            pairs += [p for line in lines if not line.lstrip().startswith("|")
                      for p in _credits_in_line(line, own)]
        elif cell.cell_type == "code":
            pairs = [p for unit in _code_units(cell.source)
                     for line in unit.split("\n") for p in _credits_in_line(line, own)]
        else:
            continue
        credits += [Credit(path.name, index, paper, number, clause)
                    for paper, clause in pairs for number in _numbers(clause)]
    return credits


def _agrees(number: str, paper: str) -> bool:
    decimals = len(number.partition(".")[2])
    value = float(number)
    return any(abs(abs(v) - value) <= 0.5 * 10 ** -decimals + 1e-9
               for fact in paper_facts(paper) for v in fact.values())


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_numbers_credited_to_a_paper_are_in_the_table(path):
    wrong = [str(c) for c in lesson_credits(path) if not _agrees(c.number, c.paper)]
    assert not wrong, "numbers credited to a paper that its table lacks or contradicts:\n" + \
        "\n".join(wrong)


@pytest.mark.parametrize("path", sorted((ROOT / "lnhet_widgets" / "widgets").rglob("*.py")),
                         ids=lambda p: p.stem)
def test_numbers_the_widgets_credit_to_a_paper_are_in_the_table(path):
    # The labs' labels, notes and messages that the lessons show, by the same rule; a widget
    # serves both papers, so "the paper" credits nothing here.
    units = _code_units(path.read_text(encoding="utf-8"))
    wrong = [f"{path.name}: {number} credited to {paper} in {clause.strip()!r}"
             for unit in units for paper, clause in _credits_in_line(" ".join(unit.split()), None)
             for number in _numbers(clause) if not _agrees(number, paper)]
    assert not wrong, "\n".join(wrong)


def test_the_rule_finds_credits_in_every_form():
    own = "P1"
    found = {(paper, n) for line in (
        "the misfit is +2.9 % (P1), and", "P1's 508 nm", "(P2: 116×)", "P1 measures 34 µs.",
        "t = 0.815, as in P1") for paper, clause in _credits_in_line(line, own)
        for n in _numbers(clause)}
    assert found == {("P1", "2.9"), ("P1", "508"), ("P2", "116"), ("P1", "34"), ("P1", "0.815")}
    table = ["| quantity | P2 | model |", "|---|---|---|", "| lifetime | 0.41 ms | 0.52 ms |"]
    assert [_numbers(c) for _, c in _table_credits(table, own)] == [["0.41"]]
    ignored = "P1's CsPbBr3 (110) peak in Fig. 2c, Eqs. (1)–(6), §6 of LnNP40 with Yb0.3"
    assert [n for _, c in _credits_in_line(ignored, own) for n in _numbers(c)] == []
    assert not _agrees("0.815", "P1") and _agrees("0.81", "P1") and _agrees("0.4", "P1")
