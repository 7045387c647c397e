"""RU–ZH, RU–JA and RU–KO development benchmark: a Chinese (Japanese, Korean) witness of the passage
of enru-dev (report sections 1–4), translated for this project from the Russian, aligned with the
Russian pivot.

    python benchmarks/ru_cjk_dev.py                 # Chinese: (a), (b) and (c) below, confidence quality
    python benchmarks/ru_cjk_dev.py --lang ja       # the same for the Japanese witness
    python benchmarks/ru_cjk_dev.py --lang ko       # the same for the Korean witness
    python benchmarks/ru_cjk_dev.py --whole         # the whole text: report and concluding speech
    python benchmarks/ru_cjk_dev.py --beads         # also every wrong and every flagged bead, with text
    python benchmarks/ru_cjk_dev.py --set length_weight=0.2  # (a) and (b) with AlignParams fields changed

The data is in ``benchmarks/data/ru-LANG-dev/`` (README there): ``LANG.sents`` (the gold's sentences),
``LANG.txt`` (the same text as a user brings it: paragraphs, headings, the title block) and
``LANG-ru.gold`` (``[LANG]:[ru]``, the witness first), over the 190 Russian sentences of
``../shared/bench/enru-dev/ru.sents``. Scored as Vecalign's score.py does, the witness as x and the
Russian as y, as the gold is written; the Russian is the pivot of every alignment, as a user makes it.
With ``--whole``, ``benchmarks/data/ru-zh-whole/`` instead: the whole text (report and concluding
speech) in Chinese, its gold over ``ru.sents`` there (the Russian pivot's 598 sentences as the tool
divided them when the gold was made), so (b) and (c) align two whole texts, as for the held-out witness.

(a) **The gold's sentences**: the Russian and the witness's lines through the Python engine
(``side_data``, ``align_with_evidence``, Russian as x): the engine alone, no document structure.

(b) **End to end**: the whole Russian pivot (report and concluding speech, 598 sentences) read from
``translations/`` and its manifest, and the raw ``LANG.txt`` as a witness, read, segmented and aligned as
``aligner align`` does (``pipeline.load_witnesses``, ``align.align_pair``). The witness covers a third
of the pivot, so the excerpt is located first, as for a user. The tool's sentences are carried onto the
gold's (``aligner.evaluate.reference_map``: Chinese and Japanese compared character by character,
Korean, which is spaced, word by word) and the beads projected (``project_beads``, as ``enru_dev.py``
does): beads outside the gold's passage drop out.

(c) **The command line**: ``aligner align ru-1937 benchmarks/data/ru-LANG-dev/LANG.txt:LANG --out TMP``
with no option, as a user runs it; its sentence counts checked against ``aligner segment`` of the same
two texts, whose sentences map the ``.align`` file it wrote onto the gold's, scored as (b).

Confidence quality, per part: the share of the strictly wrong beads among the 10% least confident, and
the share of beads below the review threshold against the share wrong (the issue 16 complaint: a
third flagged while about 3% are wrong).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from mac import Doc, Run, lines, parse_overrides, report

from aligner import align, pipeline
from aligner.alignment import REVIEW_THRESHOLD, Bead, read_alignment
from aligner.embed import Embedder, load_embedder
from aligner.evaluate import project_beads, reference_map, wrong_beads

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
RUSSIAN = ROOT.parent / "shared" / "bench" / "enru-dev" / "ru.sents"
MANIFEST = ROOT / "translations" / "manifest.toml"
PIVOT = "ru-1937"
PEERS = "no published figures (a witness translated for this project)"


def check_data(sents: Path, txt: Path) -> None:
    """The raw text must hold the gold's sentences and nothing else, or (b) and (c) score another text."""
    joined = re.sub(r"\s", "", "".join(lines(sents)))
    raw = re.sub(r"\s", "", txt.read_text(encoding="utf-8"))
    if raw != joined:
        at = next((k for k, (a, b) in enumerate(zip(raw, joined, strict=False)) if a != b), None)
        sys.exit(f"{txt.name} is not the lines of {sents.name} joined (first difference at character {at})")


