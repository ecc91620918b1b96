"""marshmallow schemas: every request is loaded through one, every response dumped.

Request schemas raise on unknown fields, so a misspelt parameter is a 400
naming it rather than a silently ignored filter.  The search parameters,
their bounds and choices are generated from :mod:`search.models`, the one
definition the engine, the CLI and the page use too.

Integers are JSON integers only (``2.5e-42`` or ``true`` is not a page
number); a query string carries them as ASCII digits, which
:func:`api.operations.query_args` turns into integers before loading, so
``１`` (full-width) or ``1_0`` is refused there as well.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_dump, post_load, validate


from search.models import (COLLAPSE_MESSAGE, COLLAPSES, EXPAND_DEFAULT, EXPAND_DESCRIPTION, FILTERS,
                           HISTOGRAM_MESSAGE, HISTOGRAMS, INT_PARAMS, MAX_QUERY_CHARS, RELATED_LIMIT, SORT_MESSAGE,
                           SORTS, IntParam, SearchRequest)

from search.suggest import DID_YOU_MEAN_BELOW, DID_YOU_MEAN_MAX, LIMIT, MAX_PREFIX_CHARS

from .exports import EXPORT_FORMAT_MESSAGE, EXPORT_FORMATS


class StrictInteger(fields.Integer):
    """A JSON integer and nothing else: no floats, strings or booleans."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


def int_field(param: IntParam) -> StrictInteger:
    """The schema field of one of the engine's integer parameters."""
    return StrictInteger(load_default=param.default, metadata={"description": param.description},
                         validate=validate.Range(min=param.minimum, max=param.maximum, error=param.message()))


def query_field(required: bool, description: str) -> fields.String:
    return fields.String(required=required, load_default=None if not required else fields.missing_,
                         validate=validate.Length(min=1, max=MAX_QUERY_CHARS),
                         metadata={"description": description})


_FILTER_DOCS = {"source": "Exact source; repeat for OR.", "author": "Exact author; repeat for OR.",
                "category": "Exact category; repeat for OR.", "tag": "Exact tag; repeat: all required."}


class SearchArgsSchema(Schema):
    """The parameters of ``GET /api/search`` (query string) and ``POST`` (JSON body)."""

    class Meta:
        unknown = RAISE

    q = query_field(True, "The query, in the query language (see the page's help).")
    page = int_field(INT_PARAMS["page"])
    per_page = int_field(INT_PARAMS["per_page"])
    sort = fields.String(load_default=SORTS[0], validate=validate.OneOf(SORTS, error=SORT_MESSAGE),
                         metadata={"description": "relevance, oldest first (date) or newest first (-date)."})
    date_from = fields.Date(load_default=None, metadata={"description": "YYYY-MM-DD, inclusive."})
    date_to = fields.Date(load_default=None, metadata={"description": "YYYY-MM-DD, inclusive."})
    # one list field per filter of search.models.FILTERS (source, author, category, tag)
    locals().update({name: fields.List(fields.String(), load_default=list, metadata={"description": _FILTER_DOCS[name]})
                     for name in FILTERS})
    facets = fields.Boolean(load_default=False, metadata={"description": "Count results per source, author, "
                                                                         "category, tag, month, person, place "
                                                                         "and organisation."})
    fragments = int_field(INT_PARAMS["fragments"])
    fragment_size = int_field(INT_PARAMS["fragment_size"])
    histogram = fields.String(load_default=None, validate=validate.OneOf(HISTOGRAMS, error=HISTOGRAM_MESSAGE),
                              metadata={"description": "Count the matching articles per year, month or day "
                                                       "(exact; articles without a date are not counted)."})
    expand = fields.Boolean(load_default=EXPAND_DEFAULT, metadata={"description": EXPAND_DESCRIPTION})
    collapse = fields.String(load_default=None, validate=validate.OneOf(COLLAPSES, error=COLLAPSE_MESSAGE),
                             metadata={"description": "story: one hit per story (its version ranked first, the "
                                                      "others in versions; paging walks stories); none: every "
                                                      "matching article (the default)."})

    @post_load
    def make_request(self, data: dict[str, Any], **kwargs: Any) -> SearchRequest:
        return SearchRequest(**data)


@dataclass
class ExportRequest:
    search: SearchRequest
    format: str
    body: bool


