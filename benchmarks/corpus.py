"""Corpus mode: works per minute of ``aligner batch`` with 1 and 2 local workers and on a 2-worker Dask
LocalCluster, on two corpora:

- Text+Berg dev + test: 8 de-fr works (``../shared/bench/textberg``, read in place);
- a synthetic corpus of small works: slices of two to five paragraphs of the bundled Russian and the
  matching stretch of the English OCR (a folder of works, one sub-folder and manifest each).

    python benchmarks/corpus.py                  # both corpora, 1,000 synthetic works
    python benchmarks/corpus.py --works 40       # fewer synthetic works, for a quick check
    python benchmarks/corpus.py --only textberg  # one corpus
    python benchmarks/corpus.py --only synthetic --cold --configs 1 --compare-prefill
                                                 # cold cache, 1 worker, without and with the pre-pass

Every configuration is the real command, ``aligner batch CORPUS --out FRESH`` in a child process:
wall time, and CPU time (user + system of the child and of its workers, from rusage: the figure a
shared machine leaves reliable). The embedding cache (``$ALIGNER_CACHE``, else the default one) is
filled by a first, untimed-for-the-table warm-up run, so the three configurations compare the batch
itself (reading, aligning, writing, the workers' start and model load), not who paid for embedding.

``--cold`` instead gives every run a fresh, empty ``ALIGNER_CACHE`` (no warm-up): the first run over a
corpus, embedding included. ``--no-prefill`` passes ``--no-prefill`` to ``aligner batch`` (each work
embeds its own sentences); ``--compare-prefill`` runs every configuration both ways, without first.
"""

from __future__ import annotations

import argparse
import bisect
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXTBERG = ROOT.parent / "shared" / "bench" / "textberg"
TRANSLATIONS = ROOT / "translations"
DOCUMENTS = ["dev", *(f"test{n}" for n in range(7))]
CONFIGS = [("1 worker", ["--workers", "1"]), ("2 workers", ["--workers", "2"])]
CONFIGS += [("Dask LocalCluster, 2 workers", ["--workers", "2", "--dask"])]


def textberg_corpus(folder: Path, bench: Path) -> Path:
    """The 8 Text+Berg documents as one corpus file; their files stay where they are (read in place)."""
    tables = []
    for doc in DOCUMENTS:
        witnesses = "".join(
            f'[[work.witness]]\nid = "{lang}"\nlang = "{lang}"\nfiles = ["{bench / f"{doc}.{lang}"}"]\n'
            "presegmented = true\n"
            for lang in ("de", "fr")
        )
        tables.append(f'[[work]]\nid = "{doc}"\npivot = "de"\ntitle = "Text+Berg {doc}"\n{witnesses}')
    corpus = folder / "textberg.toml"
    corpus.write_text("\n".join(tables), encoding="utf-8")
    return corpus


