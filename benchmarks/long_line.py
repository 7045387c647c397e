"""Cleaning a text that is one long line: seconds to segment lines of 38 KB, 380 KB and 5 MB.

    python benchmarks/long_line.py              # 38000 380000 5000000 bytes
    python benchmarks/long_line.py 76000        # other sizes

The line is "Some words here." followed by three spaces, repeated: the layout of a running header
("TITLE   17") everywhere but at the end, which once made the header test quadratic (issue 9, case 5).
The line is read, cleaned and segmented as ``aligner segment FILE:en`` does; each size runs once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from aligner.ingest import load_witness
from aligner.witness import WitnessMeta

UNIT = "Some words here.   "


def seconds(size: int, folder: Path) -> tuple[float, int]:
    """Time to load a one-line text of about ``size`` bytes, and the number of sentences found."""
    path = folder / f"line-{size}.txt"
    path.write_text(UNIT * max(1, size // len(UNIT)), encoding="utf-8")
    start = time.perf_counter()
    witness = load_witness(WitnessMeta(id="line", lang="en", files=(path.name,)), [path])
    return time.perf_counter() - start, len(witness.segments)


def main(argv: list[str]) -> None:
    sizes = [int(arg) for arg in argv] or [38_000, 380_000, 5_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            elapsed, count = seconds(size, Path(tmp))
            print(f"{size / 1000:>8.0f} KB line: {elapsed:7.2f} s, {count} sentences", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