def turned(beads: Sequence[Bead]) -> list[Bead]:
    """Beads of the Russian pivot as ``[witness]:[ru]``, as the gold is written."""
    return [Bead(bead.witness, bead.pivot, bead.confidence) for bead in beads]


def scored(doc: Doc, beads: list[Bead], embed_s: float, align_s: float) -> Run:
    gold = read_alignment(doc.gold)
    wrong = wrong_beads(gold, beads)
    rows = np.array([(b.confidence, float(bad)) for b, bad in zip(beads, wrong, strict=True)])
    return Run([doc], [gold], [beads], [rows], embed_s, align_s)


def run_given(doc: Doc, embedder: Embedder, params: align.AlignParams) -> Run:
    """The gold's sentences through the engine, the Russian as x (the pivot), beads turned round."""
    t0 = time.perf_counter()
    ru = align.side_data(lines(doc.y), embedder, max_overlap=params.max_run, desc="ru")
    other = align.side_data(lines(doc.x), embedder, max_overlap=params.max_run, desc=doc.name)
    t1 = time.perf_counter()
    beads = [bead for bead, _ in align.align_with_evidence(ru, other, params)]
    return scored(doc, turned(beads), t1 - t0, time.perf_counter() - t1)


def project(doc: Doc, beads: Sequence[Bead], russian: Sequence[str], other: Sequence[str]) -> list[Bead]:
    """The tool's beads (pivot first, over its own sentences) as beads over the gold's sentences."""
    other_map = reference_map(other, lines(doc.x))
    ru_map = reference_map(russian, lines(doc.y))
    return project_beads(turned(beads), other_map, ru_map)


def segmentation_line(doc: Doc, other: Sequence[str]) -> str:
    """How the tool's sentences of the witness compare with the gold's: same, cut, joined."""
    gold = lines(doc.x)
    mapped = reference_map(other, gold)
    same = sum(
        1 for k, refs in enumerate(mapped) if len(refs) == 1 and _bare(other[k]) == _bare(gold[refs[0]])
    )
    pieces = [0] * len(gold)
    for refs in mapped:
        for r in refs:
            pieces[r] += 1
    cut = sum(1 for p in pieces if p > 1)
    joined = sum(1 for refs in mapped if len(refs) > 1)
    return (
        f"{doc.name} segmentation: the tool found {len(other)} sentences, the gold has {len(gold)}; "
        f"{same} identical to a gold sentence (spacing aside), {cut} gold sentences cut, "
        f"{joined} tool sentences over several gold sentences, "
        f"{sum(1 for refs in mapped if not refs)} over none"
    )


def _bare(text: str) -> str:
    return re.sub(r"\s", "", text)


def run_raw(
    doc: Doc, txt: Path, lang: str, manifest: Path, embedder: Embedder, params: align.AlignParams
) -> tuple[Run, list[str]]:
    """Align the whole Russian pivot and the raw witness as ``aligner align`` does; score on the gold."""
    loaded = pipeline.manifest_for(manifest)
    t0 = time.perf_counter()
    russian, other = pipeline.load_witnesses([PIVOT, f"{txt}:{lang}"], loaded)
    t1 = time.perf_counter()
    pair = align.align_pair(russian, other, embedder, params=params)
    t2 = time.perf_counter()
    said = [segmentation_line(doc, [s.text for s in other.segments])]
    warning = align.excerpt_warning(pair, len(russian.segments), len(other.segments))
    said.append(f"warning: {warning}" if warning else "no excerpt warning")
    beads = project(doc, pair.beads, [s.text for s in russian.segments], [s.text for s in other.segments])
    return scored(doc, beads, t1 - t0, t2 - t1), said


