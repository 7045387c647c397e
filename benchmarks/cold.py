"""Cold speed: wall and CPU time of the bundled alignment with an empty embedding cache.

    python benchmarks/cold.py            # one cold run, then one from the cache
    python benchmarks/cold.py --runs 3   # three cold runs: each figure, and the median

Each run is ``aligner align`` on the bundled texts in a fresh process with a fresh ``ALIGNER_CACHE``,
so the model load, the embedding of every sentence and window, and the search are all counted. CPU
time (user + system, from the child's rusage) is given beside the wall time because a shared
machine makes the wall time alone unreliable: when other processes hold the cores, the wall time
grows and the CPU time hardly moves. A benchmark, not a test (see docs/speed.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_once(cache: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB of one ``aligner align`` in a child process."""
    env = {**os.environ, "ALIGNER_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "aligner.cli", "align", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"aligner align failed ({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024  # ru_maxrss: the largest child so far, in KiB on Linux


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="cold runs (default 1)")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(f"load average before: {load:.2f} on {os.cpu_count()} cores")
    walls, cpus = [], []
    with tempfile.TemporaryDirectory(prefix="aligner-cold-") as tmp:
        for n in range(args.runs):
            cache = Path(tmp) / f"cache{n}"
            wall, cpu, rss = run_once(cache, Path(tmp) / f"out{n}" / "edition")
            walls.append(wall)
            cpus.append(cpu)
            print(f"cold run {n + 1}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak {rss:.0f} MiB", flush=True)
        wall, cpu, _ = run_once(cache, Path(tmp) / "cached" / "edition")
        print(f"from the cache: wall {wall:.1f} s, CPU {cpu:.1f} s")
    if args.runs > 1:
        print(f"cold median: wall {statistics.median(walls):.1f} s, CPU {statistics.median(cpus):.1f} s")


if __name__ == "__main__":
    main()
