"""Review in the browser: a small local web app over the same review core as the terminal review.

Starlette (a small, maintained ASGI toolkit) serves server-rendered Jinja2 pages through uvicorn; a
little plain JavaScript (``static/review.js``, no build step, no CDN) adds the keyboard and the mouse.

Security: the server listens on 127.0.0.1 unless told otherwise; every request needs the session's
random token (given once in the URL, then kept in a strict same-site cookie), every decision also in a
header that another web page cannot send; the Host header must be the server's own (no DNS
rebinding); only the package's own static files and pages made from the edition are served.

Every decision goes through one function, ``ReviewApp.save``, which hands it to the review core the
terminal review uses (``review.decision``, ``review.commit``, ``review.undo_of``): the link is found by
its sentences in the edition as it is on disk now, not by its number, so a decision made on a page that
is out of date still lands on the right link, or is refused when that link changed; if someone else
saves before the write lands, ``review.commit`` applies the decision onto their edition or refuses it.
"""

from __future__ import annotations

import math
import secrets
import socket
import threading
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import quote, urlencode

import uvicorn
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from aligner import export, review
from aligner.alignment import Bead, PairAlignment
from aligner.edition import Edition, link_id, read_edition
from aligner.errors import AlignerError
from aligner.files import fingerprint
from aligner.witness import Witness

PAGE_SIZE = 200
"""Links per page: a 50,000-link edition is 250 pages, each rendered in a few milliseconds."""
QUEUE_SHOWN = 50
MAP_BEADS = 4000
"""Above this many links, the map draws the path as one line and marks only the doubtful links."""
COOKIE = "aligner_token"
HEADER = "x-aligner-token"
STATIC = Path(__file__).with_name("static")
OPS = ("accept", "note", "move", "merge", "split", "detach", "undo")


class Conflict(AlignerError):
    """The decision no longer applies: someone changed that link since the page was shown."""


@dataclass(frozen=True)
class Decision:
    """One decision as the page sends it: the link is named by its sentences, as the page showed it."""

    op: str
    witness: str
    pivot: tuple[int, ...] = ()
    sentences: tuple[int, ...] = ()
    side: review.Side = "witness"
    direction: review.Direction = "next"
    segment: int | None = None
    pivot_first: int = 0
    witness_first: int = 0
    note: str = ""
    tab: str = ""

    @staticmethod
    def from_json(data: Any) -> Decision:
        """The decision in a request body; anything malformed is one clear error."""
        if not isinstance(data, dict) or data.get("op") not in OPS:
            raise AlignerError(f"a decision needs an op among {', '.join(OPS)}")
        try:
            side = data.get("side", "witness")
            direction = data.get("direction", "next")
            if side not in ("pivot", "witness") or direction not in ("previous", "next"):
                raise ValueError
            segment = data.get("segment")
            return Decision(
                op=data["op"],
                witness=str(data.get("witness", "")),
                pivot=tuple(int(i) for i in data.get("pivot", ())),
                sentences=tuple(int(i) for i in data.get("sentences", ())),
                side=side,
                direction=direction,
                segment=None if segment is None else int(segment),
                pivot_first=int(data.get("pivot_first", 0)),
                witness_first=int(data.get("witness_first", 0)),
                note=str(data.get("note", "")),
                tab=str(data.get("tab", ""))[:64],
            )
        except (TypeError, ValueError):
            raise AlignerError("a decision with malformed fields") from None


@dataclass
class Saved:
    what: str
    witness: str
    focus: int  # the link to show next (0-based)


