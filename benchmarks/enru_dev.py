"""EN–RU development benchmark (enru-dev: Mastering Bolshevism, report sections 1–4), scored as
Vecalign's score.py does, English as x and Russian as y, as the gold ``[en]:[ru]`` is written.

    python benchmarks/enru_dev.py                        # both parts below, with confidence quality
    python benchmarks/enru_dev.py --set length_weight=0.2  # the same with AlignParams fields changed

(a) **The gold's sentences**: its 189 English and 190 Russian lines through the Python engine
(``side_data``, ``align_with_evidence``): the engine alone, with no document structure.

(b) **End to end from the raw texts**: the bundled raw OCR English and the Russian, read, cleaned and
segmented from ``translations/`` and its manifest, and aligned with the Russian as the pivot, as
``aligner align`` does (``pipeline.load_witnesses``, ``align.align_pair``), over the whole texts. The
tool's sentences are then carried onto the gold's by their words (``aligner.evaluate.reference_map``):
both are reduced to word streams (case, ё, compatibility forms and hyphens inside words folded,
punctuation ignored), the streams aligned word by word (longest common blocks), and each tool sentence
mapped to the gold sentences whose matched words it holds. Each bead (turned round to ``[en]:[ru]``)
then takes the gold sentences of its tool sentences (``project_beads``): beads that share a gold
sentence merge into one (a gold sentence the tool cut in two and linked twice: one bead at the gold's
granularity, with the lower confidence), a tool sentence over two gold sentences brings both into its
bead (strictly right only where the gold joins them too), and beads outside the gold's passage (the
rest of the report, the concluding speech) drop out. So only the gold's portion is scored; a bead at
its edge that also holds a sentence beyond it counts by its part inside.

Confidence quality, per part: the share of the strictly wrong beads among the 10% least confident, and
the share of beads below the review threshold against the share wrong.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mac import Doc, Run, lines, parse_overrides, report, run_api

from aligner import align, pipeline
from aligner.alignment import Bead, read_alignment
from aligner.embed import Embedder, load_embedder
from aligner.evaluate import project_beads, reference_map, wrong_beads

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "enru-dev"
MANIFEST = Path(__file__).resolve().parents[1] / "translations" / "manifest.toml"
PEERS = "no published figures (a gold made for this project)"


def run_raw(doc: Doc, manifest: Path, embedder: Embedder, params: align.AlignParams) -> Run:
    """Align the bundled raw texts as ``aligner align`` does and score the beads on the gold's passage."""
    loaded = pipeline.manifest_for(manifest)
    t0 = time.perf_counter()
    russian, english = pipeline.load_witnesses(["ru-1937", "en-1937"], loaded)
    t1 = time.perf_counter()
    pair = align.align_pair(russian, english, embedder, params=params)
    t2 = time.perf_counter()
    turned = [Bead(bead.witness, bead.pivot, bead.confidence) for bead in pair.beads]
    en_map = reference_map([s.text for s in english.segments], lines(doc.x))
    ru_map = reference_map([s.text for s in russian.segments], lines(doc.y))
    beads = project_beads(turned, en_map, ru_map)
    gold = read_alignment(doc.gold)
    wrong = wrong_beads(gold, beads)
    rows = np.array([(b.confidence, float(bad)) for b, bad in zip(beads, wrong, strict=True)])
    return Run([doc], [gold], [beads], [rows], t1 - t0, t2 - t1)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="the bundled texts' manifest")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="an AlignParams change"
    )
    args = parser.parse_args(argv)
    if not args.bench.is_dir():
        sys.exit(f"benchmark data not found: {args.bench}")
    params = parse_overrides(args.set)
    doc = Doc("enru-dev", args.bench / "en.sents", args.bench / "ru.sents", args.bench / "en-ru.gold")
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    given = run_api([doc], embedder, params)
    report(
        f"(a) enru-dev, the gold's sentences, model {embedder.name}",
        given,
        PEERS,
        time.perf_counter() - start,
    )
    print()
    start = time.perf_counter()
    raw = run_raw(doc, args.manifest, embedder, params)
    report(
        "(b) enru-dev end to end: the raw texts of translations/ aligned as `aligner align` does (ru pivot), "
        "the tool's sentences mapped to the gold's by their words, the gold's passage scored "
        "(time: reading and segmenting as 'embedding')",
        raw,
        PEERS,
        time.perf_counter() - start,
    )


if __name__ == "__main__":
    main()
