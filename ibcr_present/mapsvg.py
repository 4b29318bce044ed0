"""The world map of the Overview and the Map page as an SVG drawn on the server (no Streamlit).

Why not Plotly here: a Plotly map makes the browser fetch and start Plotly (4.6 MB) and draw the
geo layers after the page has arrived. This map is plain vector markup, drawn as the page's HTML
arrives. Each engaged country is a link to its profile with its name and counts as a tooltip
(`<title>`) and an accessible name, reachable with the Tab key. It is coloured by main kind of
work, status or number of engagements, with a legend in words; a view narrowed to a place is
framed to it.

The geometry is the same file the Plotly maps use (static/world_110m.json, Natural Earth 1:110m),
read with geopandas and projected once per process (Natural Earth projection, latitudes 58°S to
85°N, as on the Plotly maps).
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

import pandas as pd

from ibcr_data.kept import kept

from .svgparts import Key, escape, legend, link
from .theme import KIND_COLOURS, LAND, STATUS_COLOURS, VENUE_COLOUR

GEOMETRY = Path(__file__).resolve().parent.parent / "static" / "world_110m.json"  # as the Plotly maps
WIDTH = 1000.0  # the SVG's own units; it scales to the width of the page
LAT_RANGE = (-58.0, 85.0)
PROJECTION = "+proj=natearth +lon_0=0 +datum=WGS84 +units=m +no_defs"
SIMPLIFY = 0.4  # in SVG units (1/2,500 of the map's width): invisible at any page width, 40 % fewer points
MODES = ("kind", "status", "count")
# Engagement counts, from few to many: light to dark blue, each step distinct for colour-blind readers;
# the legend says each class in numbers, and the tooltips give each country's own count.
COUNT_COLOURS = ("#9ECAE1", "#4A98C9", "#1F65A8", "#0B2E5E")
RING = 3.5  # the focus ring, in SVG units on the world map (about 2.5 px on a desktop page)
NONE_COUNTED = "#C3CBD6"  # a country whose work in view is all part of larger work counted with its whole


@dataclass(frozen=True)
class Geometry:
    paths: dict[str, str]  # ISO3 -> SVG path data
    boxes: dict[str, tuple[float, float, float, float]]  # ISO3 -> (x0, y0, x1, y1) in SVG units
    height: float
    points: dict[str, tuple[float, float]]  # ISO3 -> a country's centre point, in SVG units


class GeometryError(RuntimeError):
    """The outlines could not be projected (the page then draws the Plotly map instead)."""


Points = tuple[tuple[str, float, float], ...]  # (ISO3, longitude, latitude) of each country's centre


@lru_cache(maxsize=4)
def geometry(points: Points = ()) -> Geometry:
    """Every country's outline as SVG path data, and the centre points, projected once per process.

    NOTE: the projection runs in a short-lived child process, and its result is kept on disk for
    the next server (about 0.9 s of a cold start). geopandas, shapely, pyproj and
    GDAL add about 50 MB to a process that imports them, for a job of a tenth of a second done
    once; a server that keeps them would hold those 50 MB for good.
    """
    given = json.dumps(points)
    out = kept("geometry", _digest(given), lambda: _project_in_child(given), lambda o: json.dumps(o).encode(),
               json.loads)  # a server started again reads what the last one projected (ibcr_data.kept)
    return Geometry(out["paths"], {k: tuple(v) for k, v in out["boxes"].items()}, out["height"],
                    {k: tuple(v) for k, v in out["points"].items()})


def _project_in_child(given: str) -> dict:
    run = subprocess.run([sys.executable, "-m", __name__], input=given, capture_output=True, text=True, timeout=120,
                         check=False)
    if run.returncode != 0:
        raise GeometryError(run.stderr.strip().splitlines()[-1] if run.stderr.strip() else "no output")
    return json.loads(run.stdout)


def _digest(given: str) -> str:
    """What a projection is made from: the points, the outlines file, this module and the libraries' versions."""
    h = hashlib.sha256(given.encode() + GEOMETRY.read_bytes() + Path(__file__).read_bytes())
    for lib in ("geopandas", "shapely", "pyproj"):
        h.update(f"|{lib} {metadata.version(lib)}".encode())
    return h.hexdigest()[:32]


