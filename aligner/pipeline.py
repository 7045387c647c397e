"""What every command does, stage after stage; the CLI only parses options and prints what this returns.

The main job: load the witnesses, align each with the pivot, build the edition and write it with its
exports. Aligning again into an existing edition keeps its reviewed links (see ``aligner.review``) and
its history. The other commands read an edition back to show, review or export it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from aligner import align as align_module
from aligner import manifest as manifest_module
from aligner import review
from aligner.alignment import REVIEW_THRESHOLD, PairAlignment
from aligner.edition import (
    REVIEW_PARAMETER,
    Edition,
    now,
    outline,
    previous_edition,
    read_edition,
    realignment_changes,
    validate,
    write_edition,
)
from aligner.embed import load_embedder
from aligner.errors import AlignerError
from aligner.export import output_path, write_exports, write_outputs
from aligner.files import check_folder_for, write_atomic
from aligner.ingest import load_witness, notes_to
from aligner.review import carry_reviews
from aligner.witness import Witness

if TYPE_CHECKING:
    from aligner.review_tui import ReviewSession


@dataclass
class AlignmentRun:
    """The edition made, and what the scholar should hear about it."""

    edition: Edition
    dropped_reviews: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)

    def summary(self, threshold: float | None = None) -> list[str]:
        """One line per pair alignment: its beads and how many of them are doubtful, to review."""
        threshold = self.edition.review_threshold if threshold is None else threshold
        lines = []
        for k, witness in enumerate(self.edition.witnesses):
            total, doubtful, _ = review.counts(self.edition, threshold, [k])
            lines.append(
                f"{self.edition.pivot.id} <-> {witness.id}: {total} beads, "
                f"{doubtful} below confidence {threshold} (to review)"
            )
        return lines


# --- the manifest ----------------------------------------------------------------------------------


def manifest_for(path: Path | None, allow_outside: bool = False) -> manifest_module.Manifest:
    """The manifest given, else the bundled one if the package has it: files alone need none."""
    if path is not None:
        return manifest_module.load_manifest(path, allow_outside)
    if manifest_module.bundled_manifest().is_file():
        return manifest_module.load_manifest()
    return manifest_module.NO_MANIFEST


def manifest_listing(path: Path | None = None) -> list[str]:
    """What ``aligner witnesses`` prints: id, language, role and title of every manifest witness."""
    manifest = manifest_module.load_manifest(path)
    return [
        f"{meta.id}\t{meta.lang}\t{meta.role}{' (pivot)' if meta.id == manifest.pivot else ''}\t{meta.title}"
        for meta in manifest.witnesses
    ]


# --- segmenting ------------------------------------------------------------------------------------


def segment_witness(
    argument: str,
    lang: str | None,
    presegmented: bool | None,
    manifest: Path | None = None,
    allow_outside: bool = False,
) -> Witness:
    """One witness (a manifest id or ``FILE[:LANG]``) read, cleaned and segmented; notes go to stderr."""
    from aligner.segment import check_lang

    loaded = manifest_for(manifest, allow_outside)
    meta, paths = manifest_module.resolve(argument, loaded, lang and check_lang(lang))
    with notes_to(sys.stderr):
        return load_witness(meta, paths, presegmented)


def segment_file(
    argument: str,
    lang: str | None = None,
    presegmented: bool | None = None,
    manifest: Path | None = None,
    json_out: Path | None = None,
    txt_out: Path | None = None,
    allow_outside: bool = False,
) -> list[str]:
    """``aligner segment``: segment one witness, write it as JSON and/or text, and return the listing."""
    from aligner.segment import listing, witness_json, witness_lines

    witness = segment_witness(argument, lang, presegmented, manifest, allow_outside)
    if json_out is not None:
        write_atomic(json_out, witness_json(witness).encode("utf-8"))
    if txt_out is not None:
        write_atomic(txt_out, witness_lines(witness).encode("utf-8"))
    return listing(witness)


# --- aligning --------------------------------------------------------------------------------------


def choose_pivot(arguments: list[str], pivot: str | None, manifest: manifest_module.Manifest) -> str:
    """The pivot asked for (as given, or by its witness id); else the manifest's original if it is
    aligned; else the first witness."""
    if pivot is None:
        pivot = manifest.pivot if manifest.pivot in arguments else arguments[0]
    if pivot not in arguments:
        ids = [meta.id for meta, _ in manifest_module.resolve_all(arguments, manifest)]
        if pivot in ids:
            return arguments[ids.index(pivot)]
        raise AlignerError(f"pivot {pivot!r} is not among the witnesses: {', '.join(arguments)}")
    return pivot


def load_witnesses(
    arguments: list[str], manifest: manifest_module.Manifest, presegmented: bool | None = None
) -> list[Witness]:
    resolved = manifest_module.resolve_all(arguments, manifest)
    witnesses = []
    with notes_to(sys.stderr):
        for meta, paths in resolved:
            witnesses.append(load_witness(meta, paths, presegmented))
    return witnesses


def edition_title(manifest: manifest_module.Manifest, texts: list[Witness], pivot: Witness) -> str:
    """The manifest's title describes its own texts: files aligned on their own get a title of theirs."""
    if manifest.title and all(w.meta in manifest.witnesses for w in texts):
        return manifest.title
    return f"{pivot.meta.title} and its translations"


