"""Screenshots of the browser review at 1366x768: the review page and the alignment map, in Debian's
headless Chromium (driven by Playwright), to look at.

    python benchmarks/web_screenshot.py [EDITION.tei.xml] [--png-dir DIR]

Default edition: output/mastering-bolshevism.tei.xml (aligned into a temporary folder if missing); a copy
is served, so the edition itself is never changed. Also shoots a small synthetic edition with a Chinese
witness (from benchmarks/web_timing.py), to see the three scripts rendered. Writes:
review.png (the least confident link selected), review-zh.png, map.png, and prints their paths.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from browser import BUNDLED, CHROMIUM, CHROMIUM_FLAGS, ROOT, edition_copy
from playwright.sync_api import sync_playwright
from web_timing import synthetic_edition

from aligner.edition import read_edition
from aligner.web.app import ReviewApp, start_in_thread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", nargs="?", type=Path, default=BUNDLED)
    parser.add_argument("--png-dir", type=Path, default=ROOT / "output/screenshots")
    args = parser.parse_args()
    args.png_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy = edition_copy(args.edition, work, "mb")
        small = synthetic_edition(work / "zh.tei.xml", 400)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            for path, shots in ((copy, ("review.png", "map.png")), (small, ("review-zh.png", None))):
                state = ReviewApp(path, "Anna Reviewer", read_edition(path).review_threshold)
                server = start_in_thread(state)
                try:
                    start = time.perf_counter()
                    page.goto(server.url)
                    with page.expect_event("load"):
                        page.keyboard.press("g")  # the first link of the review queue
                    if path == small:
                        page.goto(server.url.split("/?")[0] + "/goto?w=zh-x&link=3")
                    page.wait_for_timeout(300)
                    review_png = args.png_dir / shots[0]
                    page.screenshot(path=str(review_png))
                    print(f"{review_png}  (page shown in {time.perf_counter() - start:.2f} s)")
                    if shots[1]:
                        page.goto(server.url.split("/?")[0] + "/map")
                        map_png = args.png_dir / shots[1]
                        page.screenshot(path=str(map_png))
                        print(map_png)
                finally:
                    server.stop()
            browser.close()


if __name__ == "__main__":
    main()
