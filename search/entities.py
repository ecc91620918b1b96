"""People, places and organisations in searches: ``person:``/``place:``/``org:``
scopes, the ``people``/``places``/``orgs`` facets, and the editor's listing.

What an article was tagged with is decided at index time
(:mod:`index.entities`); here it is only read:

* ``person:X`` matches an article tagged with an entity one of whose names
  is ``X`` (after normalization, as a whole: not a substring), verified or
  not.  The index holds the matching form of every name a verified entity
  had in the build's vocabulary (``people_m``); a vocabulary carried by the
  snapshot (:data:`index.vocab.SNAPSHOT_FILE`) adds the names it gives the
  entity now, so an alias published after the build is found too.
* a facet value is ``{"value", "count", "verified"}``: verified entities
  first, then unverified candidates, each most frequent first (ties by
  value), at most :data:`FACET_LIMIT` in all; counts are exact over every
  matching article.
"""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np

from index.entities import ENTITY_FIELDS, UNVERIFIED_SUFFIX
from index.normalization import match_text

from .arrays import EMPTY, union

#: Query scope → (entity kind, index field holding the matching forms).
ENTITY_SCOPES = {"person": ("person", "people_m"), "place": ("place", "places_m"), "org": ("org", "orgs_m")}
#: Facet name → the column of verified names (``people_col``); ``…_x`` the unverified.
ENTITY_FACETS = {name: kind for kind, name in ENTITY_FIELDS.items()}
#: Values per entity facet (verified and unverified together).
FACET_LIMIT = 20


def facet_columns() -> dict[str, str]:
    """Facet name → column, for :data:`search.snapshots.MULTI_VALUED`:
    ``people`` (verified) and ``people_x`` (unverified), and so on."""
    out = {}
    for name in ENTITY_FIELDS.values():
        out[name] = name + "_col"
        out[name + UNVERIFIED_SUFFIX] = name + UNVERIFIED_SUFFIX + "_col"
    return out


def scope_forms(opened: Any, scope: str, text: str) -> list[str]:
    """The matching forms ``scope:text`` looks up: ``text``'s own, and the
    canonical name of each entry of the scope's kind that ``text`` names in
    the snapshot's vocabulary."""
    kind = ENTITY_SCOPES[scope][0]
    forms = {match_text(text)}
    forms.update(match_text(e.canonical) for e in opened.vocabulary.lookup(text) if e.kind == kind)
    return sorted(f for f in forms if f)


def scope_docs(opened: Any, seg: Any, scope: str, text: str) -> np.ndarray:
    """The documents of segment ``seg`` that ``scope:text`` matches."""
    fieldname = ENTITY_SCOPES[scope][1]
    docs = EMPTY
    for form in scope_forms(opened, scope, text):
        p = seg.postings(fieldname, form)
        if p is not None:
            docs = union(docs, p.ids)
    return docs


def entity_facets(opened: Any, docs: np.ndarray, limit: int = FACET_LIMIT) -> dict[str, list[dict[str, Any]]]:
    """The ``people``, ``places`` and ``orgs`` facets over the global docnums ``docs``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in ENTITY_FIELDS.values():
        items: list[dict[str, Any]] = []
        for verified, column in ((True, name), (False, name + UNVERIFIED_SUFFIX)):
            room = limit - len(items)
            if room <= 0:
                break
            top = heapq.nsmallest(room, opened.facet_counts(column, docs), key=lambda kv: (-kv[1], kv[0]))
            items.extend({"value": v, "count": c, "verified": verified} for v, c in top)
        out[name] = items
    return out


def entity_counts(opened: Any, *, unverified: bool = False, kinds: tuple[str, ...] = tuple(ENTITY_FIELDS),
                  top: int = 50) -> list[tuple[str, str, int]]:
    """``(name, kind, articles)`` of the ``top`` most frequent verified
    entities (or unverified candidates) of ``kinds`` over every live article
    of the snapshot, most frequent first (ties by kind, then name)."""
    segments = opened.segments()
    parts = [seg.live + seg.offset for seg in segments]
    docs = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    rows: list[tuple[str, str, int]] = []
    for kind in kinds:
        column = ENTITY_FIELDS[kind] + (UNVERIFIED_SUFFIX if unverified else "")
        rows.extend((value, kind, count) for value, count in opened.facet_counts(column, docs))
    return heapq.nsmallest(top, rows, key=lambda r: (-r[2], r[1], r[0]))


#: Facet name → the query scope that narrows to one of its values.
FACET_SCOPES = {name: next(s for s, (k, _) in ENTITY_SCOPES.items() if k == kind)
                for name, kind in ENTITY_FACETS.items()}
_NEEDS_QUOTES = set(" \t\u3000()（）\"“”「」『』")


def narrowed_query(q: str, facet: str, value: str) -> str:
    """``q`` narrowed to articles tagged ``value`` (a value of entity facet
    ``facet``): ``q place:郑东新区``, the value quoted when it holds a space,
    a parenthesis or a quote, or starts with ``-``."""
    if set(value) & _NEEDS_QUOTES or value.startswith("-"):
        value = f"「{value}」" if '"' in value else f'"{value}"'
    return f"{q} {FACET_SCOPES[facet]}:{value}".strip()