@dataclass
class ReviewApp:
    """One edition file under review by one reviewer: the state behind every page and decision."""

    path: Path
    reviewer: str
    threshold: float
    token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    decisions: int = 0
    replayed: int = 0  # decisions applied onto an edition someone else saved meanwhile
    _cache: tuple[str, Edition] | None = None
    _undo: dict[str, list[review.Decision]] = field(default_factory=dict)  # per tab: what undoes each
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- reading ---

    def load(self) -> tuple[Edition, str]:
        """The edition as it is on disk now, and its fingerprint (parsed again only when it changed)."""
        current = fingerprint(self.path)
        if current is None:
            raise AlignerError(f"the edition {self.path} is gone")
        cached = self._cache
        if cached is not None and cached[0] == current:
            return cached[1], current
        edition = read_edition(self.path)
        self._cache = (current, edition)
        return edition, current

    # --- the one way a decision is saved ---

    def save(self, decision: Decision) -> Saved:
        """Save one decision through ``review.commit``, the terminal review's way: the link is found
        by its sentences in the edition as it is on disk now, and if someone else saves before this
        write lands, the decision is applied onto their edition, or refused with ``Conflict`` (nothing
        written) when the link changed meanwhile."""
        with self._lock:
            edition, base = self.load()
            stack = self._undo.setdefault(decision.tab, [])
            if decision.op == "undo":
                if not stack:
                    raise AlignerError("nothing to undo in this tab")
                done, refused = stack[-1], _UNDO_REFUSED
            else:
                done, refused = self._decision(edition, decision), _LINK_CHANGED
            k = _alignment_index(edition, done.witness_id)
            try:
                applied = review.apply_decision(edition, done)  # a wrong decision is refused here
            except AlignerError:
                if done.operation != "undo":
                    raise
                stack.pop()  # it will never apply again, as in the terminal review
                raise Conflict(refused) from None
            try:
                saved, found = review.commit(self.path, done, base, edition)
            except review.DecisionRefused as err:
                self._cache = (err.fingerprint, err.edition)
                if done.operation == "undo":
                    stack.pop()
                raise Conflict(refused) from None
            self._cache = (found, saved)
            replayed = len(saved.changes) > len(edition.changes) + 1
            self.replayed += replayed
            # What undoes it: the links it changed, as they were and as written (when nobody else
            # saved meanwhile, the very links of the file; else as applied onto the page's edition).
            before = edition.alignments[k].beads
            after = (applied if replayed else saved).alignments[k].beads
            if done.operation == "undo":
                stack.pop()
                window = done.before
            else:
                undo = review.undo_of(done, before, after)
                stack.append(undo)
                window = undo.after
            self.decisions += 1
            k = _alignment_index(saved, done.witness_id)
            queue = review.doubtful(saved, self.threshold, [k])
            # A note decides nothing: the link stays on screen to be decided, as in the terminal review
            # (the queue's head instead would take the next key, "a", to a link the reviewer never read).
            stays = done.operation == "note"
            focus = queue[0].index if queue and not stays else _where(saved.alignments[k].beads, window)
            return Saved(done.what, done.witness_id, focus)

    def _decision(self, edition: Edition, d: Decision) -> review.Decision:
        """The page's decision as the review core's, on the link the page showed, with the history
        entry the terminal review writes for it."""
        k = _alignment_index(edition, d.witness)
        beads = edition.alignments[k].beads
        i = _find(beads, d.pivot, d.sentences)
        bead, me = beads[i], self.reviewer
        pivot_ids = edition.pivot.segment_ids()
        witness_ids = review.pair_witness(edition, edition.alignments[k]).segment_ids()

        def label(b: Bead) -> str:  # with the link's id, as the terminal review says it
            return review.link_label(b, pivot_ids, witness_ids, d.witness)

        def sentence_id(side: review.Side, segment: int) -> str:
            ids = pivot_ids if side == "pivot" else witness_ids
            if not 0 <= segment < len(ids):
                raise AlignerError(f"there is no {side} sentence {segment + 1}")
            return ids[segment]

        def decided(operation: review.Operation, what: str, **arguments: object) -> review.Decision:
            return review.decision(edition, k, i, operation, me, what, **arguments)

        if d.op == "accept":
            return decided("accept", f"accepted link {label(bead)}")
        if d.op == "note":
            if not d.note.strip():
                raise AlignerError("an empty note")
            return decided("note", f"note on link {label(bead)}: {d.note.strip()}", note=d.note)
        if d.op == "move":
            own = review.side_of(bead, d.side)
            segment = d.segment
            if segment is None and own:
                segment = own[0] if d.direction == "previous" else own[-1]
            review.move(beads, i, d.side, d.direction, me, segment)  # refused here if it cannot be done
            assert segment is not None  # move refuses a side with no sentence
            what = f"moved {sentence_id(d.side, segment)} to the {d.direction} link"
            return decided("move", what, side=d.side, direction=d.direction, segment=segment)
        if d.op == "merge":
            new = review.merge(beads, i, d.direction, me)  # refused here if it cannot be done
            other = beads[i - 1] if d.direction == "previous" else beads[i + 1]
            first, second = (other, bead) if d.direction == "previous" else (bead, other)
            joined = new[i - 1] if d.direction == "previous" else new[i]
            what = f"merged links {label(first)} and {label(second)} into {label(joined)}"
            return decided("merge", what, direction=d.direction)
        if d.op == "split":
            new = review.split(beads, i, d.pivot_first, d.witness_first, me)
            what = f"split link {label(bead)} into {label(new[i])} and {label(new[i + 1])}"
            return decided("split", what, parts=(d.pivot_first, d.witness_first))
        # detach
        if d.segment is None:
            raise AlignerError("which sentence has no counterpart?")
        what = f"marked {sentence_id(d.side, d.segment)} as having no counterpart"
        return decided("detach", what, side=d.side, segment=d.segment)


