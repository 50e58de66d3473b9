"""The test app pool (tests/support/apps.py) keeps tests apart: each test's own database, engine, settings and
witness, and nothing a test set on the app left for the next."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from hub.config import Settings
from hub.exchange.dependencies import get_clock
from tests.support.apps import checked_out


def _settings(template: Path, folder: Path, **extra: object) -> Settings:
    folder.mkdir()
    shutil.copyfile(template, folder / "hub.db")
    return Settings(
        env="dev",
        database_url=f"sqlite:///{folder / 'hub.db'}",
        log_json=True,
        log_witness_dir=folder / "witness",
        **extra,
    )


def test_a_second_test_gets_the_same_app_on_its_own_database(sqlite_template: Path, tmp_path: Path) -> None:
    """The app is built once, and the next test's app state names its own database, settings and witness."""
    first, second = _settings(sqlite_template, tmp_path / "a"), _settings(sqlite_template, tmp_path / "b")
    with checked_out(first) as app:
        built = app
        assert app.state.engine.url.database == str(tmp_path / "a" / "hub.db")
    with checked_out(second) as app, TestClient(app) as client:
        assert app is built
        assert app.state.settings is second
        assert app.state.engine.url.database == str(tmp_path / "b" / "hub.db")
        assert app.state.log_signer.witness.directory == tmp_path / "b" / "witness"
        assert client.get("/health/ready").status_code == 200


def test_what_a_test_set_on_the_app_is_put_back(sqlite_template: Path, tmp_path: Path) -> None:
    """A replaced PDP and a dependency override end with the test that set them."""
    first, second = _settings(sqlite_template, tmp_path / "a"), _settings(sqlite_template, tmp_path / "b")
    with checked_out(first) as app:
        pdp = app.state.pdp
        app.state.pdp = object()
        app.state.left_behind = True
        app.dependency_overrides[get_clock] = lambda: None
    with checked_out(second) as app:
        assert app.state.pdp is pdp
        assert not hasattr(app.state, "left_behind")
        assert get_clock not in app.dependency_overrides


def test_an_app_in_use_or_built_otherwise_is_not_shared(sqlite_template: Path, tmp_path: Path) -> None:
    """A test that asks twice gets two apps; other settings (beyond the database) get their own app."""
    first, second = _settings(sqlite_template, tmp_path / "a"), _settings(sqlite_template, tmp_path / "b")
    other = _settings(sqlite_template, tmp_path / "c", unusual_reads_per_hour=1)
    with checked_out(first) as app, checked_out(second) as nested:
        assert nested is not app
    with checked_out(other) as app, checked_out(first) as usual:
        assert app is not usual
        assert app.state.settings.unusual_reads_per_hour == 1
