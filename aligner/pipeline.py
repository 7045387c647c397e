"""The main job, stage after stage: load the witnesses, align each with the pivot, build the edition.

Aligning again into an existing edition keeps its reviewed links (see ``aligner.review``) and its
history; the CLI only prints what this returns.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from aligner import align as align_module
from aligner import manifest as manifest_module
from aligner.align import PairAlignment
from aligner.edition import Edition
from aligner.embed import load_embedder
from aligner.errors import AlignerError
from aligner.ingest import load_witness, notes_to
from aligner.review import carry_reviews, now, previous_edition, realignment_changes
from aligner.witness import Witness


@dataclass
class AlignmentRun:
    """The edition made, and what the scholar should hear about it."""

    edition: Edition
    dropped_reviews: list[str] = field(default_factory=list)


def choose_pivot(arguments: list[str], pivot: str | None, manifest: manifest_module.Manifest) -> str:
    """The pivot asked for; else the manifest's original if it is aligned; else the first witness."""
    if pivot is None:
        pivot = manifest.pivot if manifest.pivot in arguments else arguments[0]
    if pivot not in arguments:
        raise AlignerError(f"pivot {pivot!r} is not among the witnesses: {', '.join(arguments)}")
    return pivot


def load_witnesses(
    arguments: list[str], manifest: manifest_module.Manifest, presegmented: bool | None = None
) -> list[Witness]:
    resolved = [manifest_module.resolve(argument, manifest) for argument in arguments]
    # test0.de and test0.fr (Text+Berg's naming) share a stem: such files keep their suffix in the id
    stems = Counter(meta.id for meta, _ in resolved)
    resolved = [
        (replace(meta, id=manifest_module.witness_id_for(paths[0], suffix=True)), paths)
        if stems[meta.id] > 1 and meta not in manifest.witnesses
        else (meta, paths)
        for meta, paths in resolved
    ]
    witnesses = []
    with notes_to(sys.stderr):
        for meta, paths in resolved:
            witnesses.append(load_witness(meta, paths, presegmented))
    ids = [w.id for w in witnesses]
    if len(set(ids)) != len(ids):
        raise AlignerError(f"a witness is given twice: {', '.join(ids)}")
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
    alignments: list[PairAlignment] = []
    kept, dropped = 0, []
    for witness in others:
        fixed, lost = carry_reviews(previous, pivot_witness, witness) if previous else ([], [])
        kept, dropped = kept + len(fixed), dropped + lost
        alignments.append(align_module.align_pair(pivot_witness, witness, embedder, fixed))
    params = align_module.DEFAULT_PARAMS
    edition = Edition(
        title=edition_title(manifest, texts, pivot_witness),
        pivot=pivot_witness,
        witnesses=others,
        alignments=alignments,
        model=embedder.name,
        parameters={
            "shapes": " ".join(f"{a}-{b}" for a, b in params.shapes),
            "skip": str(params.skip),
            "margin": str(params.margin),
            "length": str(params.length),
            "structure": str(params.structure),
            "review_threshold": str(align_module.REVIEW_THRESHOLD),
        },
    )
    if previous is not None:
        edition.changes = list(previous.changes)
        if edition != previous or dropped:  # an alignment that changed nothing is not news
            aligned = ", ".join(w.id for w in others)
            what = f"aligned {aligned} with {pivot_witness.id} again (model {embedder.name})"
            edition.changes += realignment_changes(kept, dropped, what, now())
    return AlignmentRun(edition, dropped)
