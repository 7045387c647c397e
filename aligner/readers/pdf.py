"""PDF with a text layer: each page's text, laid out, then cleaned like OCR.

pypdf extracts every page in layout mode (vertical gaps between paragraphs kept as blank lines); the
page's left margin is taken off, its first line marked the way the OCR marks a new page (a leading
space), and the pages, in order, go through the plain-text path, which removes running headers, page
numbers and line-end hyphens and finds paragraphs, headings and points. A sentence's lines are lines
of that extracted text (pages in order, one after the other); its ``page`` is the PDF page (from 1)
where it starts. A PDF without a text layer (a scan) is refused with a pointer to OCR tools; an
encrypted one must be decrypted first.
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from aligner.errors import AlignerError
from aligner.readers import TextBlocks
from aligner.witness import Block

# pypdf logs recoverable oddities of real-world files as warnings; the user gets our one-line errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pages_text(path: Path, data: bytes) -> list[str]:
    """The text of every page, left margin removed, first line marked as a page start."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AlignerError(f"{path} is an encrypted PDF: decrypt it first (e.g. qpdf --decrypt IN OUT)")
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except AlignerError:
        raise
    except (PdfReadError, ValueError, KeyError, OSError, TypeError) as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "decrypt" in message.lower() or "encrypt" in message.lower():
            raise AlignerError(
                f"{path} is an encrypted PDF: decrypt it first (e.g. qpdf --decrypt IN OUT)"
            ) from None
        raise AlignerError(f"{path} is not a readable PDF: {message}") from None
    if sum(len(text.split()) for text in pages) < 3 * max(1, len(pages)):
        raise AlignerError(
            f"{path} has no text layer (a scanned PDF?): run OCR on it first, "
            "e.g. ocrmypdf IN.pdf OUT.pdf (Tesseract), then align OUT.pdf"
        )
    lines = [_page_lines(text) for text in pages]
    # A first line recurring on most pages (digits aside) is a running head: the page's text starts after
    # it, and that line gets the page-start mark too, so a sentence running over the page is joined.
    shapes = Counter(re.sub(r"\d+", "#", page[0].strip()) for page in lines if page)
    for page in lines:
        if len(lines) > 2 and page and shapes[re.sub(r"\d+", "#", page[0].strip())] * 2 >= len(lines):
            rest = next((i for i, line in enumerate(page[1:], 1) if line), None)
            if rest is not None:
                page[rest] = " " + page[rest]
    return ["\n".join(page) for page in lines]


def _page_lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\f", "").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines if line), default=0)
    # Justified text comes out with runs of spaces; a wide gap stays three spaces (a running head's mark).
    lines = [re.sub(r" {3,}", "   ", line[margin:]) for line in lines]
    kept: list[str] = []
    for line in lines:  # layout mode may leave several blank lines for one gap: one is the paragraph mark
        if line or (kept and kept[-1]):
            kept.append(line)
    if kept:
        kept[0] = " " + kept[0].lstrip()
    return kept


def read(path: Path, data: bytes, text_blocks: TextBlocks) -> list[Block]:
    pages = pages_text(path, data)
    starts, line = [], 1
    for text in pages:
        starts.append(line)
        line += text.count("\n") + 2  # the page's lines and the blank line after it
    blocks = text_blocks("\n\n".join(pages))

    def page_of(number: int) -> int:
        return sum(1 for start in starts if start <= number)

    return [
        replace(block, segments=tuple(replace(s, page=page_of(s.line_start)) for s in block.segments))
        for block in blocks
    ]
