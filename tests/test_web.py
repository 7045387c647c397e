"""Review in the browser: the bundled edition reviewed in real headless Chromium (Debian's, driven by
Playwright), by keyboard and by mouse, every decision kept in the TEI; two reviewers at once; and the
server's guards tested with a plain HTTP client."""

from __future__ import annotations

import http.client
import re
import shutil
import signal
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from paths import CHROMIUM, CHROMIUM_FLAGS
from playwright.sync_api import Browser, Page, expect, sync_playwright

from aligner import review
from aligner.alignment import Bead
from aligner.edition import link_id, read_edition, validate
from aligner.web.app import Decision, ReviewApp, Server, start_in_thread

ALIGNER = str(Path(sys.executable).with_name("aligner"))

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def edition(bundled_edition: Path, tmp_path: Path) -> Path:
    """A copy of the bundled edition (aligned once per session), to review."""
    path = tmp_path / "mb.tei.xml"
    shutil.copyfile(bundled_edition, path)
    return path


def serve(path: Path, reviewer: str = "alice") -> Server:
    return start_in_thread(ReviewApp(path, reviewer, read_edition(path).review_threshold))


@pytest.fixture
def server(edition: Path) -> Iterator[Server]:
    running = serve(edition)
    yield running
    running.stop()


def beads(path: Path) -> list[Bead]:
    return read_edition(path).alignments[0].beads


def whats(path: Path) -> list[str]:
    return [change.what for change in read_edition(path).changes]


def new_page(browser: Browser, server: Server) -> Page:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server.url)
    return page


def base(server: Server) -> str:
    return server.url.split("/?")[0]


def open_link(page: Page, server: Server, index: int) -> None:
    """Show link ``index`` (0-based) selected, as a click in the queue or the map does."""
    page.goto(f"{base(server)}/goto?link={index + 1}")
    expect(page.locator(f"#link-{index + 1}")).to_have_class(re.compile(r"\bselected\b"))


def decided(page: Page, action: Callable[[], None], message: str) -> None:
    """Do what the reviewer does, wait for the page to come back from the server saying it is saved."""
    with page.expect_event("load"):
        action()
    expect(page.locator("#status")).to_contain_text(message)


def answer_next_dialog(page: Page, text: str) -> None:
    page.once("dialog", lambda dialog: dialog.accept(text))


def find(path: Path, test: Callable[[list[Bead], int], bool]) -> int:
    """The first link (in reading order) that suits a decision."""
    current = beads(path)
    return next(i for i in range(1, len(current) - 1) if test(current, i))


def machine(b: Bead) -> bool:
    return b.resp is None and b.confidence > 0


def test_a_note_keeps_the_link_on_screen_so_the_next_key_decides_it(
    browser: Browser, server: Server, edition: Path
) -> None:
    # As in the terminal: "t" then "a" accepts the link just annotated, not the head of the queue.
    threshold = server.state.threshold
    assert review.doubtful(read_edition(edition), threshold, [0])  # there is a queue to jump to
    i = find(edition, lambda b, i: machine(b[i]) and b[i].confidence >= threshold)
    page = new_page(browser, server)
    open_link(page, server, i)
    answer_next_dialog(page, "译者在此处增译了一句")
    decided(page, lambda: page.keyboard.press("t"), "saved: note on link")
    expect(page.locator("tr.selected")).to_have_id(f"link-{i + 1}")
    decided(page, lambda: page.keyboard.press("a"), "saved: accepted link")
    noted = beads(edition)[i]
    assert (noted.note, noted.resp, noted.confidence) == ("译者在此处增译了一句", "alice", 1.0)


