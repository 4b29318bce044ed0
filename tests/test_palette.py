"""Colours that people with common colour-vision deficiencies can tell apart (simulated with colorspacious).

The simulation is Machado et al. (2009) at full severity; distances are CIECAM02-UCS ΔE, where
about 10 reads as clearly different and about 5 as just different side by side.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from ibcr_present.theme import KIND_COLOURS, LAND, STATUS_COLOURS, VENUE_COLOUR

SIGHT = (None, "deuteranomaly", "protanomaly", "tritanomaly")


def _rgb(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) / 255 for i in (0, 2, 4)])


def _seen(hex_colour: str, cvd: str | None) -> np.ndarray:
    rgb = _rgb(hex_colour)
    if cvd is None:
        return rgb
    return np.clip(cspace_convert(rgb, {"name": "sRGB1+CVD", "cvd_type": cvd, "severity": 100}, "sRGB1"), 0, 1)


def _closest(colours: dict[str, str], cvd: str | None) -> tuple[float, str, str]:
    return min((float(deltaE(_seen(colours[a], cvd), _seen(colours[b], cvd), input_space="sRGB1")), a, b)
               for a, b in itertools.combinations(colours, 2))


@pytest.mark.parametrize("cvd", SIGHT)
def test_statuses_stay_clearly_apart(cvd):
    distance, a, b = _closest(STATUS_COLOURS, cvd)
    assert distance >= 10, f"{a} and {b} look alike for {cvd or 'typical'} vision (ΔE {distance:.1f})"


@pytest.mark.parametrize("cvd", SIGHT)
def test_kinds_of_work_stay_apart_from_each_other_and_from_the_land(cvd):
    # Eleven kinds cannot all be far apart for every deficiency; each kind is also named in the
    # legend, the hover and the table under every map, so colour never carries the meaning alone.
    distance, a, b = _closest(KIND_COLOURS, cvd)
    assert distance >= 6, f"{a} and {b} look alike for {cvd or 'typical'} vision (ΔE {distance:.1f})"
    for name, colour in {**KIND_COLOURS, "venue": VENUE_COLOUR}.items():
        gap = float(deltaE(_seen(colour, cvd), _seen(LAND, cvd), input_space="sRGB1"))
        assert gap >= 8, f"{name} fades into the land colour for {cvd or 'typical'} vision (ΔE {gap:.1f})"
