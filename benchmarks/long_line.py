"""Cleaning a text that is one long line: seconds to segment lines of 38 KB, 380 KB and 5 MB.

    python benchmarks/long_line.py              # 38000 380000 5000000 bytes
    python benchmarks/long_line.py 76000        # other sizes

The line is "Some words here." followed by three spaces, repeated: the layout of a running header
("TITLE   17") everywhere but at the end, which once made the header test quadratic (issue 9, case 5).
Then the same sizes of Chinese dialogue in one paragraph (pysbd's time grows with the square of its input:
360 KB took about 35 s with a run of "……", before the paragraph went to it in pieces), and of a run of
"……" (the script rule's pattern once backtracked over it). Each line is read, cleaned and segmented as
``aligner segment FILE:LANG`` does; each size runs once.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from aligner.ingest import load_witness
from aligner.witness import WitnessMeta

UNITS = [
    ("en", "Some words here.   "),
    ("zh", '“你好。”她说。他说."再见!"然后走了。'),
    ("zh", "……"),
]


def seconds(size: int, folder: Path, lang: str = "en", unit: str = UNITS[0][1]) -> tuple[float, int]:
    """Time to load a one-line text of about ``size`` bytes, and the number of sentences found."""
    path = folder / f"line-{size}.txt"
    count = max(1, size // len(unit.encode()))
    path.write_text(unit * count + ("他走了。" if unit == "……" else ""), encoding="utf-8")
    start = time.perf_counter()
    witness = load_witness(WitnessMeta(id="line", lang=lang, files=(path.name,)), [path])
    return time.perf_counter() - start, len(witness.segments)


def main(argv: list[str]) -> None:
    sizes = [int(arg) for arg in argv] or [38_000, 380_000, 5_000_000]
    with tempfile.TemporaryDirectory() as tmp:
        for lang, unit in UNITS:
            print(f"{lang}: {unit.strip()!r} repeated")
            for size in sizes:
                elapsed, count = seconds(size, Path(tmp), lang, unit)
                print(f"{size / 1000:>8.0f} KB line: {elapsed:7.2f} s, {count} sentences", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
