"""Corpus mode (``aligner batch``): many works, each its own edition, on local processes or a Dask cluster.

A corpus is a TOML file of ``[[work]]`` tables (each with the keys of a manifest's ``[edition]`` and
its own ``[[work.witness]]`` tables, or ``manifest = "FILE"``), or a folder whose sub-folders (holding
``manifest.toml`` or ``aligner.toml``) and ``*.toml`` manifests are the works (docs/corpus.md).

Work ``ID`` becomes ``OUT/ID/ID.tei.xml`` with its exports. Only after all of them are written does
``OUT/ID/ID.batch.json`` record the fingerprint of what the edition was made from (the input files'
bytes, the witnesses' descriptions, the parameters, the model, the aligner's version): a later run
skips the work while the fingerprint holds and the edition is there, so a crash, Ctrl-C or ``kill -9``
loses nothing finished and the next run redoes only what is missing or changed.

Workers only compute; this process (the client) writes every file, atomically, through the same
path as ``aligner align``: the edition already at the output is handed to the worker, whose reviewed
links become fixed constraints, and a review saved meanwhile sends the work back with the newer file.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import logging
import os
import signal
import sys
import threading
import time
import tomllib
import uuid
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path
from typing import Any, Protocol

from aligner import manifest as manifest_module
from aligner import review
from aligner.edition import Edition, read_edition
from aligner.errors import AlignerError
from aligner.export import output_path
from aligner.files import StaleWrite, check_folder_for, read_bytes, read_text, write_atomic
from aligner.witness import columns, pad

# The engine and the model are imported where a work is aligned: reading a corpus and skipping
# finished works needs neither.

_WORK_KEYS = ("id", "manifest", "folder", "witness", "title", "pivot", "author", "publisher", "place")
_WORK_KEYS += ("date", "licence")
_MANIFEST_NAMES = ("manifest.toml", "aligner.toml")
_STATUSES = ("aligned", "realigned", "skipped", "failed")
_ATTEMPTS = 5  # a work sent back because a review saved into its edition meanwhile
PREFILL_SENTENCES = 20_000
"""Sentences (all sides) of the works embedded together before they are sent: enough to fill the
encoder's batches, few enough that their vectors (five runs a sentence or so) stay small in memory."""


@dataclass(frozen=True)
class Loaded:
    """A work's witnesses as ``prefill`` read them, sent with the work so that it is not read twice."""

    witnesses: list[Any]  # aligner.witness.Witness, in the manifest's order
    notes: str  # what reading them said (a legacy encoding...): the work's notes


@dataclass(frozen=True)
class Work:
    """One work of the corpus: its own witnesses (a manifest), aligned into its own edition."""

    id: str
    manifest: manifest_module.Manifest | None = None
    problem: str = ""  # why the work cannot be read: reported as its failure, the others go on
    loaded: Loaded | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Settings:
    """What every work is aligned with (the options of ``aligner align`` that a corpus shares)."""

    model: str | None = None
    device: str = "auto"
    batch_size: int | None = None
    offline: bool = False
    presegmented: bool | None = None
    force: bool = False


@dataclass
class Outcome:
    """What a worker sends back, plain bytes and numbers (an edition holds lxml trees, which do not
    travel): the files to write, or one line saying why the work failed."""

    files: list[tuple[str, bytes]] = field(default_factory=list)  # (suffix, bytes), the TEI first
    stale: list[str] = field(default_factory=list)  # suffixes of .align files of witnesses gone
    realigned: bool = False
    links: int = 0
    doubtful: int = 0
    error: str = ""
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)


@dataclass
class WorkResult:
    """One row of the summary."""

    work: str
    status: str  # aligned, realigned, skipped, failed
    links: int = 0
    doubtful: int = 0
    seconds: float = 0.0
    message: str = ""  # why it failed
    notes: list[str] = field(default_factory=list)

    @property
    def doubtful_share(self) -> float:
        return self.doubtful / self.links if self.links else 0.0

    def line(self) -> str:
        """How the log and the progress bar report the work, in one line."""
        if self.status == "failed":
            return f"{self.work}: failed: {self.message}"
        if self.status == "skipped":
            return f"{self.work}: skipped (unchanged since its edition was made)"
        return (
            f"{self.work}: {self.status}, {self.links} links, {self.doubtful_share:.1%} doubtful, "
            f"{self.seconds:.1f} s"
        )


