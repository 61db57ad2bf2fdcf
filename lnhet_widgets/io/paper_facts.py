"""The numbers the lessons credit to P1 and P2, each with the paper's words and its place.

The table is ``lnhet_widgets/data/paper_facts.yaml``; ``tests/test_paper_facts.py`` checks each
quote against the papers' text and every number a lesson credits to a paper against the table.
A lesson or a docstring that needs one of the papers' numbers can read it from here instead of
typing it again.

Examples
--------
>>> fact = paper_fact("p1_yb_lifetime_heterostructure")
>>> fact.value, fact.unit, fact.paper
(34.0, 'µs', 'P1')
>>> fact.quote
'showed a decreased lifetime from 43 to 34 μ s'
>>> paper_fact("p2_lifetime_pristine").value_text()
'0.10'
>>> len(paper_facts("P2")) < len(paper_facts())
True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

__all__ = ["PaperFact", "paper_fact", "paper_facts"]

PAPERS = ("P1", "P2")
_FIELDS = ("id", "paper", "quantity", "value", "unit", "quote", "place")


@dataclass(frozen=True)
class PaperFact:
    """One number of a source paper.

    Attributes
    ----------
    id : str
        Name of the fact, ``p1_…`` or ``p2_…``.
    paper : {"P1", "P2"}
        The paper that states it.
    quantity : str
        What the number is, in words.
    value : float
        The number.
    unit : str
        Its unit (``""`` for a plain number, ``"×"`` for a ratio).
    quote : str
        A short passage of the paper's text that contains the number as written.
    place : str
        Where the passage stands: section and paragraph, or figure.
    spread : float or None
        The ± the paper gives with the value (the standard deviation of a size), if any.
    written : str
        The value as the paper writes it (``"0.10"``), kept because a float drops the zero.
    """

    id: str
    paper: str
    quantity: str
    value: float
    unit: str
    quote: str
    place: str
    spread: float | None = None
    written: str = ""

    def value_text(self) -> str:
        """The value as written in the quote (``"0.10"``, not ``0.1``)."""
        return self.written or f"{self.value:g}"

    def values(self) -> tuple[float, ...]:
        """The value, and the spread if the paper gives one."""
        return (self.value,) if self.spread is None else (self.value, self.spread)


def _fact(entry: dict, index: int) -> PaperFact:
    where = f"paper_facts.yaml, fact {index + 1} ({entry.get('id', 'no id')})"
    missing = [name for name in _FIELDS if name not in entry]
    if missing:
        raise ValueError(f"{where}: missing field(s) {missing}; every fact needs {list(_FIELDS)}")
    if entry["paper"] not in PAPERS:
        raise ValueError(f"{where}: paper must be one of {PAPERS}, got {entry['paper']!r}")
    numbers = {}
    for name in ("value", "spread"):
        text = entry.get(name)
        if text is None:
            continue
        try:
            numbers[name] = float(str(text))
        except ValueError:
            raise ValueError(f"{where}: {name} must be a number written as in the quote, "
                             f"got {text!r}") from None
    return PaperFact(id=str(entry["id"]), paper=entry["paper"], quantity=str(entry["quantity"]),
                     value=numbers["value"], unit=str(entry["unit"]), quote=str(entry["quote"]),
                     place=str(entry["place"]), spread=numbers.get("spread"),
                     written=str(entry["value"]))


@cache
def _table() -> tuple[PaperFact, ...]:
    text = (resources.files("lnhet_widgets.data") / "paper_facts.yaml").read_text("utf-8")
    facts = tuple(_fact(entry, i) for i, entry in enumerate(yaml.safe_load(text)["facts"]))
    ids = [fact.id for fact in facts]
    doubled = sorted({i for i in ids if ids.count(i) > 1})
    if doubled:
        raise ValueError(f"paper_facts.yaml: fact ids must be unique, repeated: {doubled}")
    return facts


def paper_facts(paper: str | None = None) -> tuple[PaperFact, ...]:
    """Every fact of the table, or only those of ``paper`` (``"P1"`` or ``"P2"``)."""
    if paper is None:
        return _table()
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {PAPERS}, got {paper!r}")
    return tuple(fact for fact in _table() if fact.paper == paper)


def paper_fact(fact_id: str) -> PaperFact:
    """The fact named ``fact_id`` (see :func:`paper_facts` for the names)."""
    for fact in _table():
        if fact.id == fact_id:
            return fact
    close = sorted(f.id for f in _table() if f.id.split("_")[0] == str(fact_id).split("_")[0])
    raise ValueError(f"no paper fact named {fact_id!r}; facts of that paper: {close}")
