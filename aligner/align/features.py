"""What the aligner knows of each side: embedded runs of sentences, lengths, block boundaries, and the
lexical evidence (numbers, word 4-grams) the sentence encoder barely sees.

A height, a year or a peak's name is the surest sign that two sentences say the same thing, yet the
encoder hardly sees numbers and proper names. Each sentence therefore gets two small hashed count
vectors (its numbers; the character 4-grams of its words), so the lexical agreement of a bead is one
more cosine, computed like the embedding one and only inside the search band.
"""

from __future__ import annotations

import re
import threading
import unicodedata
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np

from aligner.align.params import DEFAULT_PARAMS
from aligner.embed import Embedder, embed_runs, embed_runs_together
from aligner.witness import Witness

EMBEDDED_RUN = 3
"""Runs of up to this many sentences are embedded; longer runs are composed from a shorter run and the
next sentence (embedding every run of four long sentences doubles the time for 0.6 point of F1 on dev)."""

BUCKETS = 256
"""Size of the hashed count vectors of numbers and of word 4-grams (CRC32, so runs are deterministic)."""

BLOCK_WEIGHTS: dict[str, float] = {
    "title": 2.0,
    "heading": 2.0,
    "source": 2.0,
    "point": 1.0,
    "paragraph": 0.5,
}
"""How strongly a block is set apart: a heading, a title line or a source line stands alone (a link should
not run across it), a numbered point opens a unit, a paragraph break is weaker evidence. A block kind
not listed counts as a paragraph."""

_HEADING_GROUP = {"title", "heading"}
_THOUSANDS = re.compile(r"(?<=\d)['\u2019\u202f\u00a0 .](?=\d{3}(?!\d))")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\W\d_]{4,}")


class Runs(Sequence[np.ndarray]):
    """``runs[k-1]``: the unit embeddings of the runs of ``k`` sentences, ``(n, dim)``, zero past the end.

    The embedded runs are held as given; a longer run is composed from the next shorter one and the
    sentence after it when first read, so that a long text searched only in a short span (an excerpt,
    located first) never holds its composed runs whole (a 30 MB text: 0.4 GB a run length, issue 9).
    The embedded blocks may carry ``extra`` rows past ``n``: the sentences a run at the end reaches.
    """

    def __init__(self, embedded: list[np.ndarray], longest: int, n: int) -> None:
        self._blocks = list(embedded)
        self.longest = max(longest, len(embedded))
        self.n = n
        self._composing = threading.Lock()  # score_table reads shapes on two threads

    def __len__(self) -> int:
        return self.longest

    @overload
    def __getitem__(self, k: int) -> np.ndarray: ...
    @overload
    def __getitem__(self, k: slice) -> list[np.ndarray]: ...
    def __getitem__(self, k: int | slice) -> np.ndarray | list[np.ndarray]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(self.longest))]
        if k < 0:
            k += self.longest
        if not 0 <= k < self.longest:
            raise IndexError(k)
        with self._composing:
            while len(self._blocks) <= k:
                size = len(self._blocks) + 1  # the run length composed next
                shorter, first = self._blocks[-1], self._blocks[0]
                rows = len(first)
                block = np.zeros_like(first)
                if rows >= size:
                    block[: rows - size + 1] = unit_rows(shorter[: rows - size + 1] + first[size - 1 :])
                self._blocks.append(block)
            return self._blocks[k][: self.n]

    def slice(self, start: int, stop: int) -> Runs:
        """Rows ``start .. stop-1``, with the rows after them that the longest run reaches."""
        end = min(len(self._blocks[0]), stop + self.longest - 1)
        return Runs([b[start:end] for b in self._blocks], self.longest, stop - start)


@dataclass
class SideData:
    """One side ready for alignment; every array has one row per sentence.

    ``overlaps[k-1][i]``: the unit embedding of sentences ``i .. i+k-1`` joined (zero past the end).
    ``lengths``: characters per sentence. ``boundaries``: how strongly each sentence opens a structural
    unit (``BLOCK_WEIGHTS``: 2 after or before a heading, title or source line, 1 a numbered point, 0.5 a
    paragraph, 0 none). ``numbers`` and ``ngrams``: the hashed count vectors of ``lexical_features``
    (``None``: no lexical evidence, e.g. bare embeddings). ``quotes``: how many quotations each sentence
    opens (``quote_openings``); ``turns``: 1 where it opens a line of dialogue (``turn_starts``; both
    ``None``: not known).
    """

    overlaps: Sequence[np.ndarray]  # a list, or ``Runs`` (longer runs composed when first read)
    lengths: np.ndarray
    boundaries: np.ndarray
    numbers: np.ndarray | None = None
    ngrams: np.ndarray | None = None
    quotes: np.ndarray | None = None
    turns: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.lengths)

    def slice(self, start: int, stop: int) -> SideData:
        return SideData(
            self.overlaps.slice(start, stop)
            if isinstance(self.overlaps, Runs)
            else [o[start:stop] for o in self.overlaps],
            self.lengths[start:stop],
            self.boundaries[start:stop],
            None if self.numbers is None else self.numbers[start:stop],
            None if self.ngrams is None else self.ngrams[start:stop],
            None if self.quotes is None else self.quotes[start:stop],
            None if self.turns is None else self.turns[start:stop],
        )


