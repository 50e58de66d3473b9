"""The partner registry: the development registry's contents, and validation errors that name file and field."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from joserfc.jwk import RSAKey

from hub.auth.registry import RegistryError, load_registry
from hub.config import ROOT, Settings
from hub.main import create_app

REGISTRY = ROOT / "partners" / "registry"
GOOI = ["GM0376", "GM0317", "GM1942", "GM0402", "GM0406", "GM0417", "GM1696"]


@pytest.fixture
def dev() -> Settings:
    return Settings(env="dev", database_url="sqlite://")


def test_development_registry_holds_region_gooi_en_vechtstreek_and_maastricht(dev_registry):
    """ZVH, both domains of the seven municipalities, DJI, police, probation, FG, the region's analyst; plus
    Maastricht's ZVH and city."""
    by_role = {}
    for partner in dev_registry.all():
        by_role.setdefault(partner.role, []).append(partner)
    assert len(dev_registry) == 23
    for role in ("municipal_social", "municipal_security"):
        assert {p.municipality for p in by_role[role]} == {*GOOI, "GM0935"}
    assert {p.region for p in by_role["zvh_coordinator"]} == {"gooi-en-vechtstreek", "maastricht-heuvelland"}
    single = ("dji", "police", "probation", "privacy_officer", "region_analyst")
    assert {r: len(by_role[r]) for r in single} == dict.fromkeys(single, 1)


def test_region_is_derived_from_the_municipality(dev_registry):
    """A municipality's region comes from its CBS code (Hilversum -> Gooi en Vechtstreek, Maastricht -> M-H)."""
    assert dev_registry.find_municipal("municipal_social", "GM0402").region == "gooi-en-vechtstreek"
    assert dev_registry.find_municipal("municipal_security", "GM0935").region == "maastricht-heuvelland"
    assert dev_registry.by_oin("00000009990000008000").client_id == "gm0402-social"


def _registry_with(tmp_path: Path, client_id: str, change) -> Path:
    """A copy of the development registry with one file changed by `change(entry)` (returns the new entry)."""
    folder = tmp_path / "registry"
    shutil.copytree(REGISTRY, folder)
    path = folder / f"{client_id}.json"
    path.write_text(json.dumps(change(json.loads(path.read_text()))))
    return folder


def _public_jwk(client_id: str) -> dict:
    return json.loads((ROOT / "certs" / "dev" / "partners" / f"{client_id}.jwks.json").read_text())["keys"][0]


def _private_jwk(client_id: str) -> dict:
    key = RSAKey.import_key((ROOT / "certs" / "dev" / "partners" / f"{client_id}.key.pem").read_bytes())
    return key.as_dict(private=True)


