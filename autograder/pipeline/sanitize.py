"""Make graded notebooks and feedback safe to open: no hidden test text, no live student script.

A student's code can print anything: HTML with ``<script>``, ``onerror=`` handlers, JavaScript
outputs, SVG with scripts, widgets. Formgrader renders the graded notebook in the instructor's
browser, inside a Jupyter session that can read and write the course, and feedback HTML goes back
to students. So before a graded notebook is written, ``neutralize`` keeps only outputs that cannot
run code: text, images, and HTML/SVG/Markdown passed through nh3 (an allow-list sanitizer) with
every script, event handler and ``javascript:`` link removed. ``strip_hidden`` removes the hidden
region from every test cell (the judge read it; nobody else needs it).
"""
from __future__ import annotations

import nh3

from .. import cells
from ..kernel import REPLY_MIME

SAFE_AS_IS = {"text/plain", "image/png", "image/jpeg", "image/gif", "text/latex", REPLY_MIME}
SVG_TAGS = {"svg", "g", "path", "polygon", "polyline", "ellipse", "circle", "rect", "line", "text", "tspan", "title",
            "desc", "defs", "marker", "lineargradient", "radialgradient", "stop", "clippath"}
SVG_ATTRIBUTES = {"id", "class", "transform", "fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-linecap",
                  "stroke-linejoin", "stroke-opacity", "fill-opacity", "opacity", "font-family", "font-size",
                  "font-weight", "font-style", "text-anchor", "dominant-baseline", "points", "d", "cx", "cy", "rx",
                  "ry", "r", "x", "y", "dx", "dy", "x1", "y1", "x2", "y2", "width", "height", "viewbox",
                  "xmlns", "offset", "stop-color", "clip-path", "markerwidth", "markerheight", "refx", "refy",
                  "orient", "preserveaspectratio"}


def clean_html(html: str) -> str:
    """HTML (tables, text, images) without scripts, handlers, forms, frames or javascript: links."""
    return nh3.clean(html, attributes={**nh3.ALLOWED_ATTRIBUTES, "*": {"class", "style", "title"}},
                     url_schemes={"http", "https", "data", "mailto"})


def clean_svg(svg: str) -> str:
    """An SVG drawing (graphviz, matplotlib) without scripts, handlers, links or external references."""
    return nh3.clean(svg, tags=SVG_TAGS, attributes={"*": SVG_ATTRIBUTES}, url_schemes=set(),
                     link_rel=None, strip_comments=True)


def _clean_bundle(data: dict) -> dict:
    clean = {}
    for mime, value in data.items():
        text = "".join(value) if isinstance(value, list) else value
        if mime in SAFE_AS_IS:
            clean[mime] = value
        elif mime == "text/html" and isinstance(text, str):
            clean[mime] = clean_html(text)
        elif mime == "image/svg+xml" and isinstance(text, str):
            clean[mime] = clean_svg(text)
        elif mime == "text/markdown" and isinstance(text, str):
            clean[mime] = clean_html(text)
        # anything else (application/javascript, widgets, custom renderers, PDFs...) is dropped
    if not clean:
        clean["text/plain"] = "(an output that cannot be shown safely was removed)"
    return clean


def neutralize(nb) -> None:
    """Keep only outputs that cannot run code, in place (see the module docstring)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not cells.is_locked(cell):
            cell.source = clean_html(cell.source)
        for name, attachment in list(cell.get("attachments", {}).items()):
            cell.attachments[name] = _clean_bundle(attachment)
        for output in cell.get("outputs", []):
            if "data" in output:
                output.data = _clean_bundle(output.data)
                output.metadata = {}
            if output.get("output_type") == "error":
                output.traceback = [line for line in output.get("traceback", [])][:60]


def strip_hidden(nb, delimiters: cells.Delimiters = cells.Delimiters()) -> None:
    """Remove the hidden-test region of every test cell, in place."""
    for cell in nb.cells:
        if cells.is_test(cell):
            try:
                cell.source = cells.visible_part(cell.source, delimiters).rstrip("\n")
            except cells.HiddenRegionError:
                cell.source = "# (this test cell's code is not shown)"