def unit_rows(rows: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows stay zero), as float32."""
    return (rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def side_data(
    sentences: Sequence[str],
    embedder: Embedder,
    boundaries: Sequence[float] | None = None,
    max_overlap: int = DEFAULT_PARAMS.max_run,
    desc: str = "embedding",
    embedded_overlap: int = EMBEDDED_RUN,
    embedded: list[np.ndarray] | None = None,
) -> SideData:
    """Embed the sentences and their runs of up to ``max_overlap`` (through the disk cache).

    ``embedded``: the embedded runs already (``embed_runs`` of ``min(max_overlap, embedded_overlap)``),
    as a one-item list that is emptied here: an array the caller still held could not be grown in place
    (``padded_blocks``), and a 30 MB text's runs are 1.3 GB (issue 9)."""
    longest = min(max_overlap, embedded_overlap)
    n = len(sentences)
    if not embedded:
        rows = embed_runs(sentences, embedder, longest, desc=desc) if n else np.zeros((0, 1), np.float32)
        embedded = [rows]
        del rows  # only the list holds them: padded_blocks grows them in place
    overlaps = Runs(padded_blocks(embedded, n, longest), max_overlap, n)
    lengths = np.array([len(s) for s in sentences], dtype=np.float64)
    strengths = np.zeros(n) if boundaries is None else np.asarray(boundaries, dtype=np.float64)
    numbers, ngrams = lexical_features(sentences)
    return SideData(
        overlaps, lengths, strengths, numbers, ngrams, quote_openings(sentences), turn_starts(sentences)
    )


MOVE_ROWS = 4096
"""Rows moved at a time while the flat runs are spread into blocks in place (``padded_blocks``)."""


def padded_blocks(embedded: list[np.ndarray], n: int, longest: int) -> list[np.ndarray]:
    """``embed_runs``' flat rows (n runs of 1 sentence, then n-1 of 2...), the one item of ``embedded``
    (taken out, so that nothing else holds them), as ``longest`` blocks of ``n`` rows, zero past the end:
    views of one array, grown in place (``ndarray.resize``) and filled by moving the blocks from the last
    back, so that a 30 MB text's 1.3 GB of runs are not copied whole (issue 9). Where numpy refuses to
    resize (the array does not own its data), the blocks are a copy."""
    rows = embedded.pop()
    dim = rows.shape[1]
    counts = [max(n - k + 1, 0) for k in range(1, longest + 1)]
    try:
        rows.resize((longest * n, dim))
    except ValueError:
        rows = np.concatenate([rows, np.zeros((longest * n - len(rows), dim), dtype=rows.dtype)])
    at = sum(counts)
    for k in range(longest, 0, -1):  # the last block moves furthest: no row is overwritten unread
        count = counts[k - 1]
        at -= count
        new = (k - 1) * n
        for stop in range(count, 0, -MOVE_ROWS):
            start = max(0, stop - MOVE_ROWS)
            rows[new + start : new + stop] = rows[at + start : at + stop]
        rows[new + count : new + n] = 0
    return [rows[(k - 1) * n : k * n] for k in range(1, longest + 1)]


def side_datas(
    texts: Sequence[Sequence[str]],
    embedder: Embedder,
    boundaries: Sequence[Sequence[float] | None],
    max_overlap: int,
    descs: Sequence[str],
    embedded_overlap: int = EMBEDDED_RUN,
) -> list[SideData]:
    """``side_data`` of several texts, embedded side by side where the embedder allows it
    (``embed.embed_runs_together``: one process a text, on machines with the cores)."""
    longest = min(max_overlap, embedded_overlap)
    rows = embed_runs_together(texts, embedder, longest, descs)
    sides = []
    for text, strengths, desc in zip(texts, boundaries, descs, strict=True):
        embedded = [rows.pop(0)]  # nothing else holds them: side_data frees them once copied
        sides.append(side_data(text, embedder, strengths, max_overlap, desc, embedded_overlap, embedded))
    return sides


