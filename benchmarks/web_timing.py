"""Time the browser review: first page, map and decisions, for the bundled edition and a 50,000-link one.

    python benchmarks/web_timing.py [EDITION.tei.xml] [--links 50000] [--decisions 5]

Default edition: output/mastering-bolshevism.tei.xml (made by the README's main command; aligned into a
temporary folder if missing). The large edition is synthetic (Russian, English and Chinese sentences made
from word lists, confidences drawn with a fixed seed): what is timed is the review server, not the aligner.
Each figure is the wall time of a real HTTP request to a server on 127.0.0.1 (a copy of the edition).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import urllib.request
from pathlib import Path

from browser import BUNDLED, edition_copy

from aligner import review
from aligner.alignment import Bead, PairAlignment
from aligner.edition import Edition, read_edition, write_edition
from aligner.web.app import ReviewApp, start_in_thread
from aligner.witness import Block, Segment, Witness, WitnessMeta

WORDS = {
    "ru": tuple(
        [
            "товарищи",
            "партия",
            "работа",
            "враг",
            "вопрос",
            "народ",
            "план",
            "рабочий",
            "класс",
            "страна",
            "съезд",
            "решение",
        ]
    ),
    "en": tuple(
        [
            "comrades",
            "party",
            "work",
            "enemy",
            "question",
            "people",
            "plan",
            "worker",
            "class",
            "country",
            "congress",
            "decision",
        ]
    ),
    "zh": tuple(
        ["同志", "党", "工作", "敌人", "问题", "人民", "计划", "工人", "阶级", "国家", "大会", "决定"]
    ),
}


def _witness(witness_id: str, lang: str, count: int, seed: int) -> Witness:
    rng = random.Random(seed)
    words = WORDS[lang]
    joiner = "" if lang == "zh" else " "
    end = "。" if lang == "zh" else "."
    sentences = []
    for n in range(count):
        text = joiner.join(rng.choice(words) for _ in range(rng.randint(5, 14)))
        sentences.append(
            Segment(f"{text[:1].upper()}{text[1:]} {n + 1}{end}", f"{witness_id}.txt", n + 1, n + 1)
        )
    blocks = [Block("paragraph", tuple(sentences[i : i + 20])) for i in range(0, count, 20)]
    return Witness(WitnessMeta(id=witness_id, lang=lang, title=f"synthetic {lang}"), blocks)


def _beads(n_links: int, seed: int) -> tuple[list[Bead], int, int]:
    """Mostly 1-1 links, some 1-2, 2-1, 1-0, 0-1; confidences mostly high, some doubtful."""
    rng = random.Random(seed)
    beads, i, j = [], 0, 0
    for _ in range(n_links):
        di, dj = rng.choices([(1, 1), (1, 2), (2, 1), (1, 0), (0, 1)], [85, 5, 5, 2, 3])[0]
        confidence = round(rng.betavariate(5, 1), 4)
        beads.append(Bead(tuple(range(i, i + di)), tuple(range(j, j + dj)), confidence))
        i, j = i + di, j + dj
    return beads, i, j


def synthetic_edition(path: Path, n_links: int = 50_000) -> Path:
    """A TEI edition with ``n_links`` links between a Russian pivot and English and Chinese witnesses."""
    en_beads, n, m_en = _beads(n_links, 1)
    zh_beads, n_zh, m_zh = _beads(n_links, 2)
    # Both pairs need the same pivot length: pad the shorter one with pivot-only links.
    total = max(n, n_zh)
    en_beads += [Bead((k,), (), 0.5) for k in range(n, total)]
    zh_beads += [Bead((k,), (), 0.5) for k in range(n_zh, total)]
    pivot = _witness("ru-x", "ru", total, 10)
    english, chinese = _witness("en-x", "en", m_en, 11), _witness("zh-x", "zh", m_zh, 12)
    edition = Edition(
        title="Synthetic edition",
        pivot=pivot,
        witnesses=[english, chinese],
        alignments=[PairAlignment("ru-x", "en-x", en_beads), PairAlignment("ru-x", "zh-x", zh_beads)],
        model="synthetic",
        parameters={"review_threshold": "0.5"},
    )
    write_edition(edition, path)
    return path


def _get(url: str, cookie: str) -> tuple[float, int]:
    start = time.perf_counter()
    with urllib.request.urlopen(urllib.request.Request(url, headers={"Cookie": cookie})) as answer:
        size = len(answer.read())
    return time.perf_counter() - start, size


def time_edition(name: str, path: Path, decisions: int) -> None:
    start = time.perf_counter()
    edition = read_edition(path)
    state = ReviewApp(path, "benchmark", edition.review_threshold)
    server = start_in_thread(state)
    opened = time.perf_counter() - start
    try:
        base = server.url.split("/?")[0]
        start = time.perf_counter()
        with urllib.request.urlopen(server.url) as answer:
            size = len(answer.read())
            cookie = answer.headers["set-cookie"].split(";")[0]
        first = time.perf_counter() - start
        again, _ = _get(base + "/?page=2", cookie)
        last, _ = _get(base + "/?page=100000", cookie)
        doubtful_page, _ = _get(base + "/?show=doubtful", cookie)
        map_time, map_size = _get(base + "/map", cookie)
        links = len(edition.alignments[0].beads)
        print(
            f"{name}: {links} links; {path.stat().st_size / 1e6:.1f} MB of TEI; "
            f"read + server up {opened:.2f} s"
        )
        print(
            f"  first page {first * 1000:.0f} ms ({size / 1e3:.0f} kB); next page {again * 1000:.0f} ms; "
            f"last page {last * 1000:.0f} ms; doubtful only {doubtful_page * 1000:.0f} ms"
        )
        print(f"  map {map_time * 1000:.0f} ms ({map_size / 1e3:.0f} kB)")
        times = []
        for _ in range(decisions):
            doubt = review.doubtful(state.load()[0], state.threshold, [0])[0]
            body = {"op": "accept", "witness": edition.alignments[0].witness_id,
                    "pivot": list(doubt.bead.pivot), "sentences": list(doubt.bead.witness)}  # fmt: skip
            request = urllib.request.Request(
                base + "/api/decide",
                data=json.dumps(body).encode(),
                method="POST",
                headers={
                    "Cookie": cookie,
                    "X-Aligner-Token": state.token,
                    "Content-Type": "application/json",
                },
            )
            start = time.perf_counter()
            with urllib.request.urlopen(request) as answer:
                assert json.loads(answer.read())["ok"]
            saved = time.perf_counter() - start
            reload, _ = _get(base + "/", cookie)
            times.append((saved, reload))
        if times:
            save = sorted(t[0] for t in times)[len(times) // 2]
            reload = sorted(t[1] for t in times)[len(times) // 2]
            print(
                f"  per decision (median of {len(times)}): saved {save * 1000:.0f} ms, "
                f"then the page {reload * 1000:.0f} ms"
            )
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", nargs="?", type=Path, default=BUNDLED)
    parser.add_argument("--links", type=int, default=50_000)
    parser.add_argument("--decisions", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        bundled = edition_copy(args.edition, work, "bundled")
        time_edition("bundled edition", bundled, args.decisions)
        start = time.perf_counter()
        big = synthetic_edition(work / "big.tei.xml", args.links)
        print(f"(synthetic edition written in {time.perf_counter() - start:.1f} s)")
        time_edition("synthetic edition", big, args.decisions)


if __name__ == "__main__":
    main()
