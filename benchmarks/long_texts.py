"""Long texts: time and peak memory of the alignment at 1,000, 10,000 and 50,000 sentences a side.

    python benchmarks/long_texts.py                 # 1000 10000 50000
    python benchmarks/long_texts.py 2000 20000      # other sizes

Synthetic books: the eight Text+Berg documents (German and French, dev and test) are embedded once
and tiled, each copy with its documents in another (seeded) order, until a side has N sentences. The
gold alignments are tiled the same way, so the figures also show that the coarse-to-fine search loses
nothing on long texts. Each size runs in a fresh process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from aligner import align
from aligner.align import SideData
from aligner.alignment import Bead, read_alignment
from aligner.embed import load_embedder
from aligner.evaluate import score

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textberg"
DOCS = ["dev", *(f"test{n}" for n in range(7))]


def _documents() -> list[tuple[SideData, SideData, list[Bead]]]:
    embedder = load_embedder(None)
    k = align.DEFAULT_PARAMS.max_run
    out = []
    for doc in DOCS:
        de = (BENCH / f"{doc}.de").read_text(encoding="utf-8").splitlines()
        fr = (BENCH / f"{doc}.fr").read_text(encoding="utf-8").splitlines()
        out.append(
            (
                align.side_data(de, embedder, max_overlap=k),
                align.side_data(fr, embedder, max_overlap=k),
                read_alignment(BENCH / f"{doc}.defr"),
            )
        )
    return out


def _concat(sides: list[SideData]) -> SideData:
    """Join sides; runs crossing a document boundary are recomposed from the sentences at hand."""
    k = len(sides[0].overlaps)
    one = np.concatenate([s.overlaps[0] for s in sides])
    overlaps = [one]
    for size in range(2, k + 1):
        block = np.concatenate([s.overlaps[size - 1] for s in sides])
        at = 0
        for s in sides:  # the last size-1 rows of each document ran into zeros: recompose them
            n = len(s)
            for i in range(max(0, n - size + 1), n):
                g = at + i
                if g + size <= len(one):
                    v = one[g : g + size].sum(axis=0)
                    block[g] = v / max(np.linalg.norm(v), 1e-12)
            at += n
        overlaps.append(block)
    return SideData(
        overlaps,
        np.concatenate([s.lengths for s in sides]),
        np.concatenate([s.boundaries for s in sides]),
        np.concatenate([s.numbers for s in sides]),
        np.concatenate([s.ngrams for s in sides]),
    )


def book(size: int) -> tuple[SideData, SideData, list[Bead]]:
    """Tile shuffled copies of the documents until the German side has ``size`` sentences."""
    docs = _documents()
    rng = np.random.default_rng(1937)
    xs, ys, gold, n = [], [], [], 0
    dx = dy = 0
    while n < size:
        for index in rng.permutation(len(docs)):
            x, y, g = docs[index]
            take = min(len(x), size - n)
            if take < len(x):  # cut the last document where a gold bead ends
                cut = [b for b in g if b.pivot and b.pivot[-1] < take]
                if not cut:
                    n = size
                    break
                last = max(b.witness[-1] for b in cut if b.witness)
                take = cut[-1].pivot[-1] + 1
                g = [b for b in g if (b.pivot[-1] < take if b.pivot else b.witness[0] <= last)]
                x, y = x.slice(0, take), y.slice(0, last + 1)
            xs.append(x)
            ys.append(y)
            gold += [Bead(tuple(i + dx for i in b.pivot), tuple(j + dy for j in b.witness), 1.0) for b in g]
            dx += len(x)
            dy += len(y)
            n += len(x)
            if n >= size:
                break
    return _concat(xs), _concat(ys), gold


def run_one(size: int) -> None:
    x, y, gold = book(size)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    beads = align.align_sides(x, y)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = score([gold], [beads])
    print(
        f"{len(x):>6} x {len(y):>6} sentences: {seconds:7.1f} s, peak memory {peak:7.0f} MiB "
        f"(data {before / 1024:.0f} MiB), strict/lax F1 {result.f1_strict:.3f}/{result.f1_lax:.3f}",
        flush=True,
    )


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        run_one(int(sys.argv[2]))
        return
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000, 50000]
    _documents()  # fill the embedding cache once
    for size in sizes:
        subprocess.run([sys.executable, __file__, "--one", str(size)], check=True)


if __name__ == "__main__":
    main()
