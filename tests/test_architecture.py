"""The house: one package per concern, no import loop anywhere, and the read side light enough for a notebook."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

PACKAGES = ("ibcr_data", "ibcr_updates", "ibcr_present", "ibcr_report", "ibcr_opendata", "ibcr_ui")
HEAVY = ("openpyxl", "python_calamine", "argon2", "streamlit", "plotly")


def module_names(root: Path, packages: tuple[str, ...]) -> dict[str, Path]:
    """Every module of the packages under `root`: dotted name -> file."""
    out = {}
    for pkg in packages:
        for path in sorted((root / pkg).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            out[".".join(parts)] = path
    return out


def imports(root: Path, packages: tuple[str, ...]) -> dict[str, set[str]]:
    """Module -> the first-party modules it imports, wherever the import statement is (in a function too)."""
    modules = module_names(root, packages)
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if is_package else name.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = ".".join(here[: len(here) - node.level + 1] + ([node.module] if node.module else [])) \
                    if node.level else (node.module or "")
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            for t in targets:
                while t and t not in modules:  # `import a.b.c` of a name inside a module: its module
                    t = t.rpartition(".")[0]
                if t and t != name:
                    graph[name].add(t)
    return graph


def loops(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_first_party_module_imports_another_in_a_loop():
    assert loops(imports(ROOT, PACKAGES)) == []


def test_no_package_imports_another_in_a_loop():
    packages: dict[str, set[str]] = {}
    for module, targets in imports(ROOT, PACKAGES).items():
        top = module.split(".")[0]
        packages.setdefault(top, set()).update(t.split(".")[0] for t in targets if not t.startswith(top + ".")
                                               and t != top)
    assert loops(packages) == []


def test_the_loop_check_sees_a_loop_hidden_in_a_function(tmp_path):
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "load.py").write_text("def index():\n    from .precomputed import Index\n    return Index\n")
    (pkg / "precomputed.py").write_text("from demo.load import index\n\nclass Index: ...\n")
    (pkg / "other.py").write_text("import demo.load\n")
    assert loops(imports(tmp_path, ("demo",))) == [["demo.load", "demo.precomputed"]]


def test_the_packs_never_import_the_streamlit_package():
    graph = imports(ROOT, PACKAGES)
    reached, todo = set(), [m for m in graph if m.startswith("ibcr_report")]
    while todo:
        m = todo.pop()
        if m not in reached:
            reached.add(m)
            todo += graph[m]
    assert not [m for m in reached if m.startswith("ibcr_ui")]


READ_SIDE = """
import sys
import ibcr_data
ds = ibcr_data.load_dataset()
view = ibcr_data.apply_filters(ds, ibcr_data.Filters(regions=frozenset({"west_africa"})))
ibcr_data.headline_figures(ds, view, ds.as_of_year)
ibcr_data.engagements_per_country(ds, view)
ibcr_data.timeline_rows(ds, view)
ibcr_data.country_profile(ds, "BFA")
print(sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[1:])))
"""


def test_the_read_side_loads_no_ui_workbook_or_password_library():
    out = subprocess.run([sys.executable, "-c", READ_SIDE, *HEAVY], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize(("args", "printed"), [(["validate"], "valid"), (["summary"], "engagements"),
                                               (["--store", "{store}", "history"], "The data as shipped")])
def test_the_old_command_line_still_works_and_says_where_it_moved(args, printed, tmp_path):
    empty = tmp_path / "empty"  # an empty store folder: the bundled data, until a first version is written
    empty.mkdir()
    store = tmp_path / "store"
    subprocess.run([sys.executable, "-m", "ibcr_updates", "--store", str(store), "template", str(tmp_path / "t.xlsx")],
                   check=True, capture_output=True, cwd=ROOT)  # creates the store, seeded with data/
    args = [a.replace("{store}", str(store)) for a in args]
    command = next(a for a in args if not a.startswith("-") and a != str(store))
    out = subprocess.run([sys.executable, "-m", "ibcr_data", *args], capture_output=True, text=True, cwd=ROOT,
                         env={"PATH": "", "IBCR_DATA_DIR": str(empty)})
    assert out.returncode == 0, out.stderr
    assert f"python -m ibcr_updates {command}" in out.stderr  # the alias says so, then hands over
    assert printed in out.stdout


def test_the_read_side_checks_any_folder_itself(tmp_path):
    out = subprocess.run([sys.executable, "-m", "ibcr_data", "validate", str(ROOT / "data")], capture_output=True,
                         text=True, cwd=ROOT)
    assert out.returncode == 0 and "valid" in out.stdout and "ibcr_updates" not in out.stderr