def align_witnesses(
    arguments: list[str],
    pivot: str | None,
    model: str | None,
    manifest: manifest_module.Manifest,
    previous_tei: Path,
    presegmented: bool | None = None,
) -> AlignmentRun:
    """Align every witness with the pivot, keeping the reviewed links of the edition at ``previous_tei``."""
    if len(arguments) < 2:
        raise AlignerError("give at least two witnesses: the pivot and one to align with it")
    pivot_arg = choose_pivot(arguments, pivot, manifest)
    texts = load_witnesses(arguments, manifest, presegmented)
    pivot_witness = texts[arguments.index(pivot_arg)]
    others = [w for w in texts if w is not pivot_witness]
    embedder = load_embedder(model)
    previous = previous_edition(previous_tei)
    params = align_module.DEFAULT_PARAMS
    alignments: list[PairAlignment] = []
    kept, dropped = 0, []
    for witness in others:
        fixed, lost = carry_reviews(previous, pivot_witness, witness) if previous else ([], [])
        kept, dropped = kept + len(fixed), dropped + lost
        alignments.append(align_module.align_pair(pivot_witness, witness, embedder, fixed, params))
    edition = Edition(
        title=edition_title(manifest, texts, pivot_witness),
        pivot=pivot_witness,
        witnesses=others,
        alignments=alignments,
        model=embedder.name,
        parameters={**align_module.parameter_record(params), REVIEW_PARAMETER: str(REVIEW_THRESHOLD)},
    )
    if previous is not None:
        edition.changes = list(previous.changes)
        if edition != previous or dropped:  # an alignment that changed nothing is not news
            aligned = ", ".join(w.id for w in others)
            what = f"aligned {aligned} with {pivot_witness.id} again (model {embedder.name})"
            edition.changes += realignment_changes(kept, dropped, what, now())
    return AlignmentRun(edition, dropped)


def align_edition(
    arguments: list[str],
    out: Path,
    pivot: str | None = None,
    model: str | None = None,
    manifest: Path | None = None,
    presegmented: bool | None = None,
    allow_outside: bool = False,
) -> AlignmentRun:
    """``aligner align``: align the witnesses (all of the manifest's if none is given) and write the
    edition ``OUT.tei.xml`` with its exports, keeping the reviewed links of an edition already there."""
    tei = output_path(out, ".tei.xml")
    check_folder_for(tei)  # before minutes of alignment, not after
    loaded = manifest_for(manifest, allow_outside)
    arguments = list(arguments) or [w.id for w in loaded.witnesses]
    run = align_witnesses(arguments, pivot, model, loaded, tei, presegmented)
    run.written = write_outputs(run.edition, out)
    return run


# --- reading an edition back -----------------------------------------------------------------------


def open_for_review(path: Path, threshold: float | None) -> tuple[Edition, float]:
    """The edition at ``path``, read and validated, and the threshold below which links are doubtful."""
    if threshold is not None:
        review.check_threshold(threshold)
    edition = read_edition(path)  # not XML, not TEI, not ours: refused before the slower validation
    validate(path)
    return edition, edition.review_threshold if threshold is None else threshold


def review_listing(path: Path, threshold: float | None = None, witness_id: str | None = None) -> list[str]:
    """What ``aligner review`` prints: the counts, then every doubtful link, least confident first."""
    edition, threshold = open_for_review(path, threshold)
    return review.listing(edition, threshold, witness_id)


def review_session(
    path: Path,
    threshold: float | None,
    witness_id: str | None,
    reviewer: str | None,
    stdin: TextIO,
    stdout: TextIO,
) -> ReviewSession:
    """An interactive review of the edition at ``path``, ready to run; every decision is saved at once."""
    from aligner.review_tui import ReviewSession

    who = review.reviewer_name(reviewer)
    edition, threshold = open_for_review(path, threshold)
    return ReviewSession(path, edition, who, threshold, witness_id, stdin, stdout)


def show_edition(path: Path, witness_id: str | None = None) -> list[str]:
    """What ``aligner show`` prints: the edition's outline, or one witness's blocks and beads."""
    return outline(read_edition(path), witness_id)


def export_edition(path: Path, out: Path | None = None) -> list[Path]:
    """Re-derive the exports of the edition at ``path`` under ``out`` (default: its own prefix); a new
    prefix gets a copy of the TEI edition too. Returns the files written."""
    edition = read_edition(path)
    if out is None:
        out = path.with_name(path.name.removesuffix(".xml").removesuffix(".tei"))
    written = write_exports(edition, out)
    tei = output_path(out, ".tei.xml")
    if tei.resolve() != path.resolve():
        write_edition(edition, tei)
        written.insert(0, tei)
    return written


def evaluate_files(predicted: Path, gold: Path) -> str:
    """Strict and lax precision, recall and F1 of ``predicted`` against ``gold``, as a small table."""
    from aligner.alignment import read_alignment
    from aligner.evaluate import check_same_texts, score

    gold_beads, predicted_beads = read_alignment(gold), read_alignment(predicted)
    check_same_texts(predicted_beads, gold_beads, (str(predicted), str(gold)))
    return score([gold_beads], [predicted_beads]).table()
