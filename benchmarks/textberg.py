"""Text+Berg benchmark: align the seven test documents and score them as Vecalign's score.py does.

    python benchmarks/textberg.py            # test set: strict/lax P/R/F1, time, confidence quality
    python benchmarks/textberg.py --dev      # the development document (the only one tuned on)
    python benchmarks/textberg.py --dev --set skip_score=-0.1  # with AlignParams fields changed

Confidence quality per document and pooled (``aligner.evaluate``; wrong = not exactly a gold bead), with
a reliability diagram; ``benchmarks/fit_confidence.py`` refits the confidence.

Published (strict / lax F1): Vecalign with LASER 0.902 / 0.986, Bertalign with LaBSE 0.936 / 0.989.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from mac import TEXTBERG, lines, parse_overrides

from aligner import align
from aligner.alignment import REVIEW_THRESHOLD, read_alignment
from aligner.embed import load_embedder
from aligner.evaluate import confidence_quality, quality_line, reliability_table, score, wrong_beads

TESTS = [f"test{n}" for n in range(7)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", action="store_true", help="the dev document instead of the seven test ones")
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--bench", type=Path, default=TEXTBERG)
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="an AlignParams change"
    )
    args = parser.parse_args()
    if not args.bench.is_dir():
        sys.exit(f"benchmark data not found: {args.bench}")
    docs = ["dev"] if args.dev else TESTS
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    golds, preds, rows = [], [], []
    embed_s = align_s = 0.0
    params = parse_overrides(args.set)
    k = params.max_run
    for doc in docs:
        t0 = time.perf_counter()
        x = align.side_data(lines(args.bench / f"{doc}.de"), embedder, max_overlap=k, desc=f"{doc}.de")
        y = align.side_data(lines(args.bench / f"{doc}.fr"), embedder, max_overlap=k, desc=f"{doc}.fr")
        t1 = time.perf_counter()
        beads = align.align_sides(x, y, params)
        align_s += time.perf_counter() - t1
        embed_s += t1 - t0
        gold = read_alignment(args.bench / f"{doc}.defr")
        golds.append(gold)
        preds.append(beads)
        rows.append(([bead.confidence for bead in beads], wrong_beads(gold, beads)))
    total = time.perf_counter() - start
    print(f"Text+Berg {'dev' if args.dev else 'test (7 documents)'}, model {embedder.name}")
    print(score(golds, preds).table())
    print("published strict/lax F1: Vecalign (LASER) 0.902/0.986, Bertalign (LaBSE) 0.936/0.989")
    print(
        f"per document: strict F1   lax F1   beads  wrong  flagged  ratio  10%-lowest catch "
        f"(flagged: below {REVIEW_THRESHOLD}; ratio: flagged / wrong)"
    )
    for doc, gold, pred, (conf, wrong) in zip(docs, golds, preds, rows, strict=True):
        s = score([gold], [pred])
        q = confidence_quality(conf, wrong, REVIEW_THRESHOLD)
        ratio = "  n/a" if q.ratio is None else f"{q.ratio:5.2f}"
        print(
            f"  {doc:6s} {s.f1_strict:.3f}   {s.f1_lax:.3f}   {len(pred):5d}  {q.wrong_share:5.1%}  "
            f"{q.flagged:6.1%}  {ratio}  {q.lowest_tenth:6.1%}"
        )
    print(f"time: {total:.1f} s wall ({embed_s:.1f} s embedding incl. cache, {align_s:.1f} s aligning)")
    conf = [c for cs, _ in rows for c in cs]
    wrong = [w for _, ws in rows for w in ws]
    print("confidence:", quality_line(confidence_quality(conf, wrong, REVIEW_THRESHOLD), REVIEW_THRESHOLD))
    print(reliability_table(conf, wrong))


if __name__ == "__main__":
    main()