def aligner_command() -> str:
    program = Path(sys.executable).with_name("aligner")
    command = str(program) if program.exists() else shutil.which("aligner")
    if command is None:
        sys.exit("the aligner command is not installed")
    return command


def segmented(command: str, argument: str, out: Path) -> list[str]:
    """The sentences ``aligner segment`` finds in a witness (its ``--txt``: one a line, blocks apart)."""
    done = subprocess.run(
        [command, "segment", argument, "--txt", str(out)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"aligner segment {argument} failed: {done.stderr.strip()}")
    return [line for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]


def command_line_alignment(
    pivot: str, other: str, name_pivot: bool = False
) -> tuple[list[Bead], list[str], list[str], list[str], float]:
    """``aligner align PIVOT OTHER --out TMP`` as a user runs it (with ``--pivot PIVOT`` if ``name_pivot``):
    the beads of the ``.align`` it wrote (pivot first), the two texts' sentences as ``aligner segment``
    finds them (checked to be the ones the beads cover), what it said (the command, its warnings and link
    counts), and its time."""
    command = aligner_command()
    option = ["--pivot", pivot] if name_pivot else []
    shown = " ".join([pivot, other, *option])
    with tempfile.TemporaryDirectory(prefix="aligner-cli-") as tmp:
        t0 = time.perf_counter()
        done = subprocess.run(
            [command, "align", pivot, other, *option, "--out", f"{tmp}/edition"],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        align_s = time.perf_counter() - t0
        if done.returncode != 0:
            sys.exit(f"aligner align {shown} failed: {done.stderr.strip()}")
        said = [f"$ aligner align {shown} --out TMP/edition"]
        said += [
            f"  {line}"
            for line in (done.stderr + done.stdout).splitlines()
            if line.startswith("warning") or " <-> " in line
        ]
        (path,) = Path(tmp).glob("edition.*.align")
        beads = read_alignment(path)
        pivot_sentences = segmented(command, pivot, Path(tmp) / "pivot.txt")
        other_sentences = segmented(command, other, Path(tmp) / "other.txt")
    found = (max(i for b in beads for i in b.pivot) + 1, max(i for b in beads for i in b.witness) + 1)
    if found != (len(pivot_sentences), len(other_sentences)):
        sys.exit(
            f"the .align covers {found} sentences, aligner segment finds "
            f"{(len(pivot_sentences), len(other_sentences))}"
        )
    return beads, pivot_sentences, other_sentences, said, align_s


def run_cli(doc: Doc, txt: Path, lang: str) -> tuple[Run, list[str]]:
    """``aligner align ru-1937 LANG.txt:LANG --out TMP`` as a user runs it, scored from its ``.align``."""
    witness = f"{os.path.relpath(txt, ROOT)}:{lang}"
    beads, russian, other, said, align_s = command_line_alignment(PIVOT, witness)
    said.append(f"  sentences: {PIVOT} {len(russian)}, {doc.name} {len(other)} (aligner segment agrees)")
    said.append("  " + segmentation_line(doc, other))
    return scored(doc, project(doc, beads, russian, other), 0.0, align_s), said


def show_beads(title: str, result: Run, threshold: float, sides: str = "") -> None:
    """Every wrong bead and every flagged one, with its text and the gold beads over its sentences
    (``sides``: how the beads are written, ``[x]:[y]``; by default the witness against the Russian)."""
    doc, gold, beads, table = result.docs[0], result.golds[0], result.preds[0], result.rows[0]
    other, russian = lines(doc.x), lines(doc.y)
    by_x = {k: bead for bead in gold for k in bead.pivot}
    by_y = {k: bead for bead in gold for k in bead.witness}
    sides = sides or f"[{doc.name}]:[ru]"
    print(f"{title}: wrong (W) and flagged (below {threshold}, F) beads, {sides}, gold beside")
    for bead, (conf, bad) in zip(beads, table, strict=True):
        if not bad and conf >= threshold:
            continue
        mark = ("W" if bad else " ") + ("F" if conf < threshold else " ")
        near = sorted(
            {(g.pivot, g.witness) for k in bead.pivot if (g := by_x.get(k))}
            | {(g.pivot, g.witness) for k in bead.witness if (g := by_y.get(k))}
        )
        gold_text = " ".join(f"{list(p)}:{list(w)}" for p, w in near) or "-"
        print(f"  {mark} {conf:.3f} {list(bead.pivot)}:{list(bead.witness)}  gold {gold_text}")
        print(f"        {_short(' '.join(other[k] for k in bead.pivot))}")
        print(f"        {_short(' '.join(russian[k] for k in bead.witness))}")


def _short(text: str, width: int = 110) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--lang", choices=["zh", "ja", "ko"], default="zh", help="the witness (default: zh)")
    parser.add_argument("--model", default=None, help="embedding model (default: the offline default)")
    parser.add_argument(
        "--whole", action="store_true", help="the whole text (ru-LANG-whole) instead of the dev passage"
    )
    parser.add_argument("--data", type=Path, default=None, help="default: benchmarks/data/ru-LANG-dev")
    parser.add_argument("--russian", type=Path, default=None, help="the gold's Russian sentences")
    parser.add_argument("--manifest", type=Path, default=MANIFEST, help="the bundled texts' manifest")
    parser.add_argument(
        "--set", action="append", default=[], metavar="FIELD=VALUE", help="an AlignParams change"
    )
    parser.add_argument("--beads", action="store_true", help="print every wrong and flagged bead")
    parser.add_argument("--no-cli", action="store_true", help="skip (c), the command line")
    args = parser.parse_args(argv)
    data = args.data or DATA / f"ru-{args.lang}-{'whole' if args.whole else 'dev'}"
    russian = args.russian or (data / "ru.sents" if args.whole else RUSSIAN)
    sents, txt, gold = data / f"{args.lang}.sents", data / f"{args.lang}.txt", data / f"{args.lang}-ru.gold"
    for path in (sents, txt, gold, russian):
        if not path.is_file():
            sys.exit(f"benchmark data not found: {path}")
    check_data(sents, txt)
    params = parse_overrides(args.set)
    doc = Doc(data.name, sents, russian, gold)
    start = time.perf_counter()
    embedder = load_embedder(args.model)
    given = run_given(doc, embedder, params)
    report(
        f"(a) {doc.name}, the gold's sentences, model {embedder.name}",
        given,
        PEERS,
        time.perf_counter() - start,
    )
    if args.beads:
        show_beads("(a)", given, REVIEW_THRESHOLD)
    print()
    start = time.perf_counter()
    raw, said = run_raw(doc, txt, args.lang, args.manifest, embedder, params)
    report(
        f"(b) {doc.name} end to end: the whole {PIVOT} of translations/ as pivot and the raw "
        f"{txt.name} aligned as `aligner align` does, the tool's sentences mapped to the gold's, the "
        "gold's passage scored (time: reading and segmenting as 'embedding')",
        raw,
        PEERS,
        time.perf_counter() - start,
    )
    print("\n".join(said))
    if args.beads:
        show_beads("(b)", raw, REVIEW_THRESHOLD)
    if args.no_cli:
        return
    if args.set or args.model:
        sys.exit("(c) runs the command line with no option: drop --set and --model, or give --no-cli")
    print()
    start = time.perf_counter()
    cli, said = run_cli(doc, txt, args.lang)
    report(
        f"(c) {doc.name} through the command line, scored from the .align it wrote",
        cli,
        PEERS,
        time.perf_counter() - start,
    )
    print("\n".join(said))
    if args.beads:
        show_beads("(c)", cli, REVIEW_THRESHOLD)


if __name__ == "__main__":
    main()
