"""What every command does, stage after stage; the CLI only parses options and prints what this returns.

The main job: load the witnesses, align each with the pivot, build the edition and write it with its
exports. Aligning again into an existing edition keeps its reviewed links (see ``aligner.review``) and
its history. The other commands read an edition back to show, review or export it.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from aligner import align as align_module
from aligner import manifest as manifest_module
from aligner import review
from aligner.align import AlignParams
from aligner.alignment import REVIEW_THRESHOLD, Bead, PairAlignment
from aligner.edition import (
    REVIEW_PARAMETER,
    Change,
    Edition,
    language_name,
    load_edition,
    now,
    outline,
    read_edition,
    realignment_changes,
    sanitized,
    to_tei,
    validate,
)
from aligner.embed import Embedder, check_model, load_embedder
from aligner.errors import AlignerError
from aligner.export import output_path, write_exports
from aligner.files import ANY, StaleWrite, check_folder_for, fingerprint, write_atomic
from aligner.ingest import load_witness, notes_to
from aligner.review import carry_notes, carry_reviews
from aligner.witness import Witness

if TYPE_CHECKING:
    from aligner.review_tui import ReviewSession


@dataclass
class AlignmentRun:
    """The edition made, and what the scholar should hear about it."""

    edition: Edition
    dropped_reviews: list[str] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    kept: int = 0  # reviewed links of the previous edition kept as fixed
    manifest: str = ""  # the manifest the witnesses came from ("" for files alone)
    realigned: bool = False  # an edition was already there
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a witness aligned as an excerpt

    def summary(self, threshold: float | None = None) -> list[str]:
        """One line per pair alignment: its beads and how many of them are doubtful, to review."""
        threshold = self.edition.review_threshold if threshold is None else threshold
        lines = [f"witnesses from {self.manifest}"] if self.manifest else []
        for k, witness in enumerate(self.edition.witnesses):
            total, doubtful, _ = review.counts(self.edition, threshold, [k])
            one_sided = sum(not (b.pivot and b.witness) for b in self.edition.alignments[k].beads)
            unaligned = f" ({one_sided} of them a sentence with no counterpart)" if one_sided else ""
            lines.append(
                f"{self.edition.pivot.id} <-> {witness.id}: {total} links{unaligned}, "
                f"{doubtful} below confidence {threshold} (to review)"
            )
        if self.realigned:
            lines.append(f"kept {self.kept} reviewed link(s) of the previous edition")
        return lines

    def next_steps(self) -> list[str]:
        """What to do next, as commands to copy: review the doubtful links, then export."""
        tei = next((path for path in self.written if path.name.endswith(".tei.xml")), None)
        if tei is None:
            return []
        return [
            f"next: aligner review {tei} --interactive   (fix the doubtful links)",
            f"then: aligner export {tei}   (TSV, TMX, HTML again); aligner validate {tei}   (full TEI check)",
        ]


# --- the manifest ----------------------------------------------------------------------------------


def manifest_for(path: Path | None, allow_outside: bool = False) -> manifest_module.Manifest:
    """The manifest given, else one in the current folder, else the bundled one if the package has
    it (see ``manifest.find_manifest``): files alone need none."""
    found = manifest_module.find_manifest(path)
    if found is None:
        return manifest_module.NO_MANIFEST
    return manifest_module.load_manifest(found, allow_outside)


def manifest_listing(path: Path | None = None) -> list[str]:
    """What ``aligner witnesses`` prints: the manifest read, then id, language, role and title of
    every witness in it."""
    manifest = manifest_for(path)
    if manifest.path is None:
        raise AlignerError("no manifest: give one with --manifest, or put translations/manifest.toml here")
    return [f"# {manifest_module.described(manifest)}"] + [
        f"{meta.id}\t{meta.lang}\t{meta.role}{' (pivot)' if meta.id == manifest.pivot else ''}\t{meta.title}"
        for meta in manifest.witnesses
    ]


# --- segmenting ------------------------------------------------------------------------------------


def declared_lang(path: Path) -> str:
    """The language a file given without one declares for itself (EPUB, HTML, TEI), "" if none; one
    aligner does not know is an error that names the file, not only the code."""
    from aligner import readers
    from aligner.segment import check_lang

    lang = readers.declared_lang(path)
    if lang:
        try:
            check_lang(lang)
        except AlignerError:
            raise AlignerError(
                f"{path} declares its language as {lang!r}, which aligner does not know: "
                f"give one as {path}:LANG"
            ) from None
    return lang


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
    meta, paths = manifest_module.resolve(argument, loaded, lang and check_lang(lang), declared_lang)
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
        ids = [meta.id for meta, _ in manifest_module.resolve_all(arguments, manifest, declared_lang)]
        if pivot in ids:
            return arguments[ids.index(pivot)]
        raise AlignerError(f"pivot {pivot!r} is not among the witnesses: {', '.join(arguments)}")
    return pivot


def pivot_ranges(ranges: list[str], pivot: Witness, others: list[Witness]) -> dict[str, tuple[int, int]]:
    """``WITNESS=FROM-TO`` options as pivot spans ``start, stop`` (0-based, stop excluded): the witness
    translates the pivot's sentences FROM to TO, numbered as in the pivot's ids (``PIVOT.sFROM``)."""
    spans: dict[str, tuple[int, int]] = {}
    ids = [w.id for w in others]
    for text in ranges:
        match = re.fullmatch(r"\s*([^=\s]+)\s*=\s*s?(\d+)\s*-\s*s?(\d+)\s*", text)
        if match is None:
            raise AlignerError(f"--range {text!r}: write WITNESS=FROM-TO, e.g. de-1950=120-260")
        name, first, last = match.group(1), int(match.group(2)), int(match.group(3))
        if name == pivot.id:
            raise AlignerError(
                f"--range {text!r}: {name} is the pivot; a range gives the pivot sentences that another "
                f"witness translates ({', '.join(ids)})"
            )
        if name not in ids:
            raise AlignerError(f"--range {text!r}: {name} is not an aligned witness ({', '.join(ids)})")
        if first > last:
            raise AlignerError(f"--range {text!r}: FROM ({first}) comes after TO ({last}); write FROM-TO")
        if not 1 <= first <= last <= len(pivot.segments):
            outside = first if first < 1 else last
            raise AlignerError(
                f"--range {text!r}: {pivot.id} has sentences 1-{len(pivot.segments)}, not {outside}"
            )
        if name in spans:  # the last one winning silently would align with a range not meant
            raise AlignerError(f"--range {text!r}: {name} has a range already; give one --range per witness")
        spans[name] = (first - 1, last)
    return spans


def load_witnesses(
    arguments: list[str], manifest: manifest_module.Manifest, presegmented: bool | None = None
) -> list[Witness]:
    resolved = manifest_module.resolve_all(arguments, manifest, declared_lang)
    witnesses = []
    with notes_to(sys.stderr):
        for meta, paths in resolved:
            witnesses.append(load_witness(meta, paths, presegmented))
    return witnesses


def edition_title(manifest: manifest_module.Manifest, texts: list[Witness], pivot: Witness) -> str:
    """The manifest's title describes all its texts: any other choice of witnesses gets a title made
    for the witnesses actually aligned (the pivot's title, then its language and the others')."""
    if manifest.title and {w.meta for w in texts} == set(manifest.witnesses):
        return manifest.title
    others = [w for w in texts if w is not pivot]
    languages = [f"{language_name(w.lang)} {w.meta.role} ({w.id})" for w in others]
    listed = ", ".join(languages[:-1]) + (" and " if len(languages) > 1 else "") + languages[-1]
    role = "original" if pivot.meta.role == "original" else "text"
    return f"{pivot.meta.title or pivot.id}: {language_name(pivot.lang)} {role} ({pivot.id}) and {listed}"


def _reviewed_work(pair: PairAlignment) -> int:
    """Links a person decided on, left to accept (a split, a move) or annotated: what must never vanish
    without a word."""
    return sum(1 for bead in pair.beads if bead.resp is not None or bead.note or review.is_pending(bead))


@dataclass
class AlignJob:
    """Witnesses loaded and the model ready: an edition can be made for whatever edition is at OUT
    when it is written (``edition_for``), re-aligning a pair only when its reviewed links changed."""

    texts: list[Witness]
    pivot: Witness
    others: list[Witness]
    embedder: Embedder
    title: str
    force: bool = False
    publication: dict[str, str] = field(default_factory=dict)  # [edition] and options, title aside
    manifest: str = ""  # the manifest the witnesses came from, described ("" for files alone)
    params: AlignParams = align_module.DEFAULT_PARAMS
    ranges: dict[str, tuple[int, int]] = field(default_factory=dict)  # witness id -> pivot span (--range)
    _aligned: dict[tuple[str, tuple[Bead, ...]], PairAlignment] = field(default_factory=dict)

    @classmethod
    def prepare(
        cls,
        arguments: list[str],
        pivot: str | None,
        model: str | None,
        manifest: manifest_module.Manifest,
        presegmented: bool | None = None,
        force: bool = False,
        device: str = "auto",
        batch_size: int | None = None,
        offline: bool = False,
        publication: dict[str, str] | None = None,
        ranges: list[str] | None = None,
        embedder: Embedder | None = None,
        texts: list[Witness] | None = None,
    ) -> AlignJob:
        """Load the witnesses and the model (``device``, ``batch_size``, ``offline``: ``load_embedder``),
        or take ``embedder`` already loaded (a batch loads it once per process, not once per work).

        ``ranges``: ``WITNESS=FROM-TO`` (``--range``), the pivot sentences a witness translates.
        ``texts``: the witnesses of ``arguments`` already read (a batch reads them once, to embed the
        sentences of many works together).

        ``publication`` (the command line's title, author, licence...) wins over the manifest's
        [edition]; without a title, one is made for the witnesses aligned (``edition_title``).
        """
        if len(arguments) < 2:
            raise AlignerError("give at least two witnesses: the pivot and one to align with it")
        pivot_arg = choose_pivot(arguments, pivot, manifest)
        if embedder is None:  # a missing model fails in a second, not after the witnesses and imports
            check_model(model, device, batch_size, offline)
        texts = texts if texts is not None else load_witnesses(arguments, manifest, presegmented)
        pivot_witness = texts[arguments.index(pivot_arg)]
        others = [w for w in texts if w is not pivot_witness]
        spans = pivot_ranges(ranges or [], pivot_witness, others)
        given = {**dict(manifest.publication), **(publication or {})}
        title = given.pop("title", "") or edition_title(manifest, texts, pivot_witness)
        from_manifest = any(w.meta in manifest.witnesses for w in texts)
        described = manifest_module.described(manifest) if from_manifest else ""
        embedder = embedder or load_embedder(model, device, batch_size, offline)
        given = {key: value for key, value in given.items() if value}
        return cls(texts, pivot_witness, others, embedder, title, force, given, described, ranges=spans)

    def _pair(self, witness: Witness, fixed: list[Bead]) -> PairAlignment:
        key = (witness.id, tuple(fixed))
        if key not in self._aligned:
            self._aligned[key] = align_module.align_pair(
                self.pivot, witness, self.embedder, fixed, self.params, self.ranges.get(witness.id)
            )
        return self._aligned[key]

    def edition_for(self, previous: Edition | None, where: Path) -> AlignmentRun:
        """The new edition, keeping what ``previous`` (the edition at ``where``) holds of reviews.

        Same pivot: reviewed links are fixed constraints, and the alignments of witnesses not aligned
        this time are kept unchanged. Another pivot: reviewed links of the pair that changed places are
        turned round; any other reviewed link would be lost, so that needs ``force``. No witness in
        common: a different edition, replaced only if it holds no reviewed link or with ``force``.
        """
        ids = {w.id for w in self.texts}
        notes: list[str] = []
        history: list[Change] = []
        when = now()
        if previous is not None:
            old_ids = [previous.pivot.id, *(w.id for w in previous.witnesses)]
            work = sum(_reviewed_work(pair) for pair in previous.alignments)
            if not ids & set(old_ids):
                if work and not self.force:
                    raise AlignerError(
                        f"{where} holds a different edition ({', '.join(old_ids)}) with {work} reviewed "
                        "link(s): choose another --out, or give --force to replace it"
                    )
                notes.append(
                    f"replaced the different edition at {where} ({', '.join(old_ids)}; {work} reviewed "
                    "link(s) lost); its history is not carried over"
                )
                history.append(Change("aligner", when, notes[-1]))
                previous = None
        alignments = [self._pair(w, []) for w in self.others] if previous is None else []
        witnesses = list(self.others)
        kept, dropped = 0, []
        if previous is not None:
            for witness in self.others:
                fixed, lost = carry_reviews(previous, self.pivot, witness)
                kept += sum(bead.resp is not None for bead in fixed)  # pending ones are carried unsaid
                pair, unplaced = carry_notes(previous, self._pair(witness, fixed), self.pivot, witness)
                dropped += lost + unplaced
                alignments.append(pair)
            same_pivot = previous.pivot.id == self.pivot.id
            for old, pair in zip(previous.witnesses, previous.alignments, strict=True):
                if same_pivot and old.id in ids:
                    continue  # aligned again, its reviews carried above
                if same_pivot:
                    witnesses.append(old)
                    alignments.append(pair)
                    notes.append(f"kept the alignment of {old.id} unchanged (not aligned this time)")
                    continue
                if old.id == self.pivot.id and previous.pivot.id in ids:
                    continue  # the pair changed places: its reviews were turned round above
                work = _reviewed_work(pair)
                if work and not self.force:
                    raise AlignerError(
                        f"the pivot changes from {previous.pivot.id} to {self.pivot.id}: {work} reviewed "
                        f"link(s) of {previous.pivot.id} <-> {old.id} cannot be carried over to the new "
                        "pivot; give --force to align anyway and lose them"
                    )
                notes.append(
                    f"pivot changed from {previous.pivot.id} to {self.pivot.id}: the alignment of "
                    f"{previous.pivot.id} <-> {old.id} is not carried over"
                    + (f" ({work} reviewed link(s) lost, --force)" if work else "")
                )
        edition = Edition(
            title=self.title,
            pivot=self.pivot,
            witnesses=witnesses,
            alignments=alignments,
            model=self.embedder.name,
            parameters={
                **align_module.parameter_record(self.params),
                REVIEW_PARAMETER: str(REVIEW_THRESHOLD),
            },
            publication=dict(self.publication),
            kept=None if previous is None else previous.kept,  # the scholar's header and notes stay
        )
        if previous is not None:
            edition.changes = list(previous.changes)
            # an alignment that changed nothing is not news (publication data is not read back)
            if replace(edition, publication={}) != previous or dropped:
                aligned = ", ".join(w.id for w in self.others)
                what = f"aligned {aligned} with {self.pivot.id} again (model {self.embedder.name})"
                edition.changes += realignment_changes(kept, dropped, what, when)
                edition.changes += [Change("aligner", when, note) for note in notes]
        else:
            edition.changes = history
        return AlignmentRun(
            sanitized(edition),
            dropped,
            kept=kept,
            manifest=self.manifest,
            realigned=previous is not None,
            notes=notes,
            warnings=[
                message
                for witness, pair in zip(self.others, alignments, strict=False)
                for message in [
                    align_module.excerpt_warning(
                        pair, len(self.pivot.segments), len(witness.segments), self.ranges.get(witness.id)
                    ),
                    align_module.reading_warning(
                        self.pivot.id, witness.id, self.embedder.name, *pair.above_chance
                    ),
                ]
                if message
            ],
        )


def edition_at(tei: Path) -> tuple[Edition | None, str | None]:
    """The edition already at ``tei`` and its fingerprint (``None, None``: no file there).

    A file there that cannot be read as an aligner edition is not overwritten: it may hold reviews.
    """
    if not tei.exists():
        return None, None
    try:
        return load_edition(tei)
    except AlignerError as err:
        raise AlignerError(f"{err}; not overwriting it: move it away or choose another --out") from None


_WRITE_ATTEMPTS = 20


def write_aligned(job: AlignJob, out: Path, previous: Edition | None, base: str | None) -> AlignmentRun:
    """Write the edition of ``job`` at ``OUT.tei.xml``, where ``previous`` (fingerprint ``base``) was read.

    It is written only over the very file read (``write_atomic(expected=...)``): if a review saved a
    decision meanwhile, the reviews are carried again from the newer file (a pair whose reviewed links
    changed is aligned again) and the write is tried again. The exports are derived from the edition
    finally written, and ``.align`` files of witnesses it no longer has are removed.
    """
    tei = output_path(out, ".tei.xml")
    for _ in range(_WRITE_ATTEMPTS):
        run = job.edition_for(previous, tei)
        try:
            write_atomic(tei, to_tei(run.edition), expected=base)
            break
        except StaleWrite:
            previous, base = edition_at(tei)
    else:
        raise AlignerError(f"{tei} keeps being changed by other writers; nothing written, try again")
    run.written = [tei, *write_exports(run.edition, out)]
    if previous is not None:
        now_ids = {w.id for w in run.edition.witnesses}
        for old in previous.witnesses:
            if old.id not in now_ids:
                output_path(out, f".{old.id}.align").unlink(missing_ok=True)
    return run


def align_edition(
    arguments: list[str],
    out: Path,
    pivot: str | None = None,
    model: str | None = None,
    manifest: Path | None = None,
    presegmented: bool | None = None,
    force: bool = False,
    publication: dict[str, str] | None = None,
    device: str = "auto",
    batch_size: int | None = None,
    offline: bool = False,
    allow_outside: bool = False,
    ranges: list[str] | None = None,
) -> AlignmentRun:
    """``aligner align``: align the witnesses (all of the manifest's if none is given) and write the
    edition ``OUT.tei.xml`` with its exports, keeping the reviewed links of an edition already there,
    and the decisions a review saves there while this runs (see ``write_aligned``)."""
    tei = output_path(out, ".tei.xml")
    check_folder_for(tei)  # before minutes of alignment, not after
    loaded = manifest_for(manifest, allow_outside)
    arguments = list(arguments) or [w.id for w in loaded.witnesses]
    previous, base = edition_at(tei)
    job = AlignJob.prepare(
        arguments, pivot, model, loaded, presegmented, force, device, batch_size, offline, publication, ranges
    )
    return write_aligned(job, out, previous, base)


# --- reading an edition back -----------------------------------------------------------------------


def open_for_review(path: Path, threshold: float | None) -> tuple[Edition, float, str]:
    """The edition at ``path``, read and validated, the threshold below which links are doubtful, and
    the fingerprint of what was read (a review saves through ``review.commit`` with it)."""
    if threshold is not None:
        review.check_threshold(threshold)
    # not XML, not TEI, not ours, broken ids or targets: refused; the full schema is 'aligner validate'
    edition, fingerprint = load_edition(path)
    return edition, edition.review_threshold if threshold is None else threshold, fingerprint


def review_listing(path: Path, threshold: float | None = None, witness_id: str | None = None) -> list[str]:
    """What ``aligner review`` prints: the counts, then every doubtful link, least confident first."""
    edition, threshold, _ = open_for_review(path, threshold)
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
    edition, threshold, fingerprint = open_for_review(path, threshold)
    return ReviewSession(path, edition, who, threshold, witness_id, stdin, stdout, fingerprint)


def serve_review(
    path: Path,
    threshold: float | None,
    reviewer: str | None,
    host: str,
    port: int,
    open_browser: bool,
    say: Callable[[str], None],
) -> None:
    """Review the edition at ``path`` in the browser until Ctrl-C; every decision is saved at once."""
    from aligner.web.app import ReviewApp, serve

    who = review.reviewer_name(reviewer)
    _, threshold, _ = open_for_review(path, threshold)
    serve(ReviewApp(Path(path), who, threshold), host, port, open_browser, say)


def show_edition(path: Path, witness_id: str | None = None) -> list[str]:
    """What ``aligner show`` prints: the edition's outline, or one witness's blocks and beads."""
    return outline(read_edition(path), witness_id)


def _work_not_in(old: Edition, new: Edition) -> tuple[int, int]:
    """Reviewed or annotated links and history entries of ``old`` that ``new`` does not have.

    Zero when ``old`` is an earlier version of ``new`` (``new`` was made from it), or the same edition.
    """

    def texts(edition: Edition, witness: Witness, bead: Bead) -> tuple[str, ...]:
        return tuple(edition.pivot.segments[i].text for i in bead.pivot) + tuple(
            witness.segments[i].text for i in bead.witness
        )

    def work(edition: Edition) -> set[tuple[str, str, Bead, tuple[str, ...]]]:
        return {
            (edition.pivot.id, witness.id, bead, texts(edition, witness, bead))
            for witness, pair in zip(edition.witnesses, edition.alignments, strict=True)
            for bead in pair.beads
            if bead.resp is not None or bead.note
        }

    return len(work(old) - work(new)), len(set(old.changes) - set(new.changes))


def export_edition(path: Path, out: Path | None = None, force: bool = False) -> list[Path]:
    """Re-derive the exports of the edition at ``path`` under ``out`` (default: its own prefix); a new
    prefix gets a copy of the TEI edition too. Returns the files written.

    A different edition already at ``OUT.tei.xml`` (one with reviews or history this edition does not
    have, not merely an earlier version of it) is never overwritten, unless ``force``.
    """
    edition = read_edition(path)
    if out is None:
        out = path.with_name(path.name.removesuffix(".xml").removesuffix(".tei"))
    tei = output_path(out, ".tei.xml")
    copy = tei.resolve() != path.resolve()
    if copy:
        check_folder_for(tei)
        found = fingerprint(tei)
        if found is not None and not force:
            try:
                there = read_edition(tei)
            except AlignerError as err:
                raise AlignerError(
                    f"{err}; not overwriting it: choose another --out, or give --force to replace it"
                ) from None
            links, changes = _work_not_in(there, edition)
            if links or changes:
                raise AlignerError(
                    f"{tei} is a different edition ({links} reviewed link(s) and {changes} history "
                    f"entry(ies) that {path} does not have): not overwriting it; choose another --out, "
                    "or give --force to replace it"
                )
        try:
            write_atomic(tei, to_tei(edition), expected=ANY if force else found)
        except StaleWrite:
            raise AlignerError(f"{tei} was changed by someone else meanwhile: not overwritten") from None
    written = write_exports(edition, out)
    return [tei, *written] if copy else written


def version() -> str:
    """The installed aligner's version, for ``--version``."""
    from aligner.edition import tool_version

    return tool_version()


def validate_edition(path: Path) -> str:
    """``aligner validate``: the tool's own rules (by reading it), then the full tei_all schema (Jing)."""
    read_edition(path)
    validate(path)
    return f"{path}: valid TEI P5 (tei_all)"


def evaluate_files(predicted: Path, gold: Path) -> str:
    """Strict and lax precision, recall and F1 of ``predicted`` against ``gold``, as a small table."""
    from aligner.alignment import read_alignment
    from aligner.evaluate import check_same_texts, score

    gold_beads, predicted_beads = read_alignment(gold), read_alignment(predicted)
    check_same_texts(predicted_beads, gold_beads, (str(predicted), str(gold)))
    return score([gold_beads], [predicted_beads]).table()
