"""A huge translation against the Russian original: time and peak memory of ``aligner align``.

    python benchmarks/huge_text.py            # 3 MB of English
    python benchmarks/huge_text.py 30         # the 30 MB case of issue 9 (some minutes)

The bundled English OCR is repeated until it has the size asked for (in MB), then aligned with the
bundled Russian by the real command in a fresh process, so its peak memory (the high-water mark of its
resident set, ``ru_maxrss`` of the child) is the command's own. The repeated sentences embed once (the
cache), so the figures show what the alignment holds in memory, not the speed of the model. Printed:
wall time, CPU time (user + system, the figure to compare on shared cores) and peak RSS. Issue 9's goal
for the 30 MB case (598 x about 205,000 sentences): under 3 GB. Not a test: it takes minutes.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


def run(megabytes: float, folder: Path) -> None:
    english = (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8")
    copies = max(1, round(megabytes * 1_000_000 / len(english.encode("utf-8"))))
    path = folder / f"en-{megabytes:g}mb.txt"
    path.write_text("\n\n".join([english] * copies), encoding="utf-8")
    size = path.stat().st_size / 1e6
    command = [
        sys.executable,
        "-m",
        "aligner.cli",
        "align",
        "ru-1937",
        f"{path}:en",
        "--out",
        str(folder / "e"),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(done.stderr)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    peak = after.ru_maxrss
    beads = next((line for line in done.stdout.splitlines() if "<->" in line), "")
    note = "" if peak > before.ru_maxrss else " (peak of an earlier size: run one size per call)"
    print(
        f"{size:6.1f} MB English: {elapsed:6.0f} s wall, {cpu:6.0f} s CPU, "
        f"peak RSS {peak / 1024**2:5.2f} GB{note}; {beads}",
        flush=True,
    )


def main(argv: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for megabytes in [float(arg) for arg in argv] or [3.0]:
            run(megabytes, Path(tmp))


if __name__ == "__main__":
    main(sys.argv[1:])
