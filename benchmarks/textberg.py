"""Text+Berg benchmark: align the seven test documents and score them as Vecalign's score.py does.

    python benchmarks/textberg.py            # test set: strict/lax P/R/F1, time, confidence quality
    python benchmarks/textberg.py --dev      # the development document (the only one tuned on)
    python benchmarks/textberg.py --dev --fit  # refit the confidence weights on dev and show thresholds
    python benchmarks/textberg.py --dev --set skip_score=-0.1  # with AlignParams fields changed

Published (strict / lax F1): Vecalign with LASER 0.902 / 0.986, Bertalign with LaBSE 0.936 / 0.989.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
from mac import parse_overrides

from aligner import align
from aligner.alignment import REVIEW_THRESHOLD, read_alignment
from aligner.embed import load_embedder
from aligner.evaluate import score, wrong_beads

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "textberg"
TESTS = [f"test{n}" for n in range(7)]


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dev", action="store_true", help="the dev document instead of the seven test ones")
    parser.add_argument("--fit", action="store_true", help="refit the confidence weights (use with --dev)")
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--bench", type=Path, default=BENCH)
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
        aligned = align.align_with_evidence(x, y, params)
        beads = [bead for bead, _ in aligned]
        align_s += time.perf_counter() - t1
        embed_s += t1 - t0
        gold = read_alignment(args.bench / f"{doc}.defr")
        golds.append(gold)
        preds.append(beads)
        wrong = wrong_beads(gold, beads)
        for (bead, evidence), bad in zip(aligned, wrong, strict=True):
            assert evidence is not None  # no fixed beads here: every bead has its evidence
            rows.append((bead.confidence, float(bad), *align.confidence_features(evidence)))
    total = time.perf_counter() - start
    result = score(golds, preds)
    print(f"Text+Berg {'dev' if args.dev else 'test (7 documents)'}, model {embedder.name}")
    print(result.table())
    print("published strict/lax F1: Vecalign (LASER) 0.902/0.986, Bertalign (LaBSE) 0.936/0.989")
    print(f"time: {total:.1f} s wall ({embed_s:.1f} s embedding incl. cache, {align_s:.1f} s aligning)")
    table = np.array(rows)
    conf, wrong = table[:, 0], table[:, 1]
    lowest = np.argsort(conf, kind="stable")[: math.ceil(0.1 * len(conf))]
    print(
        f"confidence: {int(wrong.sum())} wrong beads (strict) of {len(conf)}; "
        f"{wrong[lowest].sum() / max(wrong.sum(), 1):.1%} of them are among the 10% least confident beads"
    )
    listed = conf < REVIEW_THRESHOLD
    print(
        f"review threshold {REVIEW_THRESHOLD}: lists {listed.mean():.1%} of the beads, "
        f"catches {wrong[listed].sum() / max(wrong.sum(), 1):.1%} of the wrong ones"
    )
    if args.fit:
        fit(table)


def fit(table: np.ndarray) -> None:
    """Logistic regression of correctness on ``align.CONFIDENCE_FEATURES`` by Newton steps (ridge 1e-3)."""
    wrong, features = table[:, 1], table[:, 2:]
    right = 1 - wrong
    w = np.zeros(features.shape[1])
    ridge = 1e-3 * np.eye(len(w))
    for _ in range(50):
        p = 1 / (1 + np.exp(-features @ w))
        hessian = (features * (p * (1 - p))[:, None]).T @ features + ridge
        w += np.linalg.solve(hessian, features.T @ (right - p) - ridge @ w)
    print("CONFIDENCE_WEIGHTS =", tuple(round(float(v), 2) for v in w))
    p = 1 / (1 + np.exp(-features @ w))
    lowest = np.argsort(p, kind="stable")[: math.ceil(0.1 * len(p))]
    print(
        f"  refitted: {wrong[lowest].sum() / max(wrong.sum(), 1):.1%} of the wrong beads "
        "are among the 10% least confident"
    )
    for threshold in (0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9):
        listed = p < threshold
        print(
            f"  threshold {threshold}: lists {listed.mean():.1%} of beads, "
            f"catches {wrong[listed].sum() / max(wrong.sum(), 1):.1%} of wrong ones"
        )


if __name__ == "__main__":
    main()
