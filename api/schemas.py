"""marshmallow schemas: every request is loaded through one, every response dumped.

Request schemas raise on unknown fields, so a misspelt parameter is a 400
naming it rather than a silently ignored filter.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, fields, post_dump, post_load, validate

from search.models import MAX_PER_PAGE, SORTS, SearchRequest
from search.query import MAX_QUERY_CHARS

LIST_ARGS = ("source", "author", "category", "tag")


class SearchArgsSchema(Schema):
    """The parameters of ``GET /api/search`` (query string) and ``POST`` (JSON body)."""

    class Meta:
        unknown = RAISE

    q = fields.String(required=True, validate=validate.Length(min=1, max=MAX_QUERY_CHARS),
                      metadata={"description": "The query, in the query language (see the page's help)."})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1))
    per_page = fields.Integer(load_default=10, validate=validate.Range(min=1, max=MAX_PER_PAGE))
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))
    date_from = fields.Date(load_default=None, metadata={"description": "YYYY-MM-DD, inclusive."})
    date_to = fields.Date(load_default=None, metadata={"description": "YYYY-MM-DD, inclusive."})
    source = fields.List(fields.String(), load_default=list, metadata={"description": "Exact source; repeat for OR."})
    author = fields.List(fields.String(), load_default=list, metadata={"description": "Exact author; repeat for OR."})
    category = fields.List(fields.String(), load_default=list)
    tag = fields.List(fields.String(), load_default=list, metadata={"description": "Exact tag; repeat: all required."})
    facets = fields.Boolean(load_default=False, metadata={"description": "Count results per source, author, "
                                                                         "category, tag and month."})
    fragments = fields.Integer(load_default=3, validate=validate.Range(min=0, max=10))
    fragment_size = fields.Integer(load_default=100, validate=validate.Range(min=20, max=500))

    @post_load
    def make_request(self, data: dict[str, Any], **kwargs: Any) -> SearchRequest:
        return SearchRequest(**data)


class ArticleArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    q = fields.String(load_default=None, validate=validate.Length(min=1, max=MAX_QUERY_CHARS),
                      metadata={"description": "Highlight this query in the article."})


class HighlightsSchema(Schema):
    title = fields.String(metadata={"description": "HTML: escaped text with <mark> around matches."})
    subtitle = fields.String()
    body = fields.List(fields.String(), metadata={"description": "HTML fragments around the best matches."})


class ArticleFieldsSchema(Schema):
    """The fields a hit and a whole article share."""

    id = fields.String()
    title = fields.String()
    subtitle = fields.String()
    date = fields.Date(allow_none=True)
    source = fields.String()
    author = fields.String()
    category = fields.String()
    tags = fields.List(fields.String())
    url = fields.String()


class HitSchema(ArticleFieldsSchema):
    score = fields.Float()
    highlights = fields.Nested(HighlightsSchema)


class FacetValueSchema(Schema):
    value = fields.String()
    count = fields.Integer()


class FacetsSchema(Schema):
    source = fields.List(fields.Nested(FacetValueSchema))
    author = fields.List(fields.Nested(FacetValueSchema))
    category = fields.List(fields.Nested(FacetValueSchema))
    tag = fields.List(fields.Nested(FacetValueSchema))
    month = fields.List(fields.Nested(FacetValueSchema))


class SearchResultSchema(Schema):
    total = fields.Integer(metadata={"description": "Exact number of matching articles."})
    page = fields.Integer()
    per_page = fields.Integer()
    took_ms = fields.Float()
    hits = fields.List(fields.Nested(HitSchema))
    facets = fields.Nested(FacetsSchema, metadata={"description": "Only when facets=true."})

    @post_dump
    def drop_unasked_facets(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("facets") is None:
            data.pop("facets", None)
        return data


class ArticleHighlightsSchema(Schema):
    title = fields.String()
    subtitle = fields.String()
    paragraphs = fields.List(fields.String())


class ArticleSchema(ArticleFieldsSchema):
    body = fields.String()
    paragraphs = fields.List(fields.String())
    extra = fields.Dict(metadata={"description": "Metadata the source carried beyond the known fields."})
    highlights = fields.Nested(ArticleHighlightsSchema, metadata={"description": "Only with ?q=."})


class HealthSchema(Schema):
    status = fields.String()
    snapshot = fields.String()
    articles = fields.Integer()
    warning = fields.String(metadata={"description": "Set when the newest snapshot could not be opened."})


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