def test_review_by_keyboard_then_reload_and_align_again(
    browser: Browser, server: Server, edition: Path
) -> None:
    page = new_page(browser, server)
    threshold = server.state.threshold
    expect(page.locator("#keys")).to_contain_text("merge with previous/next")
    left = review.counts(read_edition(edition), threshold, [0])[1]
    expect(page.locator("#n-left")).to_have_text(str(left))
    # the queue names each link by the stable id the TEI, the listing and the static page use
    first_doubt = review.doubtful(read_edition(edition), threshold, [0])[0]
    expect(page.locator(".queue a").first).to_have_text(link_id("en-1937", first_doubt.bead))

    # g: the least confident link; a: accept it.
    head = review.doubtful(read_edition(edition), threshold, [0])[0]
    with page.expect_event("load"):
        page.keyboard.press("g")
    expect(page.locator(f"#link-{head.index + 1}")).to_have_class(re.compile("selected"))
    decided(page, lambda: page.keyboard.press("a"), "saved: accepted link")
    assert (beads(edition)[head.index].resp, beads(edition)[head.index].confidence) == ("alice", 1.0)
    expect(page.locator("#n-left")).to_have_text(str(left - 1))

    # t: a note, which decides nothing.
    noted = review.doubtful(read_edition(edition), threshold, [0])[0].index
    open_link(page, server, noted)
    answer_next_dialog(page, "the OCR lost a line here")
    decided(page, lambda: page.keyboard.press("t"), "saved: note on link")
    assert beads(edition)[noted].note == "the OCR lost a line here" and beads(edition)[noted].resp is None

    # s: split; the reviewer then stays on both parts until each is accepted.
    i = find(edition, lambda b, i: machine(b[i]) and len(b[i].pivot) >= 1 and len(b[i].witness) >= 2)
    open_link(page, server, i)
    answer_next_dialog(page, "1 1")
    decided(page, lambda: page.keyboard.press("s"), "saved: split link")
    assert [(b.resp, b.confidence) for b in beads(edition)[i : i + 2]] == [(None, 0.0), (None, 0.0)]
    expect(page.locator("tr.selected")).to_have_id(f"link-{i + 1}")
    expect(page.locator("tr.selected .resp")).to_have_text("changed, to accept")
    decided(page, lambda: page.keyboard.press("a"), "saved: accepted link")
    expect(page.locator("tr.selected")).to_have_id(f"link-{i + 2}")
    decided(page, lambda: page.keyboard.press("a"), "saved: accepted link")
    assert [b.resp for b in beads(edition)[i : i + 2]] == ["alice", "alice"]

    # W: the last witness sentence to the next link; both links are left to accept.
    j = find(edition, lambda b, j: machine(b[j]) and machine(b[j + 1]) and len(b[j].witness) >= 2)
    open_link(page, server, j)
    decided(page, lambda: page.keyboard.press("W"), "saved: moved")
    assert [(b.resp, b.confidence) for b in beads(edition)[j : j + 2]] == [(None, 0.0), (None, 0.0)]
    # m: merge that neighbour back with the previous link; a merge is reviewed as a whole.
    open_link(page, server, j + 1)
    decided(page, lambda: page.keyboard.press("m"), "saved: merged links")
    assert beads(edition)[j].resp == "alice"

    # n: no counterpart for the first witness sentence, then u: undo it.
    k = find(edition, lambda b, k: machine(b[k]) and b[k].pivot and len(b[k].witness) >= 2)
    before = beads(edition)
    open_link(page, server, k)
    answer_next_dialog(page, "w1")
    decided(page, lambda: page.keyboard.press("n"), "saved: marked")
    assert beads(edition)[k].pivot == () and beads(edition)[k].resp == "alice"
    decided(page, lambda: page.keyboard.press("u"), "saved: undid: marked")
    assert beads(edition) == before

    # Reload: every decision is in the TEI and shown again; the history says who did what.
    page.reload()
    expect(page.locator(f"#link-{head.index + 1} .resp")).to_have_text("✓ alice")
    assert [re.match(r"\w+", what).group() for what in whats(edition)[-9:]] == [
        "accepted", "note", "split", "accepted", "accepted", "moved", "merged", "marked", "undid",
    ]  # fmt: skip
    validate(edition)

    # Aligning the texts again keeps every link reviewed in the browser.
    reviewed = [b for b in beads(edition) if b.resp is not None]
    done = subprocess.run(
        [ALIGNER, "align", "--out", str(edition.with_name("mb"))], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert all(b in beads(edition) for b in reviewed) and len(reviewed) >= 4
    validate(edition)


def test_review_with_the_mouse(browser: Browser, server: Server, edition: Path) -> None:
    page = new_page(browser, server)

    def row(index: int) -> str:
        return f"#link-{index + 1}"

    i = find(edition, lambda b, i: machine(b[i]))
    open_link(page, server, i)
    decided(page, lambda: page.click(f"{row(i)} button[data-op=accept]"), "saved: accepted link")
    assert beads(edition)[i].resp == "alice"

    i = find(edition, lambda b, i: machine(b[i]) and machine(b[i + 1]))
    open_link(page, server, i)
    decided(page, lambda: page.click(f"{row(i)} button[data-op=merge][data-direction=next]"), "saved: merged")
    assert beads(edition)[i].resp == "alice"

    i = find(edition, lambda b, i: machine(b[i]) and len(b[i].pivot) + len(b[i].witness) >= 3 and b[i].pivot)
    open_link(page, server, i)
    answer_next_dialog(page, "1 1")
    decided(page, lambda: page.click(f"{row(i)} button[data-op=split]"), "saved: split link")

    i = find(edition, lambda b, i: machine(b[i]) and machine(b[i - 1]) and b[i].witness and b[i].pivot)
    open_link(page, server, i)
    first = f"{row(i)} td.witness .s >> nth=0"
    decided(page, lambda: page.click(f"{first} >> button[data-direction=previous]"), "saved: moved")
    assert beads(edition)[i - 1].confidence == 0.0

    i = find(edition, lambda b, i: machine(b[i]) and b[i].pivot and len(b[i].witness) >= 2)
    open_link(page, server, i)
    decided(page, lambda: page.click(f"{row(i)} td.witness .s >> nth=-1 >> button.nc"), "saved: marked")
    assert beads(edition)[i + 1].pivot == () and beads(edition)[i + 1].resp == "alice"

    open_link(page, server, i)
    answer_next_dialog(page, "checked against the 1937 print")
    decided(page, lambda: page.click(f"{row(i)} button[data-op=note]"), "saved: note on link")
    decided(page, lambda: page.click("#undo"), "saved: undid: note on link")

    # Drag the last witness sentence of a link onto the next link.
    i = find(edition, lambda b, i: machine(b[i]) and machine(b[i + 1]) and len(b[i].witness) >= 2)
    open_link(page, server, i)
    source = f"{row(i)} td.witness .s >> nth=-1"
    decided(page, lambda: page.drag_and_drop(source, f"{row(i + 1)} td.witness"), "saved: moved")
    moved = beads(edition)
    assert moved[i + 1].witness[0] == moved[i].witness[-1] + 1 and moved[i + 1].confidence == 0.0

    page.reload()
    expect(page.locator("tr.link .resp", has_text="✓ alice")).not_to_have_count(0)
    assert [re.match(r"\w+", what).group() for what in whats(edition)[-8:]] == [
        "accepted", "merged", "split", "moved", "marked", "note", "undid", "moved",
    ]  # fmt: skip
    validate(edition)


def test_the_map_shows_the_path_and_opens_a_link(browser: Browser, server: Server, edition: Path) -> None:
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(server.url.replace("/?", "/map?"))
    doubtful = review.doubtful(read_edition(edition), server.state.threshold, [0])
    expect(page.locator("svg#map polyline.path")).to_have_count(1)
    expect(page.locator("svg#map circle.doubt")).to_have_count(len(doubtful))
    with page.expect_event("load"):
        page.locator("svg#map rect.box.low").first.click(force=True)
    assert re.search(r"#link-\d+$", page.url)
    expect(page.locator("tr.selected")).to_have_count(1)


def test_two_reviewers_at_once_lose_nothing(browser: Browser, edition: Path) -> None:
    # Two people, each with a server of their own on the same file (the worst case: two processes).
    first, second = serve(edition, "alice"), serve(edition, "bob")
    try:
        doubts = review.doubtful(read_edition(edition), first.state.threshold, [0])
        a, b = doubts[0].index, doubts[1].index
        page_a = browser.new_context().new_page()
        page_b = browser.new_context().new_page()
        for page, running, index in ((page_a, first, a), (page_b, second, b)):
            page.goto(running.url)
            open_link(page, running, index)
        # Both press 'a' at the same moment; both pages were shown before either decision.
        with page_a.expect_event("load"), page_b.expect_event("load"):
            page_a.keyboard.press("a")
            page_b.keyboard.press("a")
        current = beads(edition)
        assert (current[a].resp, current[b].resp) == ("alice", "bob")
        # Bob, on a page shown before Alice's next decision, decides on the link she just changed.
        open_link(page_b, second, a + 1 if a + 1 != b else a + 2)
        target = int(page_b.locator("tr.selected").get_attribute("data-index"))
        open_link(page_a, first, target)
        answer_next_dialog(page_a, "1 1")
        split_ok = beads(edition)[target].pivot and len(beads(edition)[target].witness) >= 2
        if split_ok:
            decided(page_a, lambda: page_a.keyboard.press("s"), "saved: split link")
        else:
            decided(page_a, lambda: page_a.keyboard.press("M"), "saved: merged links")
        kept = beads(edition)
        page_b.keyboard.press("a")
        expect(page_b.locator("#status")).to_contain_text("changed by someone else")
        assert beads(edition) == kept
        who = [change.who for change in read_edition(edition).changes]
        assert who.count("alice") == 2 and who.count("bob") == 1
        validate(edition)
    finally:
        first.stop()
        second.stop()


def test_two_writers_saving_at_the_same_time_keep_every_decision(edition: Path) -> None:
    # Two processes' worth of state on one file, saving in two threads at once: when one writes between
    # the other's read and write, the other's write is refused (StaleWrite) and its decision applied
    # again to the newer edition.
    alice = ReviewApp(edition, "alice", read_edition(edition).review_threshold)
    bob = ReviewApp(edition, "bob", alice.threshold)
    # Ten links nobody reviewed (the bundled edition may have fewer doubtful ones), five each.
    current = read_edition(edition).alignments[0].beads
    doubts = [review.Doubt(0, i, bead) for i, bead in enumerate(current) if bead.resp is None][:10]
    assert len(doubts) == 10
    plan = [(alice, doubts[0::2]), (bob, doubts[1::2])]
    failures: list[Exception] = []

    def work(app: ReviewApp, mine: list[review.Doubt]) -> None:
        for doubt in mine:
            decision = Decision("accept", "en-1937", doubt.bead.pivot, doubt.bead.witness, tab=app.reviewer)
            try:
                app.save(decision)
            except Exception as err:  # the test reports it below
                failures.append(err)

    threads = [threading.Thread(target=work, args=pair) for pair in plan]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures
    final = beads(edition)
    for app, doubts_of in plan:
        assert all(final[d.index].resp == app.reviewer for d in doubts_of)
    who = [change.who for change in read_edition(edition).changes]
    assert who.count("alice") == who.count("bob") == 5
    print(f"decisions applied onto the other's newer save: {alice.replayed + bob.replayed}")


def test_exports_download_under_an_edition_s_chinese_name(
    browser: Browser, bundled_edition: Path, tmp_path: Path
) -> None:
    # aligner batch names an edition after its work ("报告-中文"): its name in the download header was a
    # server error (HTTP headers are Latin-1), so the export buttons gave nothing.
    path = tmp_path / "报告-中文.tei.xml"
    shutil.copyfile(bundled_edition, path)
    running = serve(path)
    try:
        page = browser.new_page(accept_downloads=True)
        page.goto(running.url)
        for button, name in (("TEI", "报告-中文.tei.xml"), ("TSV", "报告-中文.tsv")):
            with page.expect_download() as download:
                page.click(f"text={button}")
            assert download.value.suggested_filename == name
        assert Path(download.value.path()).read_text(encoding="utf-8").startswith("pivot\twitness\t")
    finally:
        running.stop()


# --- the guards, with a plain HTTP client --------------------------------------------------------


def request(server: Server, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> int:
    address = urlsplit(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    given = {"Host": address.netloc, **(headers or {})}
    for name, value in given.items():
        connection.putheader(name, value)
    connection.endheaders(b"{}" if method == "POST" else None)
    status = connection.getresponse().status
    connection.close()
    return status


def test_requests_without_the_token_from_elsewhere_or_outside_the_edition_are_refused(server: Server) -> None:
    token = server.state.token
    cookie = {"Cookie": f"aligner_token_{urlsplit(server.url).port}={token}"}
    assert request(server, f"/?token={token}") == 200
    assert request(server, "/", cookie) == 200
    assert request(server, "/") == 403
    assert request(server, "/?token=guessed") == 403
    assert request(server, "/", {"Cookie": f"aligner_token={token}"}) == 403  # another server's cookie
    assert request(server, "/export/tei") == 403
    assert request(server, "/static/review.js") == 403
    # Another web page cannot decide: a POST needs the token in a header too, not only the cookie.
    assert request(server, "/api/decide", cookie, method="POST") == 403
    # DNS rebinding: a foreign name for our address.
    assert request(server, f"/?token={token}", {"Host": "evil.example:80"}) == 400
    # Nothing but the package's own files and the edition's pages.
    for path in (
        "/static/../../../../etc/passwd",
        "/static/..%2f..%2f..%2fpyproject.toml",
        "/static/%2e%2e/%2e%2e/edition.py",
        "/mb.tei.xml",
        "/export/..%2f..%2fetc%2fpasswd",
        "/export/align",
    ):
        assert request(server, path, cookie) == 404, path
    assert request(server, "/static/review.css", cookie) == 200


def test_aligner_serve_prints_its_address_and_stops_on_ctrl_c(edition: Path) -> None:
    serving = subprocess.Popen(
        [ALIGNER, "serve", str(edition), "--no-browser", "--reviewer", "alice", "--host", "localhost"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serving.stdout is not None
        first = serving.stdout.readline()
        url = re.search(r"open (http://localhost:\d+/\?token=\S+)", first)
        assert url, first
        with urllib.request.urlopen(url.group(1), timeout=30) as answer:
            assert answer.status == 200 and "left to review" in answer.read().decode()
    finally:
        serving.send_signal(signal.SIGINT)
        _, err = serving.communicate(timeout=30)
    assert serving.returncode == 0 and "every decision is saved" in err


def test_serving_beyond_this_machine_is_warned_and_a_bad_edition_refused(
    edition: Path, tmp_path: Path
) -> None:
    not_ours = tmp_path / "notes.xml"
    not_ours.write_text("<notes/>", encoding="utf-8")
    done = subprocess.run([ALIGNER, "serve", str(not_ours), "--no-browser"], capture_output=True, text=True)
    assert (
        done.returncode == 1 and done.stderr.startswith("aligner: error: ") and "Traceback" not in done.stderr
    )
    serving = subprocess.Popen(
        [ALIGNER, "serve", str(edition), "--no-browser", "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert serving.stdout is not None
    warning = serving.stdout.readline()
    serving.send_signal(signal.SIGINT)
    serving.communicate(timeout=30)
    assert warning.startswith("warning: listening on 0.0.0.0: anyone on this network")
