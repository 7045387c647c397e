"""The data every stage shares: a witness is a text of the work, made of blocks of segments.

A *witness* is one version of the work (the original or a translation). Ingestion finds its
*blocks* (title, headings, numbered points, paragraphs, source lines) and segmentation splits
each block into *segments* (sentences). Every segment remembers where it came from in the
source file, so a scholar can find it in the original.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["title", "heading", "point", "paragraph", "source"]
Role = Literal["original", "translation"]


@dataclass(frozen=True)
class Segment:
    """One sentence, with its place in the source file (1-based, inclusive line numbers)."""

    text: str
    file: str
    line_start: int
    line_end: int


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


@dataclass
class Witness:
    """A cleaned, segmented text of the work."""

    meta: WitnessMeta
    blocks: list[Block] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def lang(self) -> str:
        return self.meta.lang

    @property
    def segments(self) -> list[Segment]:
        return [segment for block in self.blocks for segment in block.segments]

    def segment_ids(self) -> list[str]:
        """Stable ``xml:id`` of every segment, in reading order: ``<witness id>.s<n>``, from 1."""
        return [f"{self.id}.s{n}" for n in range(1, len(self.segments) + 1)]

    def block_starts(self) -> list[int]:
        """Index of the first segment of every block: where beads may start most naturally."""
        starts, n = [], 0
        for block in self.blocks:
            starts.append(n)
            n += len(block.segments)
        return starts
