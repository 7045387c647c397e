"""EN–ZH development benchmark: the English and the Chinese translations of the passage of enru-dev
(report sections 1–4) aligned with each other, the Russian original left out, as a scholar comparing two
translations does (``aligner align en-1937 zh.txt:zh --pivot en-1937``).

    python benchmarks/en_zh_dev.py            # (a) and (b) below, each with either text as pivot
    python benchmarks/en_zh_dev.py --beads    # also every wrong and every flagged bead, with text
    python benchmarks/en_zh_dev.py --cli      # also (c): the command line, as a user runs it

The gold is made from two others over the same 190 Russian sentences (``aligner.evaluate.compose_golds``):
``../shared/bench/enru-dev/en-ru.gold`` (``[en]:[ru]``) and ``benchmarks/data/ru-zh-dev/zh-ru.gold``
(``[zh]:[ru]``). Its beads are the connected components of the graph en—ru—zh: where the English
translator joined two Russian sentences the Chinese keeps apart, or the other way round, the bead holds
both sides' sentences, so a bead is the smallest group that says the same thing in both translations.
Scored as Vecalign's score.py does, ``[en]:[zh]``: the English as x, the Chinese as y.

(a) **The gold's sentences**: ``en.sents`` and ``zh.sents`` through the Python engine (``side_data``,
``align_with_evidence``), the English as pivot, then the Chinese.

(b) **End to end**: the whole English witness of ``translations/`` (the raw 1937 OCR of report and
concluding speech: running headers, page breaks, hyphens at line ends) and the raw
``benchmarks/data/ru-zh-dev/zh.txt`` (the passage only), read, segmented and aligned as ``aligner align``
does (``pipeline.load_witnesses``, ``align.align_pair``), the English as pivot (the Chinese an excerpt of
it, located first), then the Chinese as pivot (the English longer than it: the excerpt is the pivot).
The tool's sentences are carried onto the gold's (``reference_map``) and the beads projected
(``project_beads``), as ``enru_dev.py`` and ``ru_cjk_dev.py`` do; beads outside the passage drop out.

(c) With ``--cli``: ``aligner align en-1937 benchmarks/data/ru-zh-dev/zh.txt:zh --pivot P --out TMP``
for either pivot, its ``.align`` mapped through ``aligner segment``'s sentences and scored as (b).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mac import Doc, Run, lines, report
from ru_cjk_dev import check_data, command_line_alignment, segmentation_line, show_beads

from aligner import align, pipeline
from aligner.alignment import REVIEW_THRESHOLD, Bead, read_alignment
from aligner.embed import Embedder, load_embedder
from aligner.evaluate import compose_golds, project_beads, reference_map, wrong_beads

ROOT = Path(__file__).resolve().parents[1]
ENRU = ROOT.parent / "shared" / "bench" / "enru-dev"
ZH = ROOT / "benchmarks" / "data" / "ru-zh-dev"
MANIFEST = ROOT / "translations" / "manifest.toml"
ENGLISH = "en-1937"
PEERS = "no published figures (a gold composed for this project)"


def scored(doc: Doc, gold: list[Bead], beads: list[Bead], embed_s: float, align_s: float) -> Run:
    wrong = wrong_beads(gold, beads)
    rows = np.array([(b.confidence, float(bad)) for b, bad in zip(beads, wrong, strict=True)])
    return Run([doc], [gold], [beads], [rows], embed_s, align_s)


def english_first(beads: Sequence[Bead], english_pivot: bool) -> list[Bead]:
    """Beads as ``[en]:[zh]``, as the gold is written, whichever text was the pivot."""
    if english_pivot:
        return list(beads)
    return [Bead(bead.witness, bead.pivot, bead.confidence) for bead in beads]


def run_given(doc: Doc, gold: list[Bead], embedder: Embedder, english_pivot: bool) -> Run:
    """The gold's sentences through the engine, one or the other as pivot (x)."""
    params = align.DEFAULT_PARAMS
    t0 = time.perf_counter()
    en = align.side_data(lines(doc.x), embedder, max_overlap=params.max_run, desc="en")
    zh = align.side_data(lines(doc.y), embedder, max_overlap=params.max_run, desc="zh")
    t1 = time.perf_counter()
    x, y = (en, zh) if english_pivot else (zh, en)
    beads = [bead for bead, _ in align.align_with_evidence(x, y, params)]
    return scored(doc, gold, english_first(beads, english_pivot), t1 - t0, time.perf_counter() - t1)


def projected(doc: Doc, beads: Sequence[Bead], english: Sequence[str], chinese: Sequence[str]) -> list[Bead]:
    """The tool's ``[en]:[zh]`` beads over its own sentences as beads over the gold's sentences."""
    return project_beads(beads, reference_map(english, lines(doc.x)), reference_map(chinese, lines(doc.y)))