def project(points: Points) -> dict:
    """The outlines and points in SVG units, as JSON-ready values (what the child process prints)."""
    import geopandas as gpd  # noqa: PLC0415  (in the child process only: see geometry)
    import shapely
    from pyproj import Transformer

    world = gpd.read_file(GEOMETRY, layer="countries").set_crs(4326, allow_override=True)
    world = world[world["id"].str.fullmatch(r"[A-Z]{3}") & (world["id"] != "ATA")]
    whole = [_split_at_antimeridian(g) for g in world.geometry.values]
    clipped = shapely.clip_by_rect(whole, -180.0, LAT_RANGE[0], 180.0, LAT_RANGE[1])
    projected = gpd.GeoSeries(clipped, crs=4326).to_crs(PROJECTION)
    x0, _, x1, _ = projected.total_bounds
    full = gpd.GeoSeries(shapely.box(-180.0, LAT_RANGE[0], 180.0, LAT_RANGE[1]).segmentize(1.0), crs=4326)
    _, fy0, _, fy1 = full.to_crs(PROJECTION).total_bounds
    scale = WIDTH / (x1 - x0)
    shapes = shapely.simplify(shapely.transform(projected.values, lambda xy: _scaled(xy, x0, fy1, scale)), SIMPLIFY)
    paths, boxes = {}, {}
    for iso3, shape in zip(world["id"], shapes):
        if shape is None or shape.is_empty:
            continue
        paths[iso3] = _path(shape)
        boxes[iso3] = [round(v, 1) for v in shape.bounds]
    transformer = Transformer.from_crs(4326, PROJECTION, always_xy=True)
    centres = {}
    for iso3, lon, lat in points:
        x, y = transformer.transform(lon, lat)
        centres[iso3] = [round((x - x0) * scale, 1), round((fy1 - y) * scale, 1)]
    return {"paths": paths, "boxes": boxes, "height": round((fy1 - fy0) * scale, 1), "points": centres}


def _split_at_antimeridian(shape):
    """Polygons that cross 180° (Fiji, the east of Russia) as two parts, one on each edge of the map.

    The file stores them as rings that jump from +180 to -180; drawn as they are, they become
    bands across the whole width.
    """
    import shapely.affinity  # noqa: PLC0415

    parts = []
    for polygon in getattr(shape, "geoms", [shape]):
        x0, _, x1, _ = polygon.bounds
        if x1 - x0 <= 180:
            parts.append(polygon)
            continue
        east = shapely.transform(polygon, lambda xy: xy + [[360.0, 0.0]] * (xy[:, :1] < 0))
        parts.append(shapely.clip_by_rect(east, 0.0, -90.0, 180.0, 90.0))
        parts.append(shapely.affinity.translate(shapely.clip_by_rect(east, 180.0, -90.0, 540.0, 90.0), -360.0))
    return shapely.union_all(parts)


def _scaled(xy, x0: float, y1: float, scale: float):
    out = xy.copy()
    out[:, 0] = (xy[:, 0] - x0) * scale
    out[:, 1] = (y1 - xy[:, 1]) * scale
    return out


