"""The mayor's mandate to the ZVH in the partner registry (`zvh_mandate`, issue 16)."""

from __future__ import annotations

import pytest

from hub.auth.registry import RegistryError, load_registry
from hub.config import Settings
from tests.auth.test_registry import _registry_with


def test_the_development_registry_records_the_mandates(dev_registry) -> None:
    """Hilversum and Gooise Meren mandated the ZVH Gooi en Vechtstreek; the other municipalities did not."""
    mandated = {p.municipality for p in dev_registry if p.municipality and dev_registry.zvh_mandated(p.municipality)}
    assert mandated == {"GM0402", "GM1942"}
    assert not dev_registry.zvh_mandated("GM0406") and not dev_registry.zvh_mandated("GM9999")


def test_a_mandate_on_a_social_domain_file_is_refused(tmp_path) -> None:
    """Only a security domain's file records the mayor's mandate; elsewhere it is an error naming the field."""
    folder = _registry_with(tmp_path, "gm0402-social", lambda e: {**e, "zvh_mandate": True})
    with pytest.raises(RegistryError) as error:
        load_registry(folder, Settings(env="dev"))
    assert error.value.file.endswith("gm0402-social.json") and error.value.field == "zvh_mandate"


def test_withdrawing_a_mandate_routes_to_the_municipality(tmp_path) -> None:
    folder = _registry_with(tmp_path, "gm0402-security", lambda e: {**e, "zvh_mandate": False})
    assert load_registry(folder, Settings(env="dev")).zvh_mandated("GM0402") is False
