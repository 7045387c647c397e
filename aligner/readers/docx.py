"""DOCX: the document's body paragraphs, by their styles and list numbering.

Styles ``Title`` and ``Heading 1`` make a title, ``Heading 2``-``Heading 9`` headings (so do styles
based on them, and outline levels 1-9 set on a paragraph or its style); a paragraph in a
numbered list is a numbered point labelled with the number Word shows (its list's start and count);
a bulleted item is a paragraph. Footnotes, endnotes, comments, headers and footers are other parts
of the file and are not read; nor are tables. A sentence's lines are its paragraph's number in the
document's body (1-based).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from aligner.errors import AlignerError
from aligner.readers import Unit

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)


def read(path: Path, data: bytes) -> list[Unit]:
    import docx  # python-docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as err:
        raise AlignerError(f"{path} is not a readable DOCX file: {err}") from None
    numbering = _numbering(document)
    counters: dict[tuple[str, int], int] = {}
    found: list[Unit] = []
    for number, paragraph in enumerate(document.paragraphs, 1):
        text = paragraph.text
        level = _level(paragraph)
        num = paragraph._p.find(f"{_W}pPr/{_W}numPr")
        label, kind = "", "paragraph"
        if level is not None and level <= 1:
            kind = "title"
        elif level is not None:
            kind = "heading"
        elif num is not None:
            num_id = _val(num.find(f"{_W}numId"))
            level = int(_val(num.find(f"{_W}ilvl")) or 0)
            start, ordered = numbering.get((num_id, level), (1, False))
            key = (num_id, level)
            counters[key] = counters.get(key, start - 1) + 1
            for deeper in [k for k in counters if k[0] == num_id and k[1] > level]:
                del counters[deeper]  # a sublist starts again after its parent's next item
            if ordered:
                kind, label = "point", f"{counters[key]}."
        if not text.strip():
            continue
        unit = Unit(kind, path.name, label=label)  # type: ignore[arg-type]
        unit.run.add(text, number)
        found.append(unit)
    if not found:
        raise AlignerError(f"no text found in {path} (DOCX: its body has no paragraph)")
    return found


def _level(paragraph: object) -> int | None:
    """The paragraph's heading level (0 the Title style, 1-9 headings), None for body text: from its
    style, the style that one is based on and so up (``章标题`` based on ``Heading 2``, as Chinese and
    Japanese documents name their own), or an outline level set on the paragraph or a style."""
    own = _outline(paragraph._p)  # type: ignore[attr-defined]
    if own is not None:
        return own
    style, seen = paragraph.style, 0  # type: ignore[attr-defined]
    while style is not None and seen < 20:
        name = style.name or ""
        heading = _HEADING.match(name)
        if heading or name.lower() == "title":
            return int(heading.group(1)) if heading else 0
        level = _outline(style.element)
        if level is not None:
            return level
        style, seen = style.base_style, seen + 1
    return None


def _outline(node: object) -> int | None:
    """``w:outlineLvl`` 0-8 is heading level 1-9; 9 (or none) body text."""
    value = _val(node.find(f"{_W}pPr/{_W}outlineLvl"))  # type: ignore[attr-defined]
    return int(value) + 1 if value.isdigit() and int(value) < 9 else None


def _val(node: object) -> str:
    return "" if node is None else node.get(f"{_W}val", "")  # type: ignore[attr-defined]


def _numbering(document: object) -> dict[tuple[str, int], tuple[int, bool]]:
    """(numId, level) -> (start, ordered), from the numbering part, overrides included."""
    try:
        root = document.part.numbering_part.element  # type: ignore[attr-defined]
    except (KeyError, NotImplementedError, AttributeError):
        return {}
    abstract: dict[str, dict[int, tuple[int, bool]]] = {}
    for node in root.iterfind(f"{_W}abstractNum"):
        levels = {}
        for lvl in node.iterfind(f"{_W}lvl"):
            start = _val(lvl.find(f"{_W}start"))
            fmt = _val(lvl.find(f"{_W}numFmt"))
            levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                int(start) if start.isdigit() else 1,
                fmt not in ("bullet", "none", ""),
            )
        abstract[node.get(f"{_W}abstractNumId", "")] = levels
    result: dict[tuple[str, int], tuple[int, bool]] = {}
    for node in root.iterfind(f"{_W}num"):
        num_id = node.get(f"{_W}numId", "")
        levels = dict(abstract.get(_val(node.find(f"{_W}abstractNumId")), {}))
        for override in node.iterfind(f"{_W}lvlOverride"):
            level = int(override.get(f"{_W}ilvl", "0"))
            start = _val(override.find(f"{_W}startOverride"))
            if start.isdigit() and level in levels:
                levels[level] = (int(start), levels[level][1])
        for level, value in levels.items():
            result[(num_id, level)] = value
    return result