INVALID = {
    "oin_not_20_digits": (lambda e: {**e, "oin": "12345"}, "oin"),
    "oin_with_letters": (lambda e: {**e, "oin": "0000000999000000800X"}, "oin"),
    "unknown_role": (lambda e: {**e, "role": "mayor"}, "role"),
    "unknown_cbs_code": (lambda e: {**e, "municipality": "GM9999"}, "municipality"),
    "malformed_cbs_code": (lambda e: {**e, "municipality": "0402"}, "municipality"),
    "municipal_role_without_municipality": (
        lambda e: {k: v for k, v in e.items() if k != "municipality"},
        "municipality",
    ),
    "region_contradicts_municipality": (lambda e: {**e, "region": "maastricht-heuvelland"}, "region"),
    "client_id_not_the_file_name": (lambda e: {**e, "client_id": "gm0402-sociaal"}, "client_id"),
    "unknown_field": (lambda e: {**e, "secret": "x"}, "secret"),
    "no_keys": (lambda e: {k: v for k, v in e.items() if k != "jwks_file"}, "(file)"),
    "both_key_sources": (lambda e: {**e, "jwks": {"keys": [_public_jwk("gm0402-social")]}}, "(file)"),
    "private_key_in_jwks": (
        lambda e: {
            **{k: v for k, v in e.items() if k != "jwks_file"},
            "jwks": {"keys": [_private_jwk("gm0402-social")]},
        },
        "jwks.keys.0",
    ),
    "symmetric_key_in_jwks": (
        lambda e: {
            **{k: v for k, v in e.items() if k != "jwks_file"},
            "jwks": {"keys": [{"kty": "oct", "k": "c2VjcmV0"}]},
        },
        "jwks.keys.0",
    ),
    "ec_key_in_jwks": (
        lambda e: {
            **{k: v for k, v in e.items() if k != "jwks_file"},
            "jwks": {"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]},
        },
        "jwks.keys.0.kty",
    ),
    "missing_jwks_file": (lambda e: {**e, "jwks_file": "certs/dev/partners/nope.jwks.json"}, "jwks_file"),
    "bad_thumbprint": (lambda e: {**e, "certificate_thumbprint": "abc"}, "certificate_thumbprint"),
}


@pytest.mark.parametrize("case", list(INVALID))
def test_invalid_registry_file_names_file_and_field(tmp_path, dev, case):
    """Each invalid entry is refused with an error naming gm0402-social.json and the offending field."""
    change, field = INVALID[case]
    folder = _registry_with(tmp_path, "gm0402-social", change)
    with pytest.raises(RegistryError) as error:
        load_registry(folder, dev)
    assert error.value.file.endswith("gm0402-social.json")
    assert error.value.field == field
    assert "gm0402-social.json" in str(error.value) and field in str(error.value)


def test_privacy_officer_without_region_is_refused(tmp_path, dev):
    """A privacy_officer entry without a region is refused (H5): an officer sees only its own region's log."""
    folder = _registry_with(tmp_path, "fg-gooi-en-vechtstreek", lambda e: {k: v for k, v in e.items() if k != "region"})
    with pytest.raises(RegistryError) as error:
        load_registry(folder, dev)
    assert error.value.file.endswith("fg-gooi-en-vechtstreek.json") and error.value.field == "region"


def test_inline_public_jwks_is_accepted(tmp_path, dev):
    """A registry file may carry its public JWKS inline instead of a jwks_file."""
    folder = _registry_with(
        tmp_path,
        "gm0402-social",
        lambda e: {
            **{k: v for k, v in e.items() if k != "jwks_file"},
            "jwks": {"keys": [_public_jwk("gm0402-social")]},
        },
    )
    keys = load_registry(folder, dev).public_keys("gm0402-social")
    assert keys.keys[0].kid == _public_jwk("gm0402-social")["kid"]


def test_duplicate_oin_is_refused(tmp_path, dev):
    """Two partners with the same OIN: the second file is named, field oin."""
    folder = _registry_with(tmp_path, "gm0402-social", lambda e: {**e, "oin": "00000009990000001000"})
    with pytest.raises(RegistryError) as error:
        load_registry(folder, dev)
    assert error.value.field == "oin"
    assert "00000009990000001000" in str(error.value)


def test_unreadable_json_names_the_file(tmp_path, dev):
    """A file that is not JSON is refused, naming the file."""
    folder = tmp_path / "registry"
    shutil.copytree(REGISTRY, folder)
    (folder / "gm0402-social.json").write_text("{not json")
    with pytest.raises(RegistryError, match="gm0402-social.json"):
        load_registry(folder, dev)


def test_development_keys_are_refused_outside_development():
    """Outside HUB_ENV=dev a jwks_file under certs/dev is refused, naming the file and jwks_file."""
    production = Settings(env="production", database_url="sqlite://")
    with pytest.raises(RegistryError) as error:
        load_registry(REGISTRY, production)
    assert error.value.field == "jwks_file"
    assert "certs/dev" in str(error.value)


def test_empty_registry_is_refused(tmp_path, dev):
    """A registry folder without partner files is refused."""
    with pytest.raises(RegistryError, match="no partner files"):
        load_registry(tmp_path, dev)


def test_hub_does_not_start_with_an_invalid_registry(tmp_path, settings):
    """create_app fails at start-up on an invalid registry, with the file and field in the message."""
    folder = _registry_with(tmp_path, "gm0402-social", lambda e: {**e, "role": "mayor"})
    with pytest.raises(RegistryError, match=r"gm0402-social\.json: role"):
        create_app(settings.model_copy(update={"partner_registry_dir": folder}))


def test_registry_is_on_app_state_and_reported_ready(client):
    """The loaded registry is app.state.registry and /health/ready reports it."""
    assert len(client.app.state.registry) == 23
    assert client.get("/health/ready").json()["checks"]["registry"] is True
