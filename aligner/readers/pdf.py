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
import itertools
import logging
import re
import statistics
from collections import Counter
from dataclasses import replace
from pathlib import Path

from aligner.errors import AlignerError
from aligner.readers import TextBlocks
from aligner.segment import NO_SPACE_SCRIPT
from aligner.witness import Block

# pypdf logs recoverable oddities of real-world files as warnings; the user gets our one-line errors.
logging.getLogger("pypdf").setLevel(logging.ERROR)


def pages_text(path: Path, data: bytes) -> list[list[str]]:
    """The lines of every page's text, page furniture removed, paragraph ends and page starts marked."""
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
    if sum(_words(text) for text in pages) < 3 * max(1, len(pages)):
        raise AlignerError(
            f"{path} has no text layer (a scanned PDF?): run OCR on it first, "
            "e.g. ocrmypdf IN.pdf OUT.pdf (Tesseract), then align OUT.pdf"
        )
    return _furniture_removed([_page_lines(text) for text in pages])


def _words(text: str) -> int:
    """Words on a page, for the test of a text layer: Chinese and Japanese write none apart, so each of
    their characters counts as one (a short Chinese page, two wrapped lines, was taken for a scan)."""
    return len(text.split()) + len(_NO_SPACE.findall(text))


_NO_SPACE = re.compile(f"[{NO_SPACE_SCRIPT}]")
_NUMBER = re.compile(r"^[-–—\s]*\d{1,4}[-–—\s]*$")


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split()))


def _furniture_removed(pages: list[list[str]]) -> list[list[str]]:
    """Each page's lines without its running head and page number, paragraph ends and page starts marked.

    A first or last line recurring on half the pages or more (digits aside), or a bare number, is page
    furniture. What is left is marked as the OCR marks it, so the plain-text path tells a paragraph
    running over the page from one ending there: the page's first line starts with a space, and a line
    before a gap or at the page's foot that stops short of the full width (a paragraph's last line)
    ends with two spaces.
    """
    firsts = Counter(_shape(page[0]) for page in pages if page)
    lasts = Counter(_shape(page[-1]) for page in pages if page)
    recurring = len(pages) > 2

    def furniture(line: str, counts: Counter[str]) -> bool:
        return bool(_NUMBER.match(line)) or (recurring and counts[_shape(line)] * 2 >= len(pages))

    result = []
    for page in pages:
        page = list(page)
        if page and furniture(page[0], firsts):
            page.pop(0)
        if page and furniture(page[-1], lasts):
            page.pop()
        while page and not page[0]:
            page.pop(0)
        while page and not page[-1]:
            page.pop()
        if page:
            # the full width: that of lines inside paragraphs (justified or not, they run to the margin)
            inner = [len(line) for line, after in itertools.pairwise(page) if line and after]
            width = statistics.median(inner) if inner else max(len(line) for line in page)
            for i, line in enumerate(page):
                gap_after = i + 1 == len(page) or not page[i + 1]
                if line and gap_after and len(line) < 0.9 * width:
                    page[i] = line + "  "
            page[0] = " " + page[0].lstrip()
        result.append(page)
    return result


def _page_lines(text: str) -> list[str]:
    """A page's lines as laid out, its left margin off, one blank line for a gap of any height."""
    lines = [line.rstrip() for line in text.replace("\f", "").split("\n")]
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines if line), default=0)
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line[margin:])
    while kept and not kept[-1]:
        kept.pop()
    return kept


def read(path: Path, data: bytes, text_blocks: TextBlocks) -> list[Block]:
    pages = pages_text(path, data)
    starts, line = [], 1
    for page in pages:
        starts.append(line)
        line += len(page)
    # pages follow each other without a blank line: the marks tell where a paragraph ends
    blocks = text_blocks("\n".join(line for page in pages for line in page))

    def page_of(number: int) -> int:
        return sum(1 for start in starts if start <= number)

    return [
        replace(block, segments=tuple(replace(s, page=page_of(s.line_start)) for s in block.segments))
        for block in blocks
    ]