# --- the corpus ------------------------------------------------------------------------------------


def load_corpus(path: Path, allow_outside: bool = False) -> list[Work]:
    """The works of the corpus at ``path`` (a TOML file of ``[[work]]`` tables, or a folder of works).

    A corpus that cannot be read at all is an ``AlignerError``; a work that cannot be read is a
    ``Work`` with its ``problem``, so that the others still run.
    """
    path = Path(path)
    works = _folder_works(path, allow_outside) if path.is_dir() else _file_works(path, allow_outside)
    if not works:
        raise AlignerError(f"corpus {path} holds no work")
    seen: set[str] = set()
    for work in works:
        if work.id in seen:
            raise AlignerError(f"corpus {path}: work id {work.id!r} is given twice")
        seen.add(work.id)
    return works


def _manifest_work(work_id: str, manifest: Path, allow_outside: bool) -> Work:
    try:
        return Work(work_id, manifest_module.load_manifest(manifest, allow_outside))
    except AlignerError as err:
        return Work(work_id, problem=str(err))


def _folder_works(folder: Path, allow_outside: bool) -> list[Work]:
    """A folder of works: each sub-folder with a manifest, each ``*.toml`` manifest, in name order."""
    works = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            found = next((entry / name for name in _MANIFEST_NAMES if (entry / name).is_file()), None)
            if found is not None:
                works.append(
                    _manifest_work(manifest_module.witness_id_for(entry, True), found, allow_outside)
                )
        elif entry.suffix == ".toml":
            works.append(_manifest_work(manifest_module.witness_id_for(entry), entry, allow_outside))
    return works


def _file_works(path: Path, allow_outside: bool) -> list[Work]:
    try:
        data = tomllib.loads(read_text(path, "corpus"))
    except tomllib.TOMLDecodeError as err:
        raise AlignerError(f"corpus {path} is not valid TOML: {err}") from None
    tables = data.get("work", [])
    if not isinstance(tables, list) or not all(isinstance(table, dict) for table in tables):
        raise AlignerError(f"corpus {path}: 'work' must be [[work]] tables, one per work")
    return [_table_work(table, number, path, allow_outside) for number, table in enumerate(tables, 1)]


def _table_work(table: dict[str, Any], number: int, path: Path, allow_outside: bool) -> Work:
    """One ``[[work]]``: a manifest of its own (``manifest = "FILE"``) or its witnesses inline."""
    work_id = table.get("id")
    if not isinstance(work_id, str) or not manifest_module.is_xml_name(work_id):
        raise AlignerError(f"corpus {path}: work {number} needs an id, an XML name such as 'test0'")
    unknown = sorted(set(table) - set(_WORK_KEYS))
    if unknown:
        return Work(work_id, problem=f"unknown key {unknown[0]!r} (known: {', '.join(_WORK_KEYS)})")
    if "manifest" in table:
        if set(table) - {"id", "manifest"} or not isinstance(table["manifest"], str):
            return Work(work_id, problem='give either manifest = "FILE" or the work\'s witnesses, not both')
        return _inside(work_id, path, table["manifest"], allow_outside, "manifest") or _manifest_work(
            work_id, path.parent / table["manifest"], allow_outside
        )
    folder = table.get("folder", ".")
    if not isinstance(folder, str):
        return Work(work_id, problem="folder must be text in quotes")
    refused = _inside(work_id, path, folder, allow_outside, "folder")
    if refused is not None:
        return refused
    edition = {key: value for key, value in table.items() if key not in ("id", "folder", "witness")}
    data = {"edition": edition, "witness": table.get("witness", [])}
    try:
        manifest = manifest_module.manifest_from(data, path, path.parent / folder, allow_outside)
    except AlignerError as err:
        return Work(work_id, problem=str(err))
    if len(manifest.witnesses) < 2:
        return Work(work_id, problem="a work needs at least two [[work.witness]] tables")
    return Work(work_id, manifest)