_LINK_CHANGED = (
    "this link was changed by someone else since the page was shown: reload the page to see it as it is now"
)
_UNDO_REFUSED = "cannot undo: someone changed these links since; decide again instead"


def _attachment(name: str) -> str:
    """A download's Content-Disposition for any file name: an edition ``aligner batch`` named after a
    work ``报告-中文`` cannot go in a header as it is (HTTP headers are Latin-1: a server error), so an
    ASCII name for old clients and the real one encoded (RFC 6266, RFC 5987)."""
    plain = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def _alignment_index(edition: Edition, witness_id: str) -> int:
    return review.selected_alignments(edition, witness_id)[0]


def _find(beads: list[Bead], pivot: tuple[int, ...], witness: tuple[int, ...]) -> int:
    """The link with exactly these sentences: the one the page showed, wherever it is now."""
    for i, bead in enumerate(beads):
        if bead.pivot == pivot and bead.witness == witness:
            return i
    raise Conflict(_LINK_CHANGED)


def _where(beads: list[Bead], window: tuple[Bead, ...]) -> int:
    """Where the links a decision left are now (the first link when they cannot be found)."""
    size = len(window)
    return next((i for i in range(len(beads) - size + 1) if size and tuple(beads[i : i + size]) == window), 0)


# --- pages ---------------------------------------------------------------------------------------

_templates = Environment(
    loader=PackageLoader("aligner.web", "templates"), autoescape=select_autoescape(["html", "svg"])
)
_templates.globals["link_id"] = link_id  # the stable id the TEI, the listing and the static page use

Show = Literal["all", "doubtful", "reviewed", "pending"]


@dataclass
class _View:
    """What a page shows: which witness, which links (filtered), which page of them."""

    witness: str
    show: str
    below: float
    page: int

    def query(self, **changes: object) -> str:
        values = {"w": self.witness, "show": self.show, "below": f"{self.below:g}", "page": self.page}
        values.update(changes)
        return "/?" + urlencode(values)


def _view(request: Request, edition: Edition) -> _View:
    params = request.query_params
    ids = [pair.witness_id for pair in edition.alignments]
    witness = params.get("w") if params.get("w") in ids else ids[0]
    show = params.get("show", "all")
    show = show if show in ("all", "doubtful", "reviewed", "pending") else "all"
    try:
        below = float(params.get("below", "1"))
        page = int(params.get("page", "1"))
    except ValueError:
        below, page = 1.0, 1
    below = 1.0 if not math.isfinite(below) else min(max(below, 0.0), 1.0)
    return _View(witness, show, below, max(page, 1))


def _selected(beads: list[Bead], view: _View, threshold: float) -> list[int]:
    """Indices of the links the filters let through, in reading order."""

    def keep(bead: Bead) -> bool:
        if view.below < 1.0 and not bead.confidence < view.below:
            return False
        if view.show == "doubtful":
            return bead.resp is None and bead.confidence < threshold
        if view.show == "reviewed":
            return bead.resp is not None
        if view.show == "pending":
            return bead.resp is None and bead.confidence == review.PENDING
        return True

    if view.show == "all" and view.below >= 1.0:
        return list(range(len(beads)))
    return [i for i, bead in enumerate(beads) if keep(bead)]


