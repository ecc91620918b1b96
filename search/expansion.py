"""Query expansion by the newsroom's vocabulary: an unquoted term that names
an entry also matches the entry's other names (issue 14).

The rule, applied to a parsed query (the grammar itself knows nothing of it):

* an unquoted term whose matching form is, as a whole, a name or an alias
  of one or more entries (:meth:`index.vocab.Vocabulary.alternatives`)
  becomes ``term OR "name" OR "name" …``: each other name is a quoted phrase,
  an exact substring under the same contract as anything quoted, in the
  term's own scope (``title:郑东`` widens within titles);
* the term itself still matches exactly as without a vocabulary, so an
  article that literally contains what the user typed is never missed;
* quoted phrases, jieba's sub-words of a term, and metadata scopes
  (``author:``, ``source:`` …) do not widen; neither does anything when the
  request says ``expand=false``;
* the added names are not terms the user typed: they do not count toward
  :data:`search.models.MAX_QUERY_TERMS` (the parser counted before this).

:class:`Expansion` also says, per widened term, which names to look for in
a hit, so each hit can tell which form matched it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from index.normalization import match_text
from index.schema import SCOPES, TEXT_FIELDS

from .grammar import And, DateRange, Leaf, Node, Not, Or


class Alternatives(Protocol):
    """What expansion needs of a vocabulary (:class:`index.vocab.Vocabulary`)."""

    def alternatives(self, text: str) -> list[str]: ...


@dataclass
class Group:
    """One widened term of a query: its scope and every name it matches
    (the term as typed first), with their matching forms."""

    scope: str | None
    names: list[str]
    forms: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.forms = [match_text(n) for n in self.names]


@dataclass
class Expansion:
    """A query after expansion: the tree to run, and what widened."""

    node: Node
    #: term as typed → the other names it also matches, in vocabulary order
    expanded: dict[str, list[str]] = field(default_factory=dict)
    #: the widened terms outside any NOT, for :meth:`matched`
    groups: list[Group] = field(default_factory=list)

    def matched(self, texts: dict[str, str]) -> list[str]:
        """The names of widened terms that occur in an article, given the
        matching form of each of its text fields (:data:`TEXT_FIELDS`); each
        name once, as typed or as the vocabulary writes it."""
        out: list[str] = []
        for group in self.groups:
            fields = SCOPES[group.scope] if group.scope else TEXT_FIELDS
            for name, form in zip(group.names, group.forms):
                if name not in out and any(form in texts.get(f, "") for f in fields):
                    out.append(name)
        return out


def expand(node: Node, vocabulary: Alternatives | None) -> Expansion:
    """Widen ``node``'s unquoted terms by ``vocabulary`` (see the module
    docstring); with no vocabulary the query is returned as it is."""
    result = Expansion(node)
    if vocabulary is None:
        return result
    result.node = _expand(node, vocabulary, result, negated=False)
    return result


def _expand(node: Node, vocabulary: Alternatives, result: Expansion, negated: bool) -> Node:
    if isinstance(node, Leaf):
        if node.phrase or (node.field is not None and node.field not in SCOPES):
            return node
        others = vocabulary.alternatives(node.text)
        if not others:
            return node
        known = result.expanded.setdefault(node.text, [])
        known.extend(o for o in others if o not in known)
        if not negated:
            result.groups.append(Group(node.field, [node.text, *others]))
        return Or([node, *(Leaf(name, node.field, phrase=True) for name in others)])
    if isinstance(node, DateRange):
        return node
    if isinstance(node, Not):
        return Not(_expand(node.child, vocabulary, result, not negated))
    children = [_expand(c, vocabulary, result, negated) for c in node.children]
    return And(children) if isinstance(node, And) else Or(children)