def synthetic_corpus(folder: Path, works: int) -> Path:
    """``works`` small works, each a sub-folder with its manifest: two to five paragraphs of the
    bundled Russian and the stretch of the English OCR at the same place in the speech."""
    russian = [
        line
        for name in ("ru-1937-pravda-report.txt", "ru-1937-pravda-concluding.txt")
        for line in (TRANSLATIONS / name).read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    english = re.split(
        r"\n\s*\n", (TRANSLATIONS / "en-1937-mastering-bolshevism.txt").read_text(encoding="utf-8")
    )
    english = [block for block in english if block.strip()]
    at = [0]  # where each English block starts, in characters
    for block in english:
        at.append(at[-1] + len(block))
    ru_at = [0]
    for line in russian:
        ru_at.append(ru_at[-1] + len(line))
    root = folder / "synthetic"
    for k in range(works):
        size = 2 + k % 4
        start = (k * 37) % (len(russian) - size)
        # the English from the same place in the speech, about as long as the Russian slice
        begin = bisect.bisect_right(at, ru_at[start] / ru_at[-1] * at[-1]) - 1
        end = bisect.bisect_left(at, at[begin] + ru_at[start + size] - ru_at[start], begin + 1)
        work = root / f"w{k:04d}"
        work.mkdir(parents=True)
        (work / "ru.txt").write_text("\n\n".join(russian[start : start + size]) + "\n", encoding="utf-8")
        (work / "en.txt").write_text("\n\n".join(english[begin:end]) + "\n", encoding="utf-8")
        (work / "manifest.toml").write_text(
            f'[edition]\ntitle = "Work {k}"\npivot = "ru"\n\n'
            '[[witness]]\nid = "ru"\nrole = "original"\nlang = "ru"\nfiles = ["ru.txt"]\n\n'
            '[[witness]]\nid = "en"\nlang = "en"\nfiles = ["en.txt"]\n',
            encoding="utf-8",
        )
    return root


def run(corpus: Path, out: Path, options: list[str], cache: Path | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of one ``aligner batch`` in a child process, and its summary's last line;
    ``cache``: its ``ALIGNER_CACHE`` (else the environment's)."""
    command = [sys.executable, "-m", "aligner.cli", "batch", str(corpus), "--out", str(out), *options]
    command.append("--allow-outside-files")
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    if cache is not None:
        env["ALIGNER_CACHE"] = str(cache)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    if done.returncode != 0:
        sys.exit(f"aligner batch failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return wall, cpu, next(line for line in done.stdout.splitlines() if " works: " in line)


def measure(
    name: str,
    corpus: Path,
    works: int,
    scratch: Path,
    configs: list[tuple[str, list[str]]],
    cold: bool = False,
    prefills: tuple[bool, ...] = (True,),
) -> None:
    if cold:
        print(f"\n{name}: {works} works; every run from a fresh, empty embedding cache")
    else:
        wall, cpu, told = run(corpus, scratch / f"{name}-warmup", ["--workers", "1"])
        warm = f"{wall:.1f} s wall, {cpu:.1f} s CPU"
        print(f"\n{name}: {works} works; warm-up (fills the embedding cache): {warm}")
    print(
        f"{'configuration':<44} {'wall s':>8} {'CPU s':>8} {'works/min (wall)':>17} {'works/min (CPU)':>16}"
    )
    for label, options in configs:
        for fill in prefills:
            run_label = f"{label}{'' if fill else ', no pre-pass'}"
            tag = run_label.replace(" ", "_").replace(",", "")
            cache = scratch / f"cache-{name}-{tag}".replace(" ", "_") if cold else None
            extra = [] if fill else ["--no-prefill"]
            wall, cpu, told = run(corpus, scratch / f"{name}-{tag}", [*options, *extra], cache)
            assert f"{works} works: {works} aligned" in told, told
            print(
                f"{run_label:<44} {wall:8.1f} {cpu:8.1f} {works / wall * 60:17.1f} {works / cpu * 60:16.1f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--works", type=int, default=1000, help="synthetic works (default 1,000)")
    parser.add_argument("--only", choices=("textberg", "synthetic"), help="one corpus only")
    parser.add_argument("--bench", type=Path, default=TEXTBERG)
    parser.add_argument("--cold", action="store_true", help="a fresh, empty embedding cache for every run")
    parser.add_argument(
        "--configs", default="1,2,dask", help="which of 1 (worker), 2 (workers), dask (default: all three)"
    )
    both = parser.add_mutually_exclusive_group()
    both.add_argument("--no-prefill", action="store_true", help="aligner batch --no-prefill")
    both.add_argument("--compare-prefill", action="store_true", help="each configuration without and with it")
    args = parser.parse_args()
    chosen = {name.strip() for name in args.configs.split(",")}
    if not chosen <= {"1", "2", "dask"}:
        sys.exit(f"--configs: choose among 1, 2, dask, not {args.configs}")
    configs = [config for key, config in zip(("1", "2", "dask"), CONFIGS, strict=True) if key in chosen]
    prefills = (False, True) if args.compare_prefill else (not args.no_prefill,)
    options = (configs, args.cold, prefills)
    print(
        f"aligner batch, {os.cpu_count()} cores; times are of the whole command (start, model load, writing)"
    )
    with tempfile.TemporaryDirectory(prefix="corpus-bench-") as tmp:
        scratch = Path(tmp)
        if args.only in (None, "textberg"):
            if not args.bench.is_dir():
                sys.exit(f"benchmark data not found: {args.bench}")
            corpus = textberg_corpus(scratch, args.bench)
            measure("Text+Berg dev+test", corpus, len(DOCUMENTS), scratch, *options)
        if args.only in (None, "synthetic"):
            measure("synthetic", synthetic_corpus(scratch, args.works), args.works, scratch, *options)


if __name__ == "__main__":
    main()