def _path(shape) -> str:
    """SVG path data of a (multi)polygon: one closed sub-path per ring, in relative steps of 0.1 unit.

    Relative steps on a 0.1 grid are a third the size of absolute coordinates, and exact: the
    rounding is done once on the grid, so the steps add up to the grid points.
    """
    parts = []
    for polygon in getattr(shape, "geoms", [shape]):
        for ring in (polygon.exterior, *polygon.interiors):
            grid = [(round(x * 10), round(y * 10)) for x, y in ring.coords[:-1]]
            steps = [f"{(x - px) / 10:g} {(y - py) / 10:g}" for (px, py), (x, y) in zip(grid, grid[1:])
                     if (x, y) != (px, py)]
            if len(steps) >= 2:
                parts.append(f"M{grid[0][0] / 10:g} {grid[0][1] / 10:g}l" + " ".join(steps) + "z")
    return "".join(parts)


@dataclass(frozen=True)
class SvgMapLabels:
    """Words on the map: its accessible name, a legend name per code, the venue name.

    `legend_title` heads the legend (what the colours say); `count_range(low, high)` names a class of
    engagement counts (`high` None: "low or more"), for the map coloured by count.
    """

    title: str
    categories: Mapping[str, str]
    venue: str
    legend_title: str = ""
    count_range: Callable[[int, int | None], str] | None = None


