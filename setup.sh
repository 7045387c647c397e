#!/usr/bin/env bash
# Set up everything on a fresh machine, then align the bundled texts into output/.
#   bash setup.sh            # set up + run the main job
#   bash setup.sh --no-run   # set up only (what CI does before the tests)
set -euo pipefail
cd "$(dirname "$0")"

# System packages: Jing validates TEI against tei_all.rng; Chromium renders the HTML view in tests;
# tmux drives the interactive review through a real terminal in tests; pandoc makes the HTML, DOCX and
# EPUB witnesses of the reader tests, with DejaVu fonts for their PDF; WenQuanYi renders Chinese in the
# browser review (tests and screenshots).
PACKAGES="jing chromium tmux pandoc fonts-dejavu-core fonts-wqy-microhei"
if ! dpkg -s $PACKAGES >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get install -y -q $PACKAGES >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q $PACKAGES >/dev/null; }
fi

# Python environment; constraints.txt pins torch to the local CPU build where it runs here.
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -c constraints.txt -e '.[test]'

if [ "${1:-}" != "--no-run" ]; then
  mkdir -p output
  .venv/bin/aligner align --out output/mastering-bolshevism
fi
