"""Test helper: a pyld document loader that serves the Web Annotation context from the repo, never the web."""

from __future__ import annotations

import json
from typing import Any

from pyld import jsonld

from api.http.exports import ANNO_CONTEXT_FILE, ANNO_CONTEXT_URL

# The W3C publishes the context at both schemes; the copy in the repo stands in for either.
LOCAL_DOCUMENTS = {
    ANNO_CONTEXT_URL: ANNO_CONTEXT_FILE,
    ANNO_CONTEXT_URL.replace("http://", "https://"): ANNO_CONTEXT_FILE,
}


def offline_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Returns the locally shipped document for a known context URL; raises for any other URL."""
    path = LOCAL_DOCUMENTS.get(url)
    if path is None:
        raise jsonld.JsonLdError(
            f"offline loader: no local copy of {url}",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(path.read_text(encoding="utf-8")),
    }
