"""Refit the confidence (``aligner/align/confidence.py``) and print its constants and figures.

    python benchmarks/fit_confidence.py              # fit CONFIDENCE_FEATURES, print CONFIDENCE_WEIGHTS
    python benchmarks/fit_confidence.py --select     # also rank subsets of candidate features
    python benchmarks/fit_confidence.py --set length_weight=0.2  # with AlignParams fields changed

Fitted on three language pairs only: the Text+Berg dev document (de-fr), the six MAC-Dev chapters (zh-en)
and enru-dev (en-ru), by logistic regression of "the bead is exactly a gold bead" (strict, as the
benchmarks count wrong beads) on ``align.confidence_features`` (Newton steps, ridge 1e-3, deterministic).
The Text+Berg test documents are only reported. Figures:

- in-sample: the weights fitted on the whole fit set, scored on it;
- held-out: each fit document scored with weights fitted without it (leave one document out: for
  MAC-Dev, leave one chapter out), and Text+Berg test with the weights fitted on the whole fit set.

Per document: share wrong, share below ``REVIEW_THRESHOLD`` (flagged), their ratio (the aim: between 0.5
and 2) and the share of the wrong beads among the 10% least confident (the aim: 70%); pooled per
benchmark, with a reliability diagram. Paste the printed ``CONFIDENCE_WEIGHTS`` into confidence.py, then
``benchmarks/textberg.py`` and ``benchmarks/mac.py`` print the same held-out-free figures from the code.

``--select`` ranks feature sets by the criterion the kept set was chosen by (docs/experiments.md, "The
confidence", fifth round): the share of wrong beads among the 10% least confident, pooled over the fit
documents each held out, ties by held-out log loss. Only the fit set is used to choose.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from mac import BENCH as MAC
from mac import TEXTBERG, Doc, lines, parse_overrides

from aligner import align
from aligner.align import BeadEvidence
from aligner.align.confidence import POSTERIOR_FLOOR, capped_delta
from aligner.alignment import REVIEW_THRESHOLD, read_alignment
from aligner.embed import Embedder, load_embedder
from aligner.evaluate import confidence_quality, quality_line, reliability_table, wrong_beads

ENRU = MAC.parent / "enru-dev"
FIT_SET = [
    Doc("tb-dev", TEXTBERG / "dev.de", TEXTBERG / "dev.fr", TEXTBERG / "dev.defr"),
    *(
        Doc(f"mac-{c:03d}", MAC / f"{c:03d}.zh", MAC / f"{c:03d}.en", MAC / f"{c:03d}.gold")
        for c in range(1, 7)
    ),
    Doc("enru-dev", ENRU / "en.sents", ENRU / "ru.sents", ENRU / "en-ru.gold"),
]
REPORTED = [
    Doc(f"tb-test{k}", TEXTBERG / f"test{k}.de", TEXTBERG / f"test{k}.fr", TEXTBERG / f"test{k}.defr")
    for k in range(7)
]
RIDGE = 1e-3

CANDIDATES: dict[str, Callable[[BeadEvidence], float]] = {
    "delta": lambda e: capped_delta(e.delta),
    "skip": lambda e: float(e.skip),
    "posterior": lambda e: e.posterior,
    "log_posterior": lambda e: math.log(max(e.posterior, POSTERIOR_FLOOR)),
    "size": lambda e: float(e.size),
    "similarity": lambda e: e.similarity,
    "neighbour": lambda e: e.neighbour,
    "score": lambda e: e.score,
    "gap": lambda e: e.gap,
    "many": lambda e: float(not e.skip and e.size > 2),
}
"""Features ``--select`` tries, each from a bead's evidence (the kept ones are in confidence.py)."""
ALWAYS = ("delta", "skip", "posterior")


@dataclass
class Aligned:
    """One document aligned: each bead's evidence, whether it is wrong, and its shipped confidence."""

    name: str
    evidence: list[BeadEvidence]
    wrong: np.ndarray
    shipped: np.ndarray


def align_docs(docs: Sequence[Doc], embedder: Embedder, params: align.AlignParams) -> list[Aligned]:
    out = []
    for doc in docs:
        x = align.side_data(lines(doc.x), embedder, max_overlap=params.max_run, desc=f"{doc.name} x")
        y = align.side_data(lines(doc.y), embedder, max_overlap=params.max_run, desc=f"{doc.name} y")
        found = align.align_with_evidence(x, y, params)
        beads = [bead for bead, _ in found]
        evidence = [e for _, e in found if e is not None]
        if len(evidence) != len(found):
            sys.exit(f"{doc.name}: a bead without evidence (no fixed beads are expected here)")
        wrong = np.array(wrong_beads(read_alignment(doc.gold), beads), dtype=bool)
        out.append(Aligned(doc.name, evidence, wrong, np.array([b.confidence for b in beads])))
    return out


def design(doc: Aligned, names: Sequence[str] | None) -> np.ndarray:
    """The feature matrix: ``align.confidence_features`` (``names`` None), or bias and the candidates."""
    if names is None:
        return np.array([align.confidence_features(e) for e in doc.evidence])
    return np.array([[1.0, *(CANDIDATES[n](e) for n in names)] for e in doc.evidence])