def run_raw(
    doc: Doc, gold: list[Bead], txt: Path, manifest: Path, embedder: Embedder, english_pivot: bool
) -> tuple[Run, list[str]]:
    """The raw English OCR and the raw Chinese aligned as ``aligner align`` does, scored on the passage."""
    loaded = pipeline.manifest_for(manifest)
    t0 = time.perf_counter()
    english, chinese = pipeline.load_witnesses([ENGLISH, f"{txt}:zh"], loaded)
    t1 = time.perf_counter()
    pivot, other = (english, chinese) if english_pivot else (chinese, english)
    pair = align.align_pair(pivot, other, embedder)
    t2 = time.perf_counter()
    en_texts, zh_texts = [s.text for s in english.segments], [s.text for s in chinese.segments]
    said = [
        segmentation_line(Doc("en", doc.x, doc.y, doc.gold), en_texts),
        segmentation_line(Doc("zh", doc.y, doc.x, doc.gold), zh_texts),
    ]
    warning = align.excerpt_warning(pair, len(pivot.segments), len(other.segments))
    said.append(f"warning: {warning}" if warning else "no excerpt warning")
    beads = projected(doc, english_first(pair.beads, english_pivot), en_texts, zh_texts)
    return scored(doc, gold, beads, t1 - t0, t2 - t1), said


def run_cli(doc: Doc, gold: list[Bead], txt: Path, english_pivot: bool) -> tuple[Run, list[str]]:
    """``aligner align en-1937 zh.txt:zh --pivot P --out TMP``, scored from the ``.align`` it wrote."""
    witness = f"{os.path.relpath(txt, ROOT)}:zh"
    pivot, other = (ENGLISH, witness) if english_pivot else (witness, ENGLISH)
    beads, first, second, said, align_s = command_line_alignment(pivot, other, name_pivot=True)
    english, chinese = (first, second) if english_pivot else (second, first)
    said.append(f"  sentences: {ENGLISH} {len(english)}, zh {len(chinese)} (aligner segment agrees)")
    beads = english_first(beads, english_pivot)
    return scored(doc, gold, projected(doc, beads, english, chinese), 0.0, align_s), said


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="the bundled texts' manifest")
    parser.add_argument("--beads", action="store_true", help="print every wrong and flagged bead")
    parser.add_argument("--cli", action="store_true", help="also (c), the command line with either pivot")
    args = parser.parse_args(argv)
    en_ru, zh_ru = ENRU / "en-ru.gold", ZH / "zh-ru.gold"
    sents, txt = ZH / "zh.sents", ZH / "zh.txt"
    for path in (ENRU / "en.sents", en_ru, sents, txt, zh_ru):
        if not path.is_file():
            sys.exit(f"benchmark data not found: {path}")
    check_data(sents, txt)
    en_beads, zh_beads = read_alignment(en_ru), read_alignment(zh_ru)
    gold = compose_golds(en_beads, zh_beads)
    larger = sum(
        1
        for bead in gold
        if bead.pivot not in {b.pivot for b in en_beads} or bead.witness not in {b.pivot for b in zh_beads}
    )
    shapes = Counter(f"{len(b.pivot)}-{len(b.witness)}" for b in gold)
    print(
        f"gold: {len(gold)} beads [en]:[zh] composed through the Russian "
        f"({', '.join(f'{shape} {n}' for shape, n in sorted(shapes.items()))}); {larger} larger than a "
        "bead of either gold (the two translators group the Russian differently)"
    )
    doc = Doc("en-zh-dev", ENRU / "en.sents", sents, zh_ru)  # gold: composed, above
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    for english_pivot in (True, False):
        name = "en" if english_pivot else "zh"
        start = time.perf_counter()
        given = run_given(doc, gold, embedder, english_pivot)
        print()
        report(
            f"(a) en-zh-dev, the gold's sentences, {name} pivot, model {embedder.name}",
            given,
            PEERS,
            time.perf_counter() - start,
        )
        if args.beads:
            show_beads(f"(a) {name} pivot", given, REVIEW_THRESHOLD, "[en]:[zh]")
    for english_pivot in (True, False):
        name = ENGLISH if english_pivot else "zh"
        start = time.perf_counter()
        raw, said = run_raw(doc, gold, txt, args.manifest, embedder, english_pivot)
        print()
        report(
            f"(b) en-zh-dev end to end, --pivot {name}: the whole raw OCR {ENGLISH} of translations/ and the "
            f"raw {txt.name} aligned as `aligner align` does, the tool's sentences mapped to the gold's, the "
            "gold's passage scored (time: reading and segmenting as 'embedding')",
            raw,
            PEERS,
            time.perf_counter() - start,
        )
        print("\n".join(said))
        if args.beads:
            show_beads(f"(b) --pivot {name}", raw, REVIEW_THRESHOLD, "[en]:[zh]")
    if not args.cli:
        return
    if args.model:
        sys.exit("(c) runs the command line with no option: drop --model")
    for english_pivot in (True, False):
        name = ENGLISH if english_pivot else "zh"
        start = time.perf_counter()
        cli, said = run_cli(doc, gold, txt, english_pivot)
        print()
        report(
            f"(c) en-zh-dev, --pivot {name}, through the command line, scored from the .align it wrote",
            cli,
            PEERS,
            time.perf_counter() - start,
        )
        print("\n".join(said))
        if args.beads:
            show_beads(f"(c) --pivot {name}", cli, REVIEW_THRESHOLD, "[en]:[zh]")


if __name__ == "__main__":
    main()
