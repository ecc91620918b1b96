"""The newsroom's vocabulary: the editor-maintained names of people, places,
organisations and terms, with their aliases (issue 14).

The file is UTF-8 TSV, one entry a line::

    canonical<TAB>kind<TAB>alias|alias|…<TAB>notes

``kind`` is one of :data:`KINDS`; aliases and notes may be empty; a line
whose first non-blank character is ``#`` is a comment, blank lines are
skipped.  Names are compared in the matching form
(:func:`index.normalization.match_text`), so Traditional, full-width and
case variants need no entry of their own.

Loading never stops at a bad line: each is reported as ``file:line:
reason`` (a :class:`~index.articles.Problem`) and the rest is loaded.  A
name whose matching form is one character is refused, because as an alias it
would widen a search to nearly every article.

A vocabulary lives inside a snapshot (:data:`SNAPSHOT_FILE`), so workers
pick up a changed file with the snapshot that carries it.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .articles import Problem
from .normalization import match_text

#: Environment variable naming the vocabulary file a build or update uses.
VOCAB_ENV = "NEWSEARCH_VOCAB"
#: The vocabulary's file name inside a snapshot directory.
SNAPSHOT_FILE = "vocab.tsv"
#: Kinds of entries, in the order facets list them.
KINDS = ("person", "place", "org", "term")
#: Separator of aliases in the third column.
ALIAS_SEP = "|"


@dataclass(frozen=True)
class Entry:
    """One line of the vocabulary: a canonical name, its kind and aliases."""

    canonical: str
    kind: str
    aliases: tuple[str, ...] = ()
    notes: str = ""
    line: int = 0

    @property
    def names(self) -> tuple[str, ...]:
        """The canonical name first, then the aliases as written."""
        return (self.canonical, *self.aliases)


@dataclass
class Vocabulary:
    """Entries, looked up by the matching form of any of their names.

    ``problems`` holds the lines that were refused (``file:line: reason``).
    """

    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    digest: str = ""
    _by_form: dict[str, list[Entry]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for entry in self.entries:
            for form in {match_text(n) for n in entry.names}:
                self._by_form.setdefault(form, []).append(entry)

    def __len__(self) -> int:
        return len(self.entries)

    def __bool__(self) -> bool:
        return bool(self.entries)

    def lookup(self, text: str) -> list[Entry]:
        """The entries one of whose names is ``text`` as a whole (after normalization)."""
        return list(self._by_form.get(match_text(text), ()))

    def forms(self) -> dict[str, list[Entry]]:
        """Every name's matching form → the entries that have it."""
        return self._by_form

    def alternatives(self, text: str) -> list[str]:
        """The other names (as written) of every entry ``text`` names, in file
        order, without ``text``'s own form: what an unquoted term widens to."""
        own = match_text(text)
        out: list[str] = []
        seen = {own}
        for entry in self.lookup(text):
            for name in entry.names:
                form = match_text(name)
                if form not in seen:
                    seen.add(form)
                    out.append(name)
        return out

    def words(self) -> list[str]:
        """Every name as written, for jieba's dictionary."""
        return [n for e in self.entries for n in e.names]


def parse_vocabulary(lines: Iterable[str], source: str = "<vocabulary>") -> Vocabulary:
    """Read vocabulary lines; bad lines become problems, the rest entries."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    digest = hashlib.sha1()
    for number, raw in enumerate(lines, 1):
        digest.update(raw.encode("utf-8"))
        line = raw.rstrip("\r\n")
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        entry, reasons = _parse_line(line, number)
        problems.extend(Problem(source, number, r) for r in reasons)
        if entry is not None:
            entries.append(entry)
    return Vocabulary(entries, problems, digest.hexdigest()[:12])


def _parse_line(line: str, number: int) -> tuple[Entry | None, list[str]]:
    cols = [c.strip() for c in line.split("\t")]
    if len(cols) < 2:
        return None, ["expected canonical<TAB>kind<TAB>aliases<TAB>notes (no tab found)"]
    if len(cols) > 4:
        return None, [f"expected at most 4 tab-separated columns, found {len(cols)}"]
    canonical, kind = cols[0], cols[1]
    aliases_col = cols[2] if len(cols) > 2 else ""
    notes = cols[3] if len(cols) > 3 else ""
    if kind not in KINDS:
        return None, [f"kind must be one of {', '.join(KINDS)}, not {kind!r}"]
    problem = _name_problem(canonical, "canonical name")
    if problem:
        return None, [problem]
    reasons: list[str] = []
    aliases: list[str] = []
    forms = {match_text(canonical)}
    for alias in (a.strip() for a in aliases_col.split(ALIAS_SEP)):
        if not alias:
            continue
        problem = _name_problem(alias, f"alias {alias!r}")
        if problem:
            reasons.append(problem)
            continue
        form = match_text(alias)
        if form not in forms:  # a Traditional or full-width spelling adds nothing
            forms.add(form)
            aliases.append(alias)
    return Entry(canonical, kind, tuple(aliases), notes, number), reasons


def _name_problem(name: str, what: str) -> str | None:
    form = match_text(name)
    if not form:
        return f"{what} is empty once punctuation and spaces are removed"
    if len(form) == 1:
        return f"{what} has one character ({form!r}): it would match nearly every article; refused"
    return None


def load_vocabulary(path: str | os.PathLike[str]) -> Vocabulary:
    """Read a vocabulary file; an unreadable file raises ``OSError`` or
    ``UnicodeDecodeError`` (the caller reports it), bad lines are problems."""
    with open(path, encoding="utf-8") as fh:
        return parse_vocabulary(fh, str(path))


def snapshot_vocabulary(snapshot_dir: str | os.PathLike[str]) -> Vocabulary:
    """The vocabulary a snapshot carries, or an empty one."""
    path = Path(snapshot_dir) / SNAPSHOT_FILE
    if not path.exists():
        return Vocabulary()
    return load_vocabulary(path)


def resolve_vocabulary_path(path: str | os.PathLike[str] | None = None) -> Path | None:
    """The vocabulary file a build uses: ``path``, else ``$NEWSEARCH_VOCAB``,
    else none (by default no vocabulary applies)."""
    chosen = path or os.environ.get(VOCAB_ENV)
    return Path(chosen) if chosen else None