def build(state: ReviewApp, allowed_hosts: list[str]) -> Starlette:
    """The ASGI application for one edition under review."""

    def opened(request: Request) -> tuple[Edition, _View, int, PairAlignment, Witness]:
        """The edition as it is on disk, the view the request asks for, and that witness's alignment."""
        edition, _ = state.load()
        view = _view(request, edition)
        k = _alignment_index(edition, view.witness)
        pair = edition.alignments[k]
        return edition, view, k, pair, review.pair_witness(edition, pair)

    def page(request: Request) -> Response:
        edition, view, k, pair, witness = opened(request)
        chosen = _selected(pair.beads, view, state.threshold)
        pages = max(1, math.ceil(len(chosen) / PAGE_SIZE))
        view.page = min(view.page, pages)
        shown = chosen[(view.page - 1) * PAGE_SIZE : view.page * PAGE_SIZE]
        total, n_doubtful, reviewed = review.counts(edition, state.threshold, [k])
        queue = review.doubtful(edition, state.threshold, [k])
        pivot_ids, witness_ids = edition.pivot.segment_ids(), witness.segment_ids()
        rows = [
            {
                "index": i,
                "bead": pair.beads[i],
                "level": export.link_level(pair.beads[i], state.threshold),
                "pivot": [(s, pivot_ids[s], edition.pivot.segments[s].text) for s in pair.beads[i].pivot],
                "witness": [(s, witness_ids[s], witness.segments[s].text) for s in pair.beads[i].witness],
            }
            for i in shown
        ]
        body = _templates.get_template("review.html").render(
            edition=edition,
            path=state.path.name,
            reviewer=state.reviewer,
            threshold=state.threshold,
            view=view,
            pages=pages,
            n_chosen=len(chosen),
            rows=rows,
            pivot=edition.pivot,
            witness=witness,
            witnesses=[p.witness_id for p in edition.alignments],
            counts={"links": total, "left": n_doubtful, "reviewed": reviewed, "session": state.decisions},
            queue=[(d, _address(view.witness, d.index)) for d in queue[:QUEUE_SHOWN]],
            n_queue=len(queue),
            token=state.token,
        )
        return HTMLResponse(body)

    def goto(request: Request) -> Response:
        """The page holding a link (``link=N``, 1-based) or the link of a pivot sentence (``pivot=I``)."""
        edition, _ = state.load()
        view = _view(request, edition)
        beads = edition.alignments[_alignment_index(edition, view.witness)].beads
        try:
            if "pivot" in request.query_params:
                at = int(request.query_params["pivot"])
                covering = (n for n, b in enumerate(beads) if b.pivot and b.pivot[-1] >= at)
                index = next(covering, len(beads) - 1)
            else:
                index = min(max(int(request.query_params.get("link", "1")) - 1, 0), len(beads) - 1)
        except ValueError:
            return PlainTextResponse("bad link number", status_code=400)
        return RedirectResponse(_address(view.witness, index), status_code=303)

    def alignment_map(request: Request) -> Response:
        edition, view, _, pair, witness = opened(request)
        n, m = max(len(edition.pivot.segments), 1), max(len(witness.segments), 1)
        boxes, path = [], []
        x = y = 0
        for i, bead in enumerate(pair.beads):
            w, h = len(bead.pivot), len(bead.witness)
            level = export.link_level(bead, state.threshold)
            if len(pair.beads) <= MAP_BEADS or level == "low":
                boxes.append({"i": i, "x": x, "y": y, "w": w, "h": h, "level": level, "c": bead.confidence})
            path.append(f"{x + w},{y + h}")
            x, y = x + w, y + h
        body = _templates.get_template("map.html").render(
            edition=edition,
            view=view,
            witness=witness,
            witnesses=[p.witness_id for p in edition.alignments],
            n=n,
            m=m,
            boxes=boxes[: MAP_BEADS * 2],
            path="0,0 " + " ".join(path),
            n_links=len(pair.beads),
            n_low=sum(1 for b in boxes if b["level"] == "low"),
            token=state.token,
        )
        return HTMLResponse(body)

    async def decide(request: Request) -> Response:
        try:
            decision = Decision.from_json(await request.json())
        except ValueError:
            return JSONResponse({"ok": False, "message": "the decision is not JSON"}, status_code=400)
        except AlignerError as err:
            return JSONResponse({"ok": False, "message": str(err)}, status_code=400)
        try:
            saved = await _in_thread(lambda: state.save(decision))
        except AlignerError as err:
            return JSONResponse({"ok": False, "message": f"{err}; nothing changed"}, status_code=409)
        url = _address(saved.witness, saved.focus)
        return JSONResponse({"ok": True, "message": f"saved: {saved.what}", "url": url})

    def download(request: Request) -> Response:
        edition, _ = state.load()
        kind = request.path_params["kind"]
        stem = state.path.name.removesuffix(".xml").removesuffix(".tei")
        made: dict[str, Callable[[], tuple[bytes, str, str]]] = {
            "tei": lambda: (state.path.read_bytes(), "application/xml", ".tei.xml"),
            "tsv": lambda: (export.tsv(edition), "text/tab-separated-values; charset=utf-8", ".tsv"),
            "tmx": lambda: (export.tmx(edition), "application/xml", ".tmx"),
            "html": lambda: (export.html_page(edition, state.threshold), "text/html; charset=utf-8", ".html"),
        }
        if kind not in made:
            return PlainTextResponse("no such export", status_code=404)
        data, media, suffix = made[kind]()
        return Response(data, media_type=media, headers={"Content-Disposition": _attachment(stem + suffix)})

    routes = [
        Route("/", page),
        Route("/goto", goto),
        Route("/map", alignment_map),
        Route("/api/decide", decide, methods=["POST"]),
        Route("/export/{kind}", download),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=allowed_hosts),
        Middleware(_TokenGuard, token=state.token),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers={AlignerError: _one_line})
    return app