def fit(features: np.ndarray, wrong: np.ndarray, ridge: float = RIDGE) -> np.ndarray:
    """Logistic regression of 'right' on the features by Newton steps (ridge on every weight)."""
    right = (~wrong).astype(np.float64)
    w = np.zeros(features.shape[1])
    penalty = ridge * np.eye(len(w))
    for _ in range(60):
        p = 1 / (1 + np.exp(-features @ w))
        hessian = (features * (p * (1 - p))[:, None]).T @ features + penalty
        w += np.linalg.solve(hessian, features.T @ (right - p) - penalty @ w)
    return w


def predict(features: np.ndarray, w: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-features @ w))


def held_out(fitset: Sequence[Aligned], names: Sequence[str] | None) -> dict[str, np.ndarray]:
    """Each fit document's confidences from weights fitted on the other fit documents."""
    mats = {d.name: design(d, names) for d in fitset}
    out = {}
    for doc in fitset:
        rest = [d for d in fitset if d is not doc]
        w = fit(np.concatenate([mats[d.name] for d in rest]), np.concatenate([d.wrong for d in rest]))
        out[doc.name] = predict(mats[doc.name], w)
    return out


def log_loss(conf: np.ndarray, wrong: np.ndarray) -> float:
    p = np.clip(np.where(wrong, 1 - conf, conf), 1e-9, 1.0)
    return float(-np.log(p).mean())


def print_group(title: str, docs: Sequence[Aligned], conf: dict[str, np.ndarray], diagram: bool) -> None:
    print(f"{title}: per document wrong / flagged (below {REVIEW_THRESHOLD}) / ratio / 10%-lowest catch")
    for d in docs:
        q = confidence_quality(conf[d.name], d.wrong, REVIEW_THRESHOLD)
        ratio = "n/a" if q.ratio is None else f"{q.ratio:.2f}"
        print(f"  {d.name:9s} {q.wrong_share:6.1%} {q.flagged:6.1%}  {ratio:>5s}  {q.lowest_tenth:6.1%}")
    pooled = np.concatenate([conf[d.name] for d in docs])
    wrong = np.concatenate([d.wrong for d in docs])
    print("  pooled:", quality_line(confidence_quality(pooled, wrong, REVIEW_THRESHOLD), REVIEW_THRESHOLD))
    if diagram:
        print("  " + reliability_table(pooled, wrong).replace("\n", "\n  "))


def select(fitset: Sequence[Aligned], most: int = 3) -> None:
    """Rank candidate feature sets (``ALWAYS`` plus up to ``most`` others) on the fit set, held out."""
    wrong = np.concatenate([d.wrong for d in fitset])
    others = [n for n in CANDIDATES if n not in ALWAYS]
    ranked = []
    for k in range(most + 1):
        for extra in itertools.combinations(others, k):
            names = (*ALWAYS, *extra)
            conf = held_out(fitset, names)
            pooled = np.concatenate([conf[d.name] for d in fitset])
            q = confidence_quality(pooled, wrong, REVIEW_THRESHOLD)
            ranked.append((-q.lowest_tenth, log_loss(pooled, wrong), names))
    ranked.sort()
    print("feature sets, fit documents each held out (10%-lowest catch, log loss):")
    for catch, loss, names in ranked[:10]:
        print(f"  {-catch:6.1%}  {loss:.4f}  {', '.join(names)}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="an AlignParams change"
    )
    parser.add_argument("--select", action="store_true", help="rank candidate feature sets (slower)")
    args = parser.parse_args(argv)
    for doc in [*FIT_SET, *REPORTED]:
        if not doc.gold.is_file():
            sys.exit(f"benchmark data not found: {doc.gold}")
    params = parse_overrides(args.set)
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    fitset = align_docs(FIT_SET, embedder, params)
    reported = align_docs(REPORTED, embedder, params)
    print(f"aligned in {time.perf_counter() - start:.1f} s wall, model {embedder.name}")
    if args.select:
        select(fitset)
    w = fit(np.concatenate([design(d, None) for d in fitset]), np.concatenate([d.wrong for d in fitset]))
    print("CONFIDENCE_FEATURES =", tuple(align.CONFIDENCE_FEATURES))
    print("CONFIDENCE_WEIGHTS =", tuple(round(float(v), 2) for v in w))
    rounded = np.round(w, 2)
    inside = {d.name: predict(design(d, None), rounded) for d in [*fitset, *reported]}
    held = {**held_out(fitset, None), **{d.name: inside[d.name] for d in reported}}
    mac = [d for d in fitset if d.name.startswith("mac-")]
    others = [d for d in fitset if not d.name.startswith("mac-")]
    print("\nIN-SAMPLE (the weights above, rounded, on the data they were fitted on)")
    print_group("MAC-Dev", mac, inside, diagram=False)
    print_group("Text+Berg dev, enru-dev", others, inside, diagram=False)
    print("\nHELD-OUT (fit documents: leave one out; Text+Berg test: never fitted on)")
    print_group("MAC-Dev, leave one chapter out", mac, held, diagram=True)
    print_group("Text+Berg dev, enru-dev, each left out", others, held, diagram=False)
    print_group("Text+Berg test", reported, held, diagram=True)
    shipped = {d.name: d.shipped for d in [*fitset, *reported]}
    print("\nSHIPPED (the weights now in confidence.py)")
    print_group("MAC-Dev", mac, shipped, diagram=False)
    print_group("Text+Berg test", reported, shipped, diagram=False)


if __name__ == "__main__":
    main()
