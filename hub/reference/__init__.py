"""Reference data: regions, their ZVH and municipalities (CBS codes)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_REGIONS_CSV = Path(__file__).with_name("regions.csv")


@dataclass(frozen=True, slots=True)
class Municipality:
    cbs_code: str
    name: str
    region: str


@lru_cache
def municipalities() -> dict[str, Municipality]:
    """All known municipalities, by CBS code."""
    with _REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        return {
            row["cbs_code"]: Municipality(row["cbs_code"], row["municipality"], row["region"])
            for row in csv.DictReader(handle)
        }


@lru_cache
def regions() -> dict[str, str]:
    """Region id -> the name of its ZVH."""
    with _REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["region"]: row["zvh"] for row in csv.DictReader(handle)}


def region_of(cbs_code: str) -> str | None:
    municipality = municipalities().get(cbs_code)
    return municipality.region if municipality else None


_PRISONS_CSV = Path(__file__).with_name("prisons.csv")


@lru_cache
def prison_regions() -> dict[str, str]:
    """DJI establishment (OIN, as in the partner registry) -> the region whose ZVH takes its cases when DJI does
    not know the municipality of origin (issue 16). The development file assigns PI Nieuwegein to Gooi en
    Vechtstreek; a real deployment lists the agreements of the regions with their establishments."""
    with _PRISONS_CSV.open(newline="", encoding="utf-8") as handle:
        return {row["oin"]: row["region"] for row in csv.DictReader(handle)}


def prison_region(oin: str) -> str | None:
    return prison_regions().get(oin)