class ExportArgsSchema(SearchArgsSchema):
    """The parameters of ``GET /api/export``: a search's query, filters and
    sort, the format, and whether CSV rows carry the body."""

    class Meta:
        unknown = RAISE
        exclude = ("page", "per_page", "facets", "fragments", "fragment_size", "histogram", "collapse")

    format = fields.String(load_default="csv", validate=validate.OneOf(EXPORT_FORMATS, error=EXPORT_FORMAT_MESSAGE),
                           metadata={"description": "csv (with a UTF-8 BOM, for Excel) or jsonl."})
    body = fields.Boolean(load_default=False, metadata={"description": "CSV: add the body column "
                                                                      "(JSON Lines always has it)."})

    @post_load
    def make_request(self, data: dict[str, Any], **kwargs: Any) -> Any:
        fmt, body = data.pop("format"), data.pop("body")
        return ExportRequest(SearchRequest(**data), fmt, body)


class FeedArgsSchema(SearchArgsSchema):
    """The parameters of ``GET /api/feed``: a search's query and filters
    (the feed's size and order are fixed: the matching articles most
    recently added; fragments shape the summaries)."""

    class Meta:
        unknown = RAISE
        exclude = ("page", "per_page", "sort", "facets", "histogram")


class ArticleArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    q = query_field(False, "Highlight this query in the article.")


class RelatedArgsSchema(Schema):
    """The parameters of ``GET /api/articles/<id>/related``."""

    class Meta:
        unknown = RAISE

    limit = int_field(RELATED_LIMIT)


class HighlightsSchema(Schema):
    title = fields.String(metadata={"description": "HTML: escaped text with <mark> around matches."})
    kicker = fields.String()
    subtitle = fields.String()
    body = fields.List(fields.String(), metadata={"description": "HTML fragments around the best matches."})


class ArticleFieldsSchema(Schema):
    """The fields a hit and a whole article share."""

    id = fields.String()
    kicker = fields.String(metadata={"description": "The line above the headline (引题), if any."})
    title = fields.String()
    subtitle = fields.String()
    date = fields.Date(allow_none=True)
    source = fields.String()
    author = fields.String(metadata={"description": "The byline as printed."})
    authors = fields.List(fields.String(), metadata={"description": "Each author's name (what author= filters)."})
    category = fields.String()
    tags = fields.List(fields.String())
    url = fields.String()
    page = fields.String(metadata={"description": "The page as the source gave it (第6版:上海新闻, 1)."})
    teaser = fields.Boolean(metadata={"description": "A front-page pointer to an article rather than one."})


class ArticleVersionSchema(Schema):
    """Another version of the same story (near-duplicate text: see index/stories.py)."""

    id = fields.String()
    title = fields.String()
    date = fields.Date(allow_none=True)
    source = fields.String()


class HitVersionSchema(ArticleVersionSchema):
    matches = fields.Boolean(metadata={"description": "This version matches the search too."})


_VERSIONS_DOC = "The story's other versions, earliest first (date, then id; at most 100)."
_STORY_DOC = "The story's id: the id of its earliest version (date, then id)."


