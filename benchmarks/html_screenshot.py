"""Time the TEI round trip and the exports of an edition, and screenshot its HTML page in headless Chromium.

    python benchmarks/html_screenshot.py [EDITION.tei.xml] [--png-dir DIR]

Default edition: output/mastering-bolshevism.tei.xml (made by the README's main command). Prints the
figures and writes two screenshots (the top of the page, and the whole page at a tall window) to look at.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from browser import CHROMIUM_FLAGS

from aligner.edition import read_edition, validate, write_edition
from aligner.export import html_page, tmx, tsv, write_outputs

ROOT = Path(__file__).resolve().parents[1]


def timed(label: str, action, repeat: int = 3) -> object:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<28} {best * 1000:9.1f} ms (best of {repeat})")
    return result


def screenshot(page: Path, png: Path, height: int) -> float:
    binary = shutil.which("chromium")
    if binary is None:
        sys.exit("chromium not found (setup.sh installs it)")
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        subprocess.run(
            [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--screenshot={png}",
             f"--window-size=1400,{height}", page.as_uri()],
            capture_output=True,
            check=True,
            timeout=300,
        )  # fmt: skip
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = ROOT / "output" / "mastering-bolshevism.tei.xml"
    parser.add_argument("edition", nargs="?", type=Path, default=default)
    parser.add_argument("--png-dir", type=Path, default=Path(tempfile.gettempdir()))
    args = parser.parse_args()
    if not args.edition.is_file():
        sys.exit(f"no edition at {args.edition}: run the README's main command first, or give one")

    edition = timed("read_edition", lambda: read_edition(args.edition))
    pairs = list(zip(edition.witnesses, edition.alignments, strict=True))
    print(f"witnesses: {1 + len(edition.witnesses)}, sentences: "
          f"{sum(len(w.segments) for w in [edition.pivot, *edition.witnesses])}, "
          f"beads: {sum(len(a.beads) for _, a in pairs)}")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "bench"
        timed("write_edition", lambda: write_edition(edition, out.with_suffix(".tei.xml")))
        timed("validate (jing tei_all)", lambda: validate(out.with_suffix(".tei.xml")), repeat=1)
        timed("tsv", lambda: tsv(edition))
        timed("tmx", lambda: tmx(edition))
        timed("html", lambda: html_page(edition))
        paths = timed("write_outputs (all four)", lambda: write_outputs(edition, out))
        for path in paths:
            print(f"{path.name:<28} {path.stat().st_size / 1024:9.1f} KiB")
        args.png_dir.mkdir(parents=True, exist_ok=True)
        top, full = args.png_dir / "aligner-html-top.png", args.png_dir / "aligner-html-tall.png"
        for label, png, height in (("top", top, 1000), ("tall", full, 3000)):
            seconds = screenshot(paths[3], png, height)
            print(f"{'chromium screenshot (' + label + ')':<28} {seconds * 1000:9.1f} ms -> {png}")


if __name__ == "__main__":
    main()
