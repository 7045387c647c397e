"""The data every stage shares: a witness is a text of the work, made of blocks of segments.

A *witness* is one version of the work (the original or a translation). Ingestion finds its
*blocks* (title, headings, numbered points, paragraphs, source lines) and segmentation splits
each block into *segments* (sentences). Every segment remembers where it came from in the
source file, so a scholar can find it in the original.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Literal

# What the manifest's [edition] table and ``align``'s options may say about the edition itself.
PUBLICATION_FIELDS = ("author", "publisher", "place", "date", "licence")
BlockKind = Literal["title", "heading", "point", "paragraph", "source"]
Role = Literal["original", "translation"]


# The scripts each language is written in (Unicode character names begin with the script's name).
SCRIPTS = {
    **dict.fromkeys(("ru", "uk", "be", "bg", "kk"), ("CYRILLIC",)),
    **dict.fromkeys(("ar", "fa", "ur", "ps", "sd", "ks", "ug"), ("ARABIC",)),
    **dict.fromkeys(("he", "yi"), ("HEBREW",)),
    **dict.fromkeys(("hi", "mr"), ("DEVANAGARI",)),
    **dict.fromkeys(("syr", "arc"), ("SYRIAC",)),
    "el": ("GREEK",), "hy": ("ARMENIAN",), "am": ("ETHIOPIC",), "my": ("MYANMAR",), "ml": ("MALAYALAM",),
    "dv": ("THAANA",), "zh": ("CJK",), "ja": ("CJK", "HIRAGANA", "KATAKANA", "HALFWIDTH"),
    "ko": ("HANGUL", "CJK"), "ku": ("LATIN", "ARABIC"),
}  # fmt: skip


@cache
def script_of(char: str) -> str:
    """The script of a letter, as Unicode names begin: CYRILLIC, CJK, HIRAGANA, LATIN..."""
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


def written_in(text: str, lang: str) -> bool:
    """Whether ``text`` is written in the script of ``lang`` (most of its letters): a title or name of a
    witness in it is tagged with the witness's language; a romanised one ("Rensai") or an id used as a
    title ("ja") is not in Japanese."""
    expected = SCRIPTS.get(lang.strip().lower().replace("_", "-").split("-")[0], ("LATIN",))
    letters = [script_of(char) for char in text if char.isalpha()]
    return bool(letters) and sum(script in expected for script in letters) * 2 >= len(letters)


def columns(text: str) -> int:
    """Columns ``text`` takes in a terminal: a Chinese or Japanese character (East Asian wide or
    full-width) takes two, so tables padded by characters go out of line."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int) -> str:
    """``text`` followed by spaces up to ``width`` columns (``str.ljust`` counts characters)."""
    return text + " " * max(0, width - columns(text))


@dataclass(frozen=True)
class Segment:
    """One sentence, with its place in the source file (1-based, inclusive line numbers).

    ``xml_id``: the id the sentence already has in its source (a TEI witness's ``<s xml:id>``), kept so
    that references to it stay valid; empty for a sentence the tool segmented itself. ``page``: the page
    of a PDF it starts on (from 1), 0 where the format has no pages.
    """

    text: str
    file: str
    line_start: int
    line_end: int
    xml_id: str = field(default="", compare=False)
    page: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Block:
    """A structural unit: its kind, its label (``"1."`` for a numbered point, ``"3"`` for section 3)."""

    kind: BlockKind
    segments: tuple[Segment, ...]
    label: str = ""


@dataclass(frozen=True)
class WitnessMeta:
    """Bibliographic description of a witness, as given by the manifest (or guessed for a bare file)."""

    id: str
    lang: str
    role: Role = "translation"
    title: str = ""
    author: str = ""
    translator: str = ""
    publisher: str = ""
    date: str = ""
    source: str = ""
    files: tuple[str, ...] = ()
    # One sentence per line (True), running text (False), or detected (None): how to read the files, not
    # part of the description, so an edition read back equals the one written.
    presegmented: bool | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Witness:
    """A cleaned, segmented text of the work; immutable, so its segments and their ids are listed once."""

    meta: WitnessMeta
    blocks: tuple[Block, ...] = ()
    segments: tuple[Segment, ...] = field(init=False, repr=False, compare=False)
    _ids: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        blocks = tuple(self.blocks)  # a list given by a caller is frozen too
        segments = tuple(segment for block in blocks for segment in block.segments)
        object.__setattr__(self, "blocks", blocks)
        object.__setattr__(self, "segments", segments)
        ids = tuple(s.xml_id or f"{self.meta.id}.s{n}" for n, s in enumerate(segments, 1))
        object.__setattr__(self, "_ids", ids)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def lang(self) -> str:
        return self.meta.lang

    def segment_ids(self) -> tuple[str, ...]:
        """Stable ``xml:id`` of every segment, in reading order: its own id from the source if it has one
        (a TEI witness's ``<s xml:id>``), else ``<witness id>.s<n>``, n its place from 1."""
        return self._ids

    def block_starts(self) -> tuple[int, ...]:
        """Index of the first segment of every block: where beads may start most naturally."""
        starts, n = [], 0
        for block in self.blocks:
            starts.append(n)
            n += len(block.segments)
        return tuple(starts)