def boundary_strengths(witness: Witness) -> np.ndarray:
    """How strongly each segment opens a unit: the stronger of the blocks on either side of the break.

    Lines of one heading group (a heading and its dateline, the lines of a title page) may be cut
    differently in two witnesses, so a break between them is only as strong as a paragraph break.
    """
    out = np.zeros(len(witness.segments))
    at, before = 0, None
    for block in witness.blocks:
        if not block.segments:
            continue
        weight = _block_weight(block.kind)
        if before is None:
            out[at] = weight
        elif block.kind in _HEADING_GROUP and before.kind in _HEADING_GROUP:
            out[at] = BLOCK_WEIGHTS["paragraph"]
        else:
            out[at] = max(weight, _block_weight(before.kind))
        before = block
        at += len(block.segments)
    return out


def _block_weight(kind: str) -> float:
    return BLOCK_WEIGHTS.get(kind, BLOCK_WEIGHTS["paragraph"])


# --- lexical evidence -----------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Lower case without accents, so that cognates and names spelt alike match across languages."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _bucket(feature: str, memo: dict[str, int]) -> int:
    if feature not in memo:
        memo[feature] = zlib.crc32(feature.encode("utf-8")) % BUCKETS  # stable across runs
    return memo[feature]


def lexical_features(sentences: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Per sentence (two arrays of shape ``(len(sentences), BUCKETS)``): hashed counts of its numbers
    ("4'000" = "4 000" = "4000"), and of the character 4-grams of its words of four letters or more
    (names, cognates), weighted by rarity (idf) in the text."""
    n = len(sentences)
    numbers = np.zeros((n, BUCKETS), dtype=np.float32)
    ngrams = np.zeros((n, BUCKETS), dtype=np.float32)
    memo: dict[str, int] = {}
    for i, sentence in enumerate(sentences):
        for number in _DIGITS.findall(_THOUSANDS.sub("", sentence)):
            numbers[i, _bucket("#" + number.lstrip("0"), memo)] += 1
        for word in _WORD.findall(_fold(sentence)):
            padded = f" {word} "
            for k in range(len(padded) - 3):
                ngrams[i, _bucket(padded[k : k + 4], memo)] += 1
    if n:
        df = (ngrams > 0).sum(axis=0)
        ngrams *= np.log((n + 1) / (df + 1)).astype(np.float32)
    return numbers, ngrams


_ALWAYS_OPENING = "«„‹「『"
"""Quotation marks that open a quotation wherever they stand (French, German, Russian, Chinese,
Japanese)."""
_MAYBE_OPENING = "'\"‘“"
"""Quotation marks that open one only at the start of a word (English 'Go', Chinese 道：“走): after a
space, a bracket, a dash or a CJK character, not after a Latin letter or a stop (an apostrophe, German
„Ja.“)."""
_OPENING = re.compile(
    f"[{_ALWAYS_OPENING}]|(?:^|(?<=[\\s(\\[{{—–\\-/\u2e80-\U0010ffff]))[{_MAYBE_OPENING}](?=\\S)"
)


def quote_openings(sentences: Sequence[str]) -> np.ndarray:
    """How many quotations each sentence opens, ``(len(sentences),)``: where the dialogue is, in any
    script."""
    return np.array([len(_OPENING.findall(sentence)) for sentence in sentences], dtype=np.float32)


def turn_starts(sentences: Sequence[str]) -> np.ndarray:
    """1 where a sentence opens a line of dialogue, else 0, ``(len(sentences),)``: it starts with a
    quotation mark ('Go!', «Va !»), or with a speaker tag, words without punctuation and a colon, before
    one (韦小宝道：“皇上？”), as Chinese and Japanese novels write it."""
    out = np.zeros(len(sentences), dtype=np.float32)
    for i, sentence in enumerate(sentences):
        text = sentence.lstrip()
        if text[:1] and text[0] in _ALWAYS_OPENING + _MAYBE_OPENING:
            out[i] = 1
            continue
        colon = next((k for k, c in enumerate(text) if c in "：:"), -1)
        after = text[colon + 1 :].lstrip()[:1] if colon > 0 else ""
        if after and after in _ALWAYS_OPENING + _MAYBE_OPENING:
            out[i] = not any(unicodedata.category(c).startswith("P") for c in text[:colon])
    return out


def run_vectors(rows: np.ndarray, start: int, stop: int, k: int) -> np.ndarray:
    """Unit vectors of the runs of ``k`` rows starting at ``start .. stop-1`` (zero rows stay zero)."""
    out = rows[start:stop].astype(np.float32, copy=True)
    for t in range(1, k):
        part = rows[start + t : stop + t]
        out[: len(part)] += part
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
