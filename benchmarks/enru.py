"""EN–RU development benchmark: the gold's own sentences aligned through the Python engine and scored
as Vecalign's score.py does (English is the pivot, x; Russian the witness, y; gold ``[en]:[ru]``).

    python benchmarks/enru.py                     # strict/lax P/R/F1, time, confidence quality
    python benchmarks/enru.py --set length_weight=0.2  # the same with AlignParams fields changed

The gold's sentences carry no document structure (headings, paragraphs), so the structure evidence
plays no part here; end to end from the raw texts it does.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from mac import Doc, parse_overrides, report, run_api

from aligner.embed import load_embedder

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "enru-dev"
PEERS = "no published figures (a gold made for this project)"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--bench", type=Path, default=BENCH)
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
    result = run_api([doc], embedder, params)
    title = f"enru-dev (the gold's sentences), model {embedder.name}"
    report(title, result, PEERS, time.perf_counter() - start)


if __name__ == "__main__":
    main()
