"""``pip install .`` in a fresh virtual environment, then aligner run from an empty folder elsewhere: the
installed package, not the checkout, finds its bundled texts and aligns two files.

The fresh environment sees the dependencies of the one running the tests through a ``.pth`` file (so
nothing is downloaded); the checkout itself is not on its path. About 30 seconds, most of it aligning
the bundled texts; deselect with ``-m "not install"``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
from paths import ROOT, TEXTBERG

pytestmark = pytest.mark.install

# What a checkout holds that the package build neither needs nor should see.
_NOT_SOURCES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "output",
    "build",
    "*.egg-info",
    "__pycache__",
    ".cache",
    ".*_cache",
    "tests",
    "benchmarks",
)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv in a temporary folder with aligner installed from a copy of the checkout by pip."""
    folder = tmp_path_factory.mktemp("install")
    source, env_dir = folder / "checkout", folder / "venv"
    shutil.copytree(ROOT, source, ignore=_NOT_SOURCES)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies (and pip, setuptools) of the running environment; its .pth files, among them an
    # editable install of the checkout, are not read from a folder listed this way.
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    pip = [python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index"]
    pip += ["--ignore-installed", "--no-cache-dir", str(source)]
    done = subprocess.run(pip, capture_output=True, text=True, env=_clean_env(), check=False)
    assert done.returncode == 0, done.stderr
    return env_dir


def _clean_env() -> dict[str, str]:
    """The environment without anything that would put the checkout on the path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}


def _run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / args[0]), *args[1:]], cwd=cwd, capture_output=True, text=True, env=_clean_env()
    )


def test_the_installed_package_is_the_one_used(venv: Path, tmp_path: Path) -> None:
    code = "import aligner, aligner.manifest as m; print(aligner.__file__); print(m.bundled_manifest())"
    done = _run(venv, tmp_path, "python", "-c", code)
    assert done.returncode == 0, done.stderr
    package, manifest = (Path(line) for line in done.stdout.splitlines())
    assert package.is_relative_to(venv) and manifest.is_relative_to(venv) and manifest.is_file()


def test_two_files_align_in_an_empty_folder(venv: Path, tmp_path: Path) -> None:
    shutil.copy(TEXTBERG / "test4.de", tmp_path / "a.txt")
    shutil.copy(TEXTBERG / "test4.fr", tmp_path / "b.txt")
    done = _run(venv, tmp_path, "aligner", "align", "a.txt:de", "b.txt:fr", "--out", "x")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("a <-> b: ")
    assert (tmp_path / "x.tei.xml").is_file() and (tmp_path / "x.b.align").is_file()
    # files alone need no manifest: the same works with the bundled manifest gone from the install
    manifest = next(venv.glob("lib/python*/site-packages/aligner/translations/manifest.toml"))
    manifest.rename(manifest.with_suffix(".away"))
    try:
        done = _run(venv, tmp_path, "aligner", "align", "a.txt:de", "b.txt:fr", "--out", "y")
    finally:
        manifest.with_suffix(".away").rename(manifest)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "y.tei.xml").read_bytes() == (tmp_path / "x.tei.xml").read_bytes()


def test_align_without_arguments_aligns_the_bundled_texts(venv: Path, tmp_path: Path) -> None:
    done = _run(venv, tmp_path, "aligner", "align")
    assert done.returncode == 0, done.stderr
    first, second = done.stdout.splitlines()[:2]
    # the bundled manifest, inside the installed package, is named
    assert first.startswith("witnesses from manifest ") and "site-packages/aligner/translations" in first
    assert second.startswith("ru-1937 <-> en-1937: ")
    assert (tmp_path / "output" / "edition.tei.xml").is_file()