class HitSchema(ArticleFieldsSchema):
    score = fields.Float()
    highlights = fields.Nested(HighlightsSchema)
    matched = fields.List(fields.String(), metadata={
        "description": "Only when the query widened (expanded): which of the widened terms' names, as typed or "
                       "as the vocabulary writes them, occur in this article."})
    story = fields.String(metadata={"description": "Only with collapse=story. " + _STORY_DOC})
    versions = fields.List(fields.Nested(HitVersionSchema),
                           metadata={"description": "Only with collapse=story. " + _VERSIONS_DOC})

    @post_dump
    def drop_absent(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for name in ("matched", "story", "versions"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class EntityFacetValueSchema(FacetValueSchema):
    verified = fields.Boolean(metadata={"description": "From the newsroom's vocabulary (true) or a name "
                                                      "the tagger guessed (false); person:/place:/org: "
                                                      "narrows to it either way."})


class FacetsSchema(Schema):
    source = fields.List(fields.Nested(FacetValueSchema))
    author = fields.List(fields.Nested(FacetValueSchema))
    category = fields.List(fields.Nested(FacetValueSchema))
    tag = fields.List(fields.Nested(FacetValueSchema))
    month = fields.List(fields.Nested(FacetValueSchema))
    people = fields.List(fields.Nested(EntityFacetValueSchema),
                         metadata={"description": "Verified people first, then unverified candidates."})
    places = fields.List(fields.Nested(EntityFacetValueSchema),
                         metadata={"description": "Verified places first, then unverified candidates."})
    orgs = fields.List(fields.Nested(EntityFacetValueSchema),
                       metadata={"description": "Verified organisations first, then unverified candidates."})


class HistogramBucketSchema(Schema):
    key = fields.String(metadata={"description": "2023, 2023-07 or 2023-07-27"})
    count = fields.Integer()


class DidYouMeanSchema(Schema):
    q = fields.String(metadata={"description": "A query to search instead."})
    total = fields.Integer(metadata={"description": "How many articles it finds (with the same filters)."})


class SearchResultSchema(Schema):
    total = fields.Integer(metadata={"description": "Exact number of matching articles."})
    stories = fields.Integer(metadata={"description": "Only with collapse=story: the number of stories the "
                                                      "matching articles belong to (what paging walks)."})
    page = fields.Integer()
    per_page = fields.Integer()
    took_ms = fields.Float()
    hits = fields.List(fields.Nested(HitSchema))
    facets = fields.Nested(FacetsSchema, metadata={"description": "Only when facets=true."})
    histogram = fields.List(fields.Nested(HistogramBucketSchema),
                            metadata={"description": "Only with histogram=: counts in key order."})
    expanded = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), metadata={
        "description": "Only when a term widened: each unquoted term (as typed) that is a vocabulary name or "
                       "alias → the other names it also matched, each exactly; total, facets and histogram "
                       "count the widened set.  expand=false turns it off."})

    did_you_mean = fields.List(fields.Nested(DidYouMeanSchema), metadata={
        "description": f"Only when the search found fewer than {DID_YOU_MEAN_BELOW} articles and queries "
                       f"finding more were found (at most {DID_YOU_MEAN_MAX}, most articles first): the query "
                       "with one term replaced by a name or headline word one character away, or by the "
                       "characters of a term typed in pinyin."})

    @post_dump
    def drop_unasked(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        for name in ("facets", "histogram", "expanded", "stories", "did_you_mean"):
            if data.get(name) is None:
                data.pop(name, None)
        return data


class RelatedResultSchema(Schema):
    id = fields.String(metadata={"description": "The article the others are related to."})
    terms = fields.List(fields.String(), metadata={"description": "Its distinctive words that chose them "
                                                                  "(best first); hits highlight them."})
    took_ms = fields.Float()
    hits = fields.List(fields.Nested(HitSchema), metadata={"description": "Most related first (ties: newest "
                                                                          "first); copies of the article left out."})


class ArticleHighlightsSchema(Schema):
    title = fields.String()
    kicker = fields.String()
    subtitle = fields.String()
    summary = fields.String()
    paragraphs = fields.List(fields.String())


class ArticleSchema(ArticleFieldsSchema):
    summary = fields.String(metadata={"description": "Summary lines (提要) before the lead, one a line."})
    page_no = fields.Integer(allow_none=True)
    section = fields.String()
    body = fields.String()
    paragraphs = fields.List(fields.String())
    extra = fields.Dict(metadata={"description": "Metadata the source carried beyond the known fields."})
    highlights = fields.Nested(ArticleHighlightsSchema, metadata={"description": "Only with ?q=."})
    story = fields.String(metadata={"description": _STORY_DOC})
    versions = fields.List(fields.Nested(ArticleVersionSchema), metadata={"description": _VERSIONS_DOC})


class SuggestArgsSchema(Schema):
    """The parameters of ``GET /api/suggest``."""

    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_PREFIX_CHARS), metadata={
        "description": "What has been typed: the start of a name, word or headline, in characters, "
                       "full pinyin (zhengzhou) or pinyin initials (zz)."})
    limit = int_field(LIMIT)


class SuggestionSchema(Schema):
    text = fields.String(metadata={"description": "What to put in the search box (always characters)."})
    kind = fields.String(metadata={"description": "person, place, org or term (the vocabulary's), "
                                                  "word (a headline word) or headline."})
    count = fields.Integer(metadata={"description": "Articles a search for it finds (for a headline: "
                                                    "recent articles with that headline)."})


class SuggestionsSchema(Schema):
    suggestions = fields.List(fields.Nested(SuggestionSchema), metadata={
        "description": "Most articles first; empty when nothing starts so."})


class HealthSchema(Schema):
    status = fields.String()
    snapshot = fields.String()
    articles = fields.Integer()
    warning = fields.String(metadata={"description": "Set when the newest snapshot could not be opened."})
    warming_up = fields.Boolean(metadata={"description": "This worker is still reading its snapshot's dates, "
                                          "facets and stories in the background (see the WARM_UP setting)."})


class StatsSchema(Schema):
    snapshot = fields.String()
    built_at = fields.String()
    kind = fields.String()
    articles = fields.Integer()
    snapshots = fields.List(fields.String())
    facets = fields.Nested(FacetsSchema, metadata={"description": "Counts over all articles."})


class ErrorBodySchema(Schema):
    code = fields.Integer()
    message = fields.String()
    details = fields.Dict(allow_none=True, metadata={"description": "Field name → list of messages."})
    request_id = fields.String(metadata={"description": "Quote it to the operator (500 only)."})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema)