def _inside(work_id: str, corpus: Path, name: str, allow_outside: bool, what: str) -> Work | None:
    """A work's folder or manifest lies in the corpus's folder, as a manifest's files lie in its own:
    a corpus from elsewhere must not publish your other files (``--allow-outside-files`` allows it)."""
    if allow_outside:
        return None
    try:
        where = f"corpus {corpus}: work {work_id!r}"
        manifest_module.check_inside(corpus.parent, name, where, "corpus", what)
    except AlignerError as err:
        return Work(work_id, problem=str(err))
    return None


def work_prefix(out: Path, work_id: str) -> Path:
    """Where a work's edition goes: ``OUT/ID/ID.tei.xml`` and its exports."""
    return Path(out) / work_id / work_id


def tei_path(out: Path, work_id: str) -> Path:
    return output_path(work_prefix(out, work_id), ".tei.xml")


def record_path(out: Path, work_id: str) -> Path:
    return Path(out) / work_id / f"{work_id}.batch.json"


def fingerprint_of(work: Work, settings: Settings) -> str:
    """What the work's edition is made from: every input byte, every description, the parameters,
    the model and the aligner's version; a change in any of them makes the work run again."""
    from aligner.align import DEFAULT_PARAMS, parameter_record
    from aligner.alignment import REVIEW_THRESHOLD
    from aligner.edition import tool_version
    from aligner.embed import DEFAULT_MODEL

    manifest = work.manifest
    assert manifest is not None
    files = [
        hashlib.sha256(read_bytes(path, f"file of witness {meta.id}")).hexdigest()
        for meta in manifest.witnesses
        for path in manifest.paths(meta)
    ]
    described = {
        "work": work.id,
        "title": manifest.title,
        "pivot": manifest.pivot,
        "publication": manifest.publication,
        "witnesses": [dataclasses.asdict(meta) for meta in manifest.witnesses],
        "files": files,
        "parameters": parameter_record(DEFAULT_PARAMS),
        "review_threshold": REVIEW_THRESHOLD,
        "model": settings.model or DEFAULT_MODEL,
        "device": settings.device,
        "presegmented": settings.presegmented,
        "aligner": tool_version(),
    }
    text = json.dumps(described, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def finished(work: Work, fingerprint: str, out: Path) -> WorkResult | None:
    """The work as a later run finds it: skipped if its record holds this fingerprint and its
    edition is there; ``None``: it must run."""
    tei = tei_path(out, work.id)
    try:
        record = json.loads(record_path(out, work.id).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != fingerprint or not tei.is_file():
        return None
    try:
        links, doubtful = int(record.get("links", 0)), int(record.get("doubtful", 0))
    except (TypeError, ValueError):  # a record edited by hand: as good as none, the work runs again
        return None
    with contextlib.suppress(OSError, AlignerError):
        if tei.stat().st_mtime_ns > record_path(out, work.id).stat().st_mtime_ns:
            links, doubtful = _counts(read_edition(tei))  # reviewed since aligned: the record's are old
    return WorkResult(work.id, "skipped", links, doubtful)


def _counts(edition: Edition) -> tuple[int, int]:
    """The links of an edition and how many of them are doubtful (not reviewed, below its threshold)."""
    links, doubtful, _ = review.counts(edition, edition.review_threshold, range(len(edition.alignments)))
    return links, doubtful


# --- one work, on a worker -------------------------------------------------------------------------

_EMBEDDERS: dict[tuple[str | None, str, int | None, bool], Any] = {}


def _embedder(settings: Settings) -> Any:
    """The model, loaded once per process (a worker aligns many works with it)."""
    from aligner.embed import load_embedder

    key = (settings.model, settings.device, settings.batch_size, settings.offline)
    if key not in _EMBEDDERS:
        _EMBEDDERS[key] = load_embedder(*key)
    return _EMBEDDERS[key]


def compute(work: Work, settings: Settings, tei: Path, previous: bytes | None = None) -> Outcome:
    """Align one work into its edition, keeping the reviews of ``previous`` (the bytes of the edition
    at ``tei``, its output), and return its files unwritten: the client writes. Never raises: a failure is
    one line."""
    from aligner.edition import to_tei
    from aligner.export import export_files
    from aligner.pipeline import AlignJob

    start = time.perf_counter()
    said = io.StringIO()  # the notes of reading and embedding, kept with the work's row
    try:
        assert work.manifest is not None
        if work.loaded is not None:
            said.write(work.loaded.notes)
        with contextlib.redirect_stderr(said):
            old = None
            if previous is not None:
                try:
                    old = read_edition(tei, previous)
                except AlignerError as err:
                    raise AlignerError(f"{err}; not overwriting it: move it away") from None
            job = AlignJob.prepare(
                [meta.id for meta in work.manifest.witnesses],
                None,
                settings.model,
                work.manifest,
                settings.presegmented,
                settings.force,
                embedder=_embedder(settings),
                texts=work.loaded.witnesses if work.loaded is not None else None,
            )
            run = job.edition_for(old, tei)
            edition = run.edition
            files = [(".tei.xml", to_tei(edition)), *export_files(edition)]
    except AlignerError as err:
        return Outcome(error=str(err), seconds=time.perf_counter() - start)
    except Exception as err:  # a bug must not stop the corpus: the work is reported, the rest go on
        return Outcome(error=f"{type(err).__name__}: {err}", seconds=time.perf_counter() - start)
    ids = {witness.id for witness in edition.witnesses}
    stale = [f".{w.id}.align" for w in (old.witnesses if old else []) if w.id not in ids]
    links, doubtful = _counts(edition)
    notes = [line.removeprefix("aligner: ") for line in said.getvalue().splitlines()]
    notes = [line for line in notes if line.startswith(("note", "warning"))]
    notes += [f"note: {message}" for message in [*run.notes, *run.dropped_reviews]]
    notes += [f"warning: {message}" for message in run.warnings]
    seconds = time.perf_counter() - start
    return Outcome(files, stale, run.realigned, links, doubtful, seconds=seconds, notes=notes)


def prefill(
    works: Iterable[Work], settings: Settings, sentences: int = PREFILL_SENTENCES
) -> tuple[list[Work], int]:
    """Read and segment the works at the front of ``works`` until they hold ``sentences`` sentences,
    and embed their sentences and runs together into the shared disk cache, each distinct text once;
    the works then find their vectors there. Returns the works taken, each with its witnesses
    (``Work.loaded``, so that it is not read again), and how many runs were embedded.

    A pure cache fill, so it may fail without harm: a work that cannot be read goes on unread and
    fails alone when it runs, with its own message, and should embedding fail the works embed their
    own sentences.
    """
    from aligner.align import DEFAULT_PARAMS
    from aligner.align.features import EMBEDDED_RUN
    from aligner.embed import fill_cache
    from aligner.pipeline import load_witnesses

    taken: list[Work] = []
    texts: list[list[str]] = []
    held = 0
    for work in works:
        said = io.StringIO()
        try:
            assert work.manifest is not None
            with contextlib.redirect_stderr(said):
                ids = [meta.id for meta in work.manifest.witnesses]
                witnesses = load_witnesses(ids, work.manifest, settings.presegmented)
        except Exception:  # the work fails with its own message when it runs
            taken.append(work)
            continue
        taken.append(dataclasses.replace(work, loaded=Loaded(witnesses, said.getvalue())))
        # the pivot first, then the others: the order in which the work embeds them (``align_pair``)
        pivot = work.manifest.pivot if work.manifest.pivot in ids else ids[0]
        order = sorted(witnesses, key=lambda witness: witness.id != pivot)
        texts += [[segment.text for segment in witness.segments] for witness in order]
        held += sum(len(witness.segments) for witness in witnesses)
        if held >= sentences:
            break
    try:
        longest = min(DEFAULT_PARAMS.max_run, EMBEDDED_RUN)  # what ``align_pair`` embeds
        return taken, fill_cache(
            texts, _embedder(settings), longest, f"embedding {len(taken)} works together"
        )
    except Exception:  # a bad model or a full disk: each work meets it and says so
        return taken, 0


# --- where the works run ---------------------------------------------------------------------------


class Runner(Protocol):
    """Local processes, this process alone, or a Dask cluster: the client's loop is the same."""

    capacity: int
    shares_cache: bool  # its workers read this process's embedding cache: ``prefill`` helps them

    def submit(self, work: Work, settings: Settings, tei: Path, previous: bytes | None) -> Any: ...

    def wait(self, futures: Iterable[Any]) -> set[Any]: ...

    def close(self, interrupted: bool) -> None: ...


class InProcess:
    """One work at a time in this process (``--workers 1``): nothing to start, the model loaded once."""

    capacity = 1
    shares_cache = True

    def submit(self, work: Work, settings: Settings, tei: Path, previous: bytes | None) -> Future[Outcome]:
        done: Future[Outcome] = Future()
        done.set_result(compute(work, settings, tei, previous))
        return done

    def wait(self, futures: Iterable[Any]) -> set[Any]:
        return {future for future in futures if future.done()}

    def close(self, interrupted: bool) -> None:
        """Nothing was started."""


def _stop(signum: int, frame: object) -> None:
    raise SystemExit(f"stopped by signal {signum}")


def _worker_signals() -> None:
    """Ctrl-C reaches the whole process group: the client alone decides what stops, and stops a
    worker with SIGTERM, which ends its work at once but lets the process exit cleanly."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _stop)


class Processes:
    """``--workers N`` local processes, each aligning one work at a time with its own model."""

    def __init__(self, workers: int) -> None:
        self.capacity = workers
        self.shares_cache = True  # processes of this machine, with this environment's ALIGNER_CACHE
        self.pool = ProcessPoolExecutor(workers, get_context("spawn"), initializer=_worker_signals)

    def submit(self, work: Work, settings: Settings, tei: Path, previous: bytes | None) -> Future[Outcome]:
        return self.pool.submit(compute, work, settings, tei, previous)

    def wait(self, futures: Iterable[Any]) -> set[Any]:
        return wait_futures(list(futures), return_when=FIRST_COMPLETED).done

    def close(self, interrupted: bool) -> None:
        if interrupted:  # the works under way are lost anyway: stop them now, not when they end
            for process in list(getattr(self.pool, "_processes", {}).values()):
                with contextlib.suppress(OSError):
                    os.kill(process.pid, signal.SIGTERM)
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskCluster:
    """One Dask task per work, on the cluster at ``scheduler`` or on a ``LocalCluster`` of ``workers``
    processes (one thread each: the model is not shared across threads)."""

    def __init__(self, scheduler: str | None, workers: int) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise AlignerError("--dask and --scheduler need Dask: pip install 'dask[distributed]'") from None
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="20s")
            else:
                # its worker processes ignore Ctrl-C, as local ones do: the client stops them
                main = threading.current_thread() is threading.main_thread()
                interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN) if main else None
                try:
                    self.cluster = LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=logging.ERROR,
                    )
                finally:
                    if main:
                        signal.signal(signal.SIGINT, interrupt)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as err:
            raise AlignerError(f"cannot reach the Dask scheduler {scheduler}: {err}") from None
        except (
            ValueError,
            TypeError,
        ) as err:  # an address Dask cannot use: no port, an unknown scheme, tls://
            raise AlignerError(
                f"--scheduler {scheduler}: not a usable Dask address (tcp://HOST:8786): {err}"
            ) from None
        self.capacity = 1_000_000  # every work at once: the scheduler spreads them
        # a LocalCluster's workers are this machine's processes, with this environment (ALIGNER_CACHE);
        # a scheduler's workers may be anywhere, each with its own cache
        self.shares_cache = self.cluster is not None

    def submit(self, work: Work, settings: Settings, tei: Path, previous: bytes | None) -> Any:
        key = f"aligner-{work.id}-{uuid.uuid4().hex[:8]}"
        return self.client.submit(compute, work, settings, tei, previous, pure=False, key=key)

    def wait(self, futures: Iterable[Any]) -> set[Any]:
        from distributed import wait

        return set(wait(list(futures), return_when="FIRST_COMPLETED").done)

    def close(self, interrupted: bool) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def runner_for(workers: int = 1, dask: bool = False, scheduler: str | None = None) -> Runner:
    """Where the works run: a Dask cluster (``scheduler``, or a local one with ``dask``), ``workers``
    local processes, or this process alone."""
    if workers < 1:
        raise AlignerError(f"--workers must be at least 1, not {workers}")
    if dask or scheduler:
        return DaskCluster(scheduler, workers)
    return Processes(workers) if workers > 1 else InProcess()


# --- the client ------------------------------------------------------------------------------------


def _write(work: Work, outcome: Outcome, out: Path, fingerprint: str) -> WorkResult:
    """The exports and the record of a work whose TEI was written: the record comes last."""
    prefix = work_prefix(out, work.id)
    for suffix, data in outcome.files[1:]:
        write_atomic(output_path(prefix, suffix), data)
    for suffix in outcome.stale:
        output_path(prefix, suffix).unlink(missing_ok=True)
    status = "realigned" if outcome.realigned else "aligned"
    result = WorkResult(work.id, status, outcome.links, outcome.doubtful, outcome.seconds)
    result.notes = outcome.notes
    record = {"fingerprint": fingerprint, "links": result.links, "doubtful": result.doubtful}
    record["seconds"] = round(outcome.seconds, 3)
    write_atomic(record_path(out, work.id), (json.dumps(record, indent=1) + "\n").encode("utf-8"))
    return result


def run_batch(
    works: list[Work],
    out: Path,
    settings: Settings = Settings(),
    start: Callable[[], Runner] = InProcess,
    redo: bool = False,
    report: Callable[[WorkResult], None] | None = None,
    fill: bool = True,
) -> list[WorkResult]:
    """Align every work not already finished into its edition under ``out``; one result per work, in
    the corpus's order. ``start`` makes the runner, only if some work is left to do; ``report`` hears
    of each work as it ends (the progress bar). ``redo`` aligns finished works again too. ``fill``:
    embed the works' sentences together first (``prefill``), where the workers share this process's
    embedding cache.
    """
    check_folder_for(Path(out) / "work")
    results: dict[str, WorkResult] = {}
    todo: deque[tuple[Work, str]] = deque()

    def done(result: WorkResult) -> None:
        results[result.work] = result
        if report is not None:
            report(result)

    for work in works:
        if work.problem:
            done(WorkResult(work.id, "failed", message=work.problem))
            continue
        try:
            fingerprint = fingerprint_of(work, settings)
        except AlignerError as err:
            done(WorkResult(work.id, "failed", message=str(err)))
            continue
        skipped = None if redo else finished(work, fingerprint, out)
        if skipped is not None:
            done(skipped)
        else:
            todo.append((work, fingerprint))
    if todo:
        runner = start()
        interrupted = True
        try:
            _run(todo, out, settings, runner, done, fill and runner.shares_cache)
            interrupted = False
        finally:
            runner.close(interrupted)
    return [results[work.id] for work in works]


def _run(
    todo: deque[tuple[Work, str]],
    out: Path,
    settings: Settings,
    runner: Runner,
    done: Callable[[WorkResult], None],
    fill: bool = False,
) -> None:
    """Keep the runner busy; write each work's files as its outcome comes back, the TEI only over the
    very file the worker was given (a review saved meanwhile sends the work back with it). ``fill``:
    before the works are sent, a batch of them at a time has its sentences embedded together."""
    flying: dict[Any, tuple[Work, str, str | None, int]] = {}
    filled = 0  # works at the front of ``todo`` whose sentences are in the cache

    def send(work: Work, fingerprint: str, attempt: int) -> None:
        tei = tei_path(out, work.id)
        try:
            previous = tei.read_bytes() if tei.exists() else None
            base = hashlib.sha256(previous).hexdigest() if previous is not None else None
            flying[runner.submit(work, settings, tei, previous)] = (work, fingerprint, base, attempt)
        except OSError as err:
            done(WorkResult(work.id, "failed", message=f"cannot read {tei}: {err.strerror or err}"))
        except Exception as err:  # a pool that broke, a cluster gone: this work fails, the loop goes on
            done(WorkResult(work.id, "failed", message=f"{type(err).__name__}: {err}"))

    while todo or flying:
        while todo and len(flying) < runner.capacity:
            if fill and not filled:
                taken = prefill((work for work, _ in todo), settings)[0]
                for n, work in enumerate(taken):
                    todo[n] = (work, todo[n][1])
                filled = len(taken)
            send(*todo.popleft(), 1)
            filled = max(filled - 1, 0)
        if not flying:
            continue
        for future in runner.wait(flying):
            work, fingerprint, base, attempt = flying.pop(future)
            try:
                outcome: Outcome = future.result()
            except Exception as err:  # the worker died (killed, out of memory): one line for this work
                done(WorkResult(work.id, "failed", message=f"its worker failed: {type(err).__name__}: {err}"))
                continue
            if outcome.error:
                done(WorkResult(work.id, "failed", seconds=outcome.seconds, message=outcome.error))
                continue
            tei = tei_path(out, work.id)
            try:
                write_atomic(tei, outcome.files[0][1], expected=base)
                done(_write(work, outcome, out, fingerprint))
            except StaleWrite:  # a review saved meanwhile: align again, keeping its decisions
                if attempt < _ATTEMPTS:
                    send(work, fingerprint, attempt + 1)
                else:
                    done(WorkResult(work.id, "failed", message=f"{tei} keeps being changed; run again"))
            except AlignerError as err:
                done(WorkResult(work.id, "failed", message=str(err)))


# --- what the scholar sees -------------------------------------------------------------------------


class Progress:
    """One bar over the works on a terminal; one line per work otherwise (a log); failures always
    get their line."""

    def __init__(self, total: int, stream: Any = None) -> None:
        from tqdm import tqdm

        self.stream = stream or sys.stderr
        self.total, self.count = total, 0
        self.bar = (
            tqdm(total=total, desc="works", unit=" work", file=self.stream) if self.stream.isatty() else None
        )

    def __call__(self, result: WorkResult) -> None:
        self.count += 1
        line = f"aligner: [{self.count}/{self.total}] {result.line()}"
        if self.bar is None:
            print(line, file=self.stream, flush=True)
            return
        if result.status == "failed":
            self.bar.write(line, file=self.stream)
        self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def summary(results: list[WorkResult]) -> list[str]:
    """The table printed at the end: work, status, links, doubtful share, seconds; then the totals."""
    width = max([4, *(columns(result.work) for result in results)])
    lines = [f"{'work':<{width}}  {'status':<9}  {'links':>7}  {'doubtful':>8}  {'seconds':>8}"]
    for result in results:
        ran = result.status in ("aligned", "realigned")
        lines.append(
            f"{pad(result.work, width)}  {result.status:<9}  "
            f"{result.links if result.status != 'failed' else '-':>7}  "
            f"{f'{result.doubtful_share:.1%}' if result.status != 'failed' else '-':>8}  "
            f"{f'{result.seconds:.1f}' if ran else '-':>8}"
        )
    count = {status: sum(r.status == status for r in results) for status in _STATUSES}
    seconds = sum(r.seconds for r in results if r.status in ("aligned", "realigned"))
    told = ", ".join(f"{n} {status}" for status, n in count.items() if n)
    lines.append(f"{len(results)} works: {told}; {seconds:.1f} s of aligning")
    return lines


def run_command(
    corpus: Path,
    out: Path,
    settings: Settings,
    workers: int = 1,
    dask: bool = False,
    scheduler: str | None = None,
    allow_outside: bool = False,
    redo: bool = False,
    fill: bool = True,
) -> tuple[list[str], bool]:
    """``aligner batch``: the summary lines, and whether every work succeeded (the exit status)."""
    if workers < 1:
        raise AlignerError(f"--workers must be at least 1, not {workers}")
    from aligner.embed import check_model

    # every work would fail on a missing model: one line before any is read; a remote cluster's
    # workers have their own cache and GPUs, so only what holds everywhere is checked for them
    check_model(
        settings.model, settings.device, settings.batch_size, settings.offline, here=scheduler is None
    )
    works = load_corpus(corpus, allow_outside)
    progress = Progress(len(works))
    try:
        results = run_batch(
            works, out, settings, lambda: runner_for(workers, dask, scheduler), redo, progress, fill
        )
    except KeyboardInterrupt:
        progress.close()
        print(
            "aligner: every work reported done is kept; the same command again does the rest", file=sys.stderr
        )
        raise
    progress.close()
    notes = [f"{r.work}: {note}" for r in results for note in r.notes]
    return [*summary(results), *notes], all(r.status != "failed" for r in results)
