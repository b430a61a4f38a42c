"""The public read-only JSON API under /api/v1/, described by OpenAPI 3.1.

- views.py: the routes; every answer is JSON (errors are RFC 9457 problem bodies), public,
  cacheable (ETag, 304, Cache-Control), CORS-open for GET, and offered to the response cache
  under the change token read before the content (see feeds/__init__.py, the freshness contract).
- params.py: the one table of query parameters; the views parse with it and the OpenAPI
  document is written from it, so the two cannot disagree on names, enums or bounds.
- serialize.py: pure, event/venue/category -> JSON-ready dicts (no Flask, no session).
- openapi.py: the document (paths and response schemas); tests check every response against it.
- http.py: the JSON, problem and CORS answers, shared with the widgets' data (embed/).

Drafts never appear. An event's ``series`` is null until series exist; occurrences will then be
listed as events of their own with ``series`` naming their series.
"""
