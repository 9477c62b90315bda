"""Every PDF of the platform (procedures notices, the household manual …) is rendered here, with one shared print
stylesheet (``fupin/pdf.css``) and the CJK font that ships with the project (Source Han Sans SC, OFL, under
``fupin/fonts/``), so Chinese renders on a county server that has no CJK font installed.

Resources come only from the app's own static files: the URL fetcher refuses anything else (no network, no other
local file), so a name or address typed into the register cannot make the renderer fetch a URL.

The font files are large (≈12 MB each, the full glyph set so that rare characters in names render); loading them
costs about a second, so one font configuration is kept per process and shared by all renders, which take turns
(WeasyPrint's font configuration is not thread-safe; gunicorn runs threads).
"""

from __future__ import annotations

import atexit
import logging
import threading
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.contrib.staticfiles import finders

STYLESHEET = "fupin/pdf.css"
_lock = threading.Lock()
# WeasyPrint logs every layout step and fontTools every font decompression at INFO: noise in the logs and on the
# CLI's stderr, where the progress of a batch goes.
for _name in ("weasyprint.progress", "fontTools"):
    logging.getLogger(_name).setLevel(logging.WARNING)


@cache
def _static_root() -> Path:
    found = finders.find(STYLESHEET)
    if not found:
        raise RuntimeError(f"{STYLESHEET} is missing from the static files")
    return Path(found).resolve().parent


@cache
def _weasy():
    """WeasyPrint's objects built once: its import takes a second and the font configuration holds the fonts."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    root = _static_root()

    class StaticFetcher(URLFetcher):
        """Only files under the directory of the print stylesheet (its fonts)."""

        def fetch(self, url, headers=None):
            if url.startswith("file:"):
                from urllib.request import url2pathname

                path = Path(url2pathname(url.split("?")[0].removeprefix("file:"))).resolve()
                if path.is_relative_to(root) and path.is_file():
                    return super().fetch(url, headers)
            raise ValueError(f"PDF resource refused: {url[:80]}")

    fetcher = StaticFetcher()
    fonts = FontConfiguration()
    stylesheet = CSS(filename=str(root / Path(STYLESHEET).name), url_fetcher=fetcher, font_config=fonts)
    # Dropped before the interpreter tears modules down, so the configuration can remove its temporary font copies.
    atexit.register(_weasy.cache_clear)
    return fetcher, fonts, stylesheet


def _document(html: str):
    from weasyprint import HTML

    fetcher, fonts, stylesheet = _weasy()
    return HTML(string=html, base_url=_static_root().as_uri() + "/", url_fetcher=fetcher).render(
        stylesheets=[stylesheet], font_config=fonts)


def render_pdf(html: str, target=None):
    """The PDF of a print HTML document (bytes, or written to ``target``, a path or file object)."""
    with _lock:
        return _document(html).write_pdf(target)


def render_pdfs(htmls: Iterable[str], target=None):
    """Several documents laid out one by one — each keeps its own page numbers — and written as one PDF."""
    with _lock:
        documents = [_document(html) for html in htmls]
        if not documents:
            documents = [_document("<p>无</p>")]
        pages = [page for document in documents for page in document.pages]
        return documents[0].copy(pages).write_pdf(target)
