"""Board and donor packs: every kind in English and French, by their text, fonts, pages and charts.

One warm Kaleido renderer serves the whole module. Pages of each kind are written as PNG to
test-artifacts/packs/ (not committed) for a person to look at.
"""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

pypdf = pytest.importorskip("pypdf")
import ibcr_data  # noqa: E402
import ibcr_report  # noqa: E402
from ibcr_report import render  # noqa: E402
from ibcr_ui import packs as ui_packs  # noqa: E402
from ibcr_updates import Store  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts" / "packs"
NNBSP = "\u202f"
KEYS = {"organisation": None, "country": "BFA", "programme": "prodef", "funder": "Global Affairs Canada"}
pytestmark = pytest.mark.skipif(render.chromium_path() is None, reason="no Chromium to draw the charts")


@pytest.fixture(scope="module")
def no_network():
    """Refuse any connection off this machine made from Python while the packs are built."""
    real = socket.socket.connect

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and "/" not in host:
            raise OSError(f"network is off in these tests: connect to {host}")
        return real(self, address)

    socket.socket.connect = connect
    yield
    socket.socket.connect = real


@pytest.fixture(scope="module")
def ds():
    return ibcr_data.load_dataset()


@pytest.fixture(scope="module")
def packs(ds, no_network):
    """Every kind in both languages, made with one renderer; (kind, lang) -> (bytes, text)."""
    out = {}
    for kind, key in KEYS.items():
        for lang in ("en", "fr"):
            pdf = ibcr_report.build(ds, kind, key, lang=lang)
            out[kind, lang] = (pdf, "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    return out


def test_the_renderer_fetches_nothing(packs):
    r = ibcr_report.renderer()
    assert r.started
    assert r.options["mathjax"] is False
    assert r.options["path"] == render.chromium_path()
    assert render.TOPOJSON_URI.startswith("file://") and render.TOPOJSON_URI.endswith("/static/")
    assert (render.STATIC / "world_110m.json").is_file()


@pytest.mark.parametrize("kind", list(KEYS))
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_pack_is_an_a4_tagged_pdf_with_fonts_embedded_and_vector_charts(packs, kind, lang):
    pdf, _ = packs[kind, lang]
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert 5 <= len(reader.pages) <= 60
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == lang
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert reader.metadata.title and "IBCR" in (reader.metadata.author or "")
    fonts = _fonts(reader)
    assert fonts and all(embedded for _, embedded in fonts), fonts
    assert all("SourceSans3" in name or "DejaVu" in name or "Libertinus" in name for name, _ in fonts), fonts
    assert b"/Alt" in pdf  # every chart carries its alt text
    # Vector charts: the pages draw paths (no raster image is needed for a chart).
    drawn = sum(len(p.get_contents().get_data()) for p in reader.pages if p.get_contents() is not None)
    assert drawn > 50_000


def _fonts(reader) -> list[tuple[str, bool]]:
    seen = {}
    for page in reader.pages:
        res = page.get("/Resources") or {}
        for font in (res.get("/Font") or {}).values():
            font = font.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            if desc is None:
                continue
            desc = desc.get_object()
            seen[str(font.get("/BaseFont"))] = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    return list(seen.items())


def test_english_packs_name_their_figures_with_sources_and_say_what_they_are(packs):
    _, text = packs["organisation", "en"]
    for words in ("IBCR's work worldwide", "Headline figures", "Professionals trained", "Source:", "Confidence:",
                  "not an audited report", "Where sources disagree", "Sources", "Made by the IBCR dashboard",
                  "Borders and names", "Natural Earth", "Burkina Faso", "Timeline", "Engagements"):
        assert words in text, words
    assert "64,300" in text  # the dashboard's number format
    assert "Other figures" in text or "other figure" in text
    _, country = packs["country", "en"]
    assert "Burkina Faso" in country and "West Africa" in country
    _, funder = packs["funder", "en"]
    assert "Work funded by Global Affairs Canada" in funder
    _, programme = packs["programme", "en"]
    assert "PRODEF" in programme


def test_french_packs_use_french_words_numbers_and_typography(packs):
    _, text = packs["organisation", "fr"]
    for words in ("L'action de l'IBCR dans le monde", "Chiffres clés", "Sources", "non un rapport audité",
                  "Quand les sources divergent"):
        assert words in text, words
    assert f"Source{NNBSP}:" in text and f"Confiance{NNBSP}:" in text
    assert " :" not in text.replace(NNBSP + ":", "")  # no plain space before a colon
    assert re.search("64[ \u00a0\u202f]300", text) and "64,300" not in text  # French thousands
    _, funder = packs["funder", "fr"]
    assert "Affaires mondiales Canada" in funder  # the funder's official French name
    _, country = packs["country", "fr"]
    assert f"Burkina Faso{NNBSP}: l'action de l'IBCR" in country


def test_a_gap_is_a_gap_and_an_estimate_says_so(packs):
    _, text = packs["organisation", "en"]
    assert "estimate" in text.lower()
    assert " 0 " not in text.split("Reported by IBCR's sources")[1].split("Where the work is")[0]


def test_changes_since_a_version_name_the_changed_record(ds, tmp_path, no_network):
    store = Store.open(tmp_path / "store", create=True, seed=ds.data_dir)
    edited = tmp_path / "edit"
    shutil.copytree(store.path("v1"), edited)
    csv = edited / "engagements.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    eng = ds.engagements
    target = eng[(eng["country_iso3"] == "BFA") & (eng["status_code"] == "ongoing")].iloc[0]
    i = next(n for n, line in enumerate(lines) if line.startswith(target["engagement_id"] + ","))
    lines[i] = lines[i].replace(",ongoing,", ",completed,", 1)
    csv.write_text("".join(lines), encoding="utf-8")
    store.accept(edited, base="v1", who="test", note="BFA project completed")
    store.name("v1", "Board meeting 2026-11", who="test")
    current = store.load("current")
    assert current.version == "v2"
    pdf = ibcr_report.build(current, "country", "BFA", lang="en", since="Board meeting 2026-11", store=store)
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Changes since v1 (Board meeting 2026-11)" in text
    assert target["engagement_id"] in text.split("Changes since")[-1]
    assert "v2 of" in text
    with pytest.raises(ibcr_report.PackError, match="no version"):
        ibcr_report.build(current, "organisation", None, since="v9", store=store)


def test_errors_are_messages(ds):
    for kind, key, words in (("country", "XYZ", "unknown country code"), ("programme", "nope", "unknown programme"),
                             ("funder", "Nobody", "no work is recorded for the funder"),
                             ("poster", None, "unknown kind")):
        with pytest.raises(ibcr_report.PackError, match=words):
            ibcr_report.build(ds, kind, key)


def test_the_cli_exits_2_with_a_message(tmp_path):
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-m", "ibcr_report", "country", "XYZ", "-o",
                          str(tmp_path / "x.pdf")], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert run.returncode == 2
    assert "unknown country code 'XYZ'" in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_pages_as_png_for_a_person_to_look_at(packs):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for (kind, lang), (pdf, _) in packs.items():
        path = ARTIFACTS / f"{kind}-{lang}.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "4", str(path), str(ARTIFACTS / f"{kind}-{lang}")],
                       check=True, capture_output=True, timeout=60)
    assert len(list(ARTIFACTS.glob("*.png"))) >= 8 * 4


def test_ibcr_report_never_imports_streamlit():
    code = "import sys, ibcr_report, ibcr_report.__main__; assert 'streamlit' not in sys.modules"
    subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", code], check=True, cwd=ROOT, timeout=60)


def test_the_dashboard_offers_the_languages_the_packs_are_written_in():
    assert ui_packs.PACK_LANGUAGES == ibcr_report.PACK_LANGUAGES