async def _in_thread(work: Callable[[], Saved]) -> Saved:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(work)


async def _one_line(request: Request, err: Exception) -> Response:
    return PlainTextResponse(f"aligner: error: {err}", status_code=409)


def _address(witness: str, index: int) -> str:
    """Where link ``index`` is shown: its page of the unfiltered list, scrolled to it."""
    return _View(witness, "all", 1.0, index // PAGE_SIZE + 1).query() + f"#link-{index + 1}"


def cookie_for(server: tuple[str, int | None] | None) -> str:
    """The cookie's name carries the port: cookies ignore ports, and two servers (two editions reviewed
    in one browser) must not overwrite each other's token."""
    return f"{COOKIE}_{server[1]}" if server and server[1] else COOKIE


class _TokenGuard:
    """Refuse every request without the session's token (URL or cookie); decisions need it in a header
    too, which a page from another origin cannot send, so no other site can decide for the reviewer."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookie_name = cookie_for(scope.get("server"))
        given = request.query_params.get("token") or request.cookies.get(cookie_name) or ""
        ok = secrets.compare_digest(given.encode(), self.token.encode())
        if ok and request.method != "GET":
            ok = secrets.compare_digest(request.headers.get(HEADER, "").encode(), self.token.encode())
        if not ok:
            response = PlainTextResponse(
                "forbidden: open the address 'aligner serve' printed (it carries the session's token)",
                status_code=403,
            )
            await response(scope, receive, send)
            return
        if "token" not in request.query_params:
            await self.app(scope, receive, send)
            return
        cookie = f"{cookie_name}={self.token}; Path=/; HttpOnly; SameSite=Strict"

        async def with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, with_cookie)


# --- running ------------------------------------------------------------------------------------


@dataclass
class Server:
    """A running review server: its address (with the token) and how to stop it."""

    url: str
    state: ReviewApp
    server: uvicorn.Server
    thread: threading.Thread | None = None

    def stop(self) -> None:
        self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


def prepare(state: ReviewApp, host: str = "127.0.0.1", port: int = 0) -> tuple[Server, socket.socket]:
    """Bind the socket (port 0: a free one) and make the server; nothing runs yet.

    The edition is read now, so the first page does not wait for a long edition to be parsed."""
    state.load()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as err:
        sock.close()
        raise AlignerError(f"cannot listen on {host}:{port}: {err.strerror or err}") from None
    sock.listen(64)
    port = sock.getsockname()[1]
    hosts = ["127.0.0.1", "localhost", "[::1]"] if host in ("127.0.0.1", "localhost", "::1") else ["*"]
    if host not in ("0.0.0.0", "::") and host not in hosts:
        hosts = [host, "127.0.0.1", "localhost"]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/?token={state.token}"
    config = uvicorn.Config(build(state, hosts), log_level="warning", lifespan="off", access_log=False)
    return Server(url, state, uvicorn.Server(config)), sock


def start_in_thread(state: ReviewApp, host: str = "127.0.0.1", port: int = 0) -> Server:
    """A server running in a background thread (tests, benchmarks); ``stop()`` ends it."""
    server, sock = prepare(state, host, port)
    server.server.config.install_signal_handlers = False  # not the main thread
    thread = threading.Thread(target=server.server.run, kwargs={"sockets": [sock]}, daemon=True)
    server.thread = thread
    thread.start()
    while not server.server.started:
        if not thread.is_alive():
            raise AlignerError("the review server did not start")
        threading.Event().wait(0.02)
    return server


def serve(state: ReviewApp, host: str, port: int, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve until Ctrl-C, opening the reviewer's browser on the page."""
    server, sock = prepare(state, host, port)
    if host not in ("127.0.0.1", "localhost", "::1"):
        say(
            f"warning: listening on {host}: anyone on this network who gets the address below can read "
            "the edition and decide for you; share it only on a network you trust"
        )
    say(f"reviewing {state.path} as {state.reviewer}; open {server.url}")
    say("Ctrl-C stops the server; every decision is already saved.")
    if open_browser:
        threading.Timer(0.3, webbrowser.open, [server.url]).start()
    server.server.run(sockets=[sock])
