"""The installed hub finds every file it reads: package data is declared, and the image keeps the layout that
hub.config.ROOT's defaults rely on (the image cannot be built here: no Docker engine)."""

from __future__ import annotations

import fnmatch
import tomllib

from hub.config import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
DOCKERFILE = (ROOT / "Dockerfile").read_text()


def test_every_data_file_of_the_packages_is_declared_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["*"]
    data_files = [
        p
        for package in ("hub", "partners")
        for p in (ROOT / package).rglob("*")
        if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
    ]
    assert data_files  # the walk found the catalogue of regions, the partner registry, the migration template
    missing = [str(p.relative_to(ROOT)) for p in data_files if not any(fnmatch.fnmatch(p.name, x) for x in patterns)]
    assert missing == []


def test_image_installs_the_hub_in_place_with_the_files_root_points_at():
    assert "pip install --no-cache-dir -e ." in DOCKERFILE  # ROOT is then /app, not site-packages
    for folder in ("hub", "partners", "policies"):
        assert f"COPY {folder} ./{folder}" in DOCKERFILE
    assert "chown -R hub /app/var" in DOCKERFILE  # pid files for `hub policy reload`; nothing else is writable
    assert DOCKERFILE.index("chown -R hub /app/var") < DOCKERFILE.index("USER hub")


def test_license_is_a_plain_spdx_expression():
    """PEP 639: `license` is an SPDX string (the `{text = ...}` table is deprecated and warns at install)."""
    assert PYPROJECT["project"]["license"] == "EUPL-1.2"
    build_requires = PYPROJECT["build-system"]["requires"]
    assert any(r.startswith("setuptools>=") and int(r.split(">=")[1].split(".")[0]) >= 77 for r in build_requires)