def count_classes(counts: Sequence[int]) -> list[tuple[int, int | None]]:
    """Up to four classes of engagement counts with round bounds, as (low, high); the last is open (high None).

    The lower bounds are 1 and the median, the upper quartile and the top decile of the counts, rounded
    down to two significant digits, so each colour holds a fair share of the countries whatever the
    data's size.
    """
    values = sorted(int(c) for c in counts if c and c > 0)
    if not values:
        return []
    lows = {1}
    for q in (0.5, 0.75, 0.9):
        value = values[min(len(values) - 1, int(q * len(values)))]
        step = 10 ** max(0, len(str(value)) - 2)  # two significant digits: 7, 37, 150, 1,200
        lows.add(value // step * step)
    lows = sorted(lows)
    return [(lo, hi - 1) for lo, hi in zip(lows, lows[1:])] + [(lows[-1], None)]


def _count_class(count: int, classes: list[tuple[int, int | None]]) -> int:
    return max(i for i, (lo, _) in enumerate(classes) if count >= lo)


def world_map_svg(per_country: pd.DataFrame, mode: str, tooltips: Mapping[str, str], hrefs: Mapping[str, str],
                  names: Mapping[str, str], labels: SvgMapLabels, points: pd.DataFrame,
                  zoom_to_data: bool = False) -> str:
    """The map of where IBCR works, coloured by main kind of work, status or count, as HTML markup.

    `tooltips` are plain text (escaped here), `hrefs` the address of each country's profile.
    NOTE: the result is one line of markup in which every text is escaped: Streamlit draws it
    with `st.markdown(..., unsafe_allow_html=True)` (st.html's sanitiser removes all SVG), and
    Markdown leaves an HTML block alone only up to its first blank line.
    Countries that were only a venue are pale with a diamond, whatever the colouring; an engaged
    country too small for the 1:110m outlines is drawn as a dot at its centre. `zoom_to_data`
    frames the countries drawn (a view narrowed to a region) instead of the whole world.
    """
    if mode not in MODES:
        raise ValueError(f"unknown map mode {mode!r}")
    geo = geometry(tuple(zip(points["country_iso3"], points["lon"].astype(float), points["lat"].astype(float))))
    fill_of, keys = _colouring(per_country, mode, labels)
    links, boxes = [], []
    for row in per_country.itertuples(index=False):
        iso3 = row.country_iso3
        venue = bool(row.is_venue_only)
        fill = VENUE_COLOUR if venue else fill_of(row)
        shape = ""
        if iso3 in geo.paths:
            shape = f'<path d="{geo.paths[iso3]}" fill="{fill}"/>'
            boxes.append(geo.boxes[iso3])
        if (venue or iso3 not in geo.paths) and iso3 in geo.points:
            x, y = geo.points[iso3]
            shape += (f'<path class="ibcr-mark" d="M{x:.1f} {y - 5:.1f}l5 5-5 5-5-5z"/>' if venue
                      else f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{fill}"/>')
            boxes.append((x - 5, y - 5, x + 5, y + 5))
        if not shape:
            continue
        name = names.get(iso3, iso3)
        tip = tooltips.get(iso3, name)
        links.append(link(hrefs[iso3], tip, shape, "ibcr-country"))
    if bool(per_country["is_venue_only"].any()):
        keys.append(Key(labels.venue, VENUE_COLOUR))
    box = _view_box(boxes, geo) if zoom_to_data and boxes else (0.0, 0.0, WIDTH, geo.height)
    shown = set(per_country["country_iso3"])
    # The other countries as land, those out of the frame left out (a region's map is then a third the size).
    land = "".join(d for iso3, d in geo.paths.items() if iso3 not in shown and _overlaps(geo.boxes[iso3], box))
    view = " ".join(f"{v:.1f}" for v in box)
    # The focus ring's width in SVG units, so that it looks alike on the world and on a region.
    # NOTE: Chromium rounds an outline to whole units before scaling: at least 1 (4 px when framed closest).
    ring = f"--ibcr-ring:{max(1.0, RING * box[2] / WIDTH):.1f}px"
    return (f'<figure class="ibcr-map-figure"><svg class="ibcr-map" viewBox="{view}" style="{ring}" role="group" '
            f'aria-label="{escape(labels.title)}" xmlns="http://www.w3.org/2000/svg">'
            f'<path class="ibcr-land" d="{land}"/>{"".join(links)}</svg>'
            f'{legend(keys, labels.legend_title)}</figure>')


def _colouring(per_country: pd.DataFrame, mode: str, labels: SvgMapLabels):
    """The fill of a country's row, and the legend's keys (words, colour) of the colours used, venues aside."""
    work = per_country[~per_country["is_venue_only"].astype(bool)]
    if mode == "count":
        classes = count_classes(work["engagement_count"].tolist())
        top = len(COUNT_COLOURS) - 1  # fewer classes: colours spread from light to dark, one class mid-blue
        colours = [COUNT_COLOURS[round(i * top / (len(classes) - 1)) if len(classes) > 1 else 1]
                   for i in range(len(classes))]
        name = labels.count_range or (lambda lo, hi: f"{lo}–{hi}" if hi else f"{lo}+")
        used = sorted({_count_class(int(c), classes) for c in work["engagement_count"] if c > 0})
        keys = [Key(name(*classes[i]), colours[i]) for i in used]
        if bool((work["engagement_count"] == 0).any()):
            keys.insert(0, Key(name(0, 0), NONE_COUNTED))
        return ((lambda row: colours[_count_class(int(row.engagement_count), classes)] if row.engagement_count > 0
                 else NONE_COUNTED), keys)
    column, colours = ("main_kind_code", KIND_COLOURS) if mode == "kind" else ("status_code", STATUS_COLOURS)
    used = set(work[column])
    return ((lambda row: colours.get(getattr(row, column), LAND)),
            [Key(labels.categories.get(code, code), colour) for code, colour in colours.items() if code in used])


def _overlaps(bounds: tuple[float, float, float, float], view: tuple[float, float, float, float]) -> bool:
    x0, y0, x1, y1 = bounds
    vx, vy, vw, vh = view
    return x1 >= vx and x0 <= vx + vw and y1 >= vy and y0 <= vy + vh


def _view_box(boxes, geo: Geometry) -> tuple[float, float, float, float]:
    """The drawn countries with a margin, never narrower than a fifth of the world, in the map's ratio."""
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    ratio = geo.height / WIDTH
    w = max((x1 - x0) * 1.15, (y1 - y0) * 1.15 / ratio, WIDTH / 5)
    h = w * ratio
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return cx - w / 2, cy - h / 2, w, h


if __name__ == "__main__":  # the child process of geometry(): points as JSON in, outlines as JSON out
    print(json.dumps(project(tuple(tuple(p) for p in json.load(sys.stdin)))))
