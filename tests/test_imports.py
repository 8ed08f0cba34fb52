"""The import graph of `extract` has no cycle: every module, including imports placed inside
functions (they hide a cycle, they do not remove it); imports under `if TYPE_CHECKING:` are
for type checkers only and are left out."""
from __future__ import annotations

import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1] / "src" / "extract"

# Edges known to close a cycle, removed by a change on its way (delete the entry then).
KNOWN: set[tuple[str, str]] = set()


def _is_type_checking(node: ast.If) -> bool:
    t = node.test
    return (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or \
        (isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, modules: set[str]) -> set[str]:
    """The modules of the package that a module's code imports, at any depth."""
    out: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module:
                out.add(node.module.split(".")[0])
            elif node.level == 1:          # from . import values
                out.update(a.name for a in node.names)
            elif node.level == 0 and node.module and node.module.split(".")[0] == "extract":
                parts = node.module.split(".")
                out.add(parts[1] if len(parts) > 1 else "__init__")
        elif isinstance(node, ast.Import):
            for a in node.names:
                parts = a.name.split(".")
                if parts[0] == "extract" and len(parts) > 1:
                    out.add(parts[1])
        stack.extend(ast.iter_child_nodes(node))
    return out & modules


def import_graph(pkg: Path = PKG) -> dict[str, set[str]]:
    files = {p.stem: p for p in pkg.glob("*.py")}
    modules = set(files)
    return {m: _imports(ast.parse(p.read_text("utf-8")), modules) - {m} for m, p in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph as a path [a, b, ..., a], or None."""
    state: dict[str, int] = {}     # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return path[path.index(n):] + [n]
            if n not in state:
                found = visit(n)
                if found:
                    return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_the_checker_sees_imports_inside_functions_and_finds_a_cycle(tmp_path):
    (tmp_path / "a.py").write_text("from .b import x\n", "utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from . import c\n", "utf-8")
    (tmp_path / "c.py").write_text("import extract.a\n", "utf-8")
    (tmp_path / "d.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                   "    from .a import y\n", "utf-8")
    g = import_graph(tmp_path)
    assert g == {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert find_cycle(g) == ["a", "b", "c", "a"]
    g["c"] = set()
    assert find_cycle(g) is None


def test_no_import_cycle_inside_extract():
    g = import_graph()
    assert {"api", "sheet", "pipeline", "anchors", "criteria"} <= set(g)
    for a, b in KNOWN:
        g.get(a, set()).discard(b)
    assert find_cycle(g) is None, f"import cycle: {' -> '.join(find_cycle(g))}"


def _loaded_after(imports: str, modules: tuple[str, ...]) -> str:
    """Which of `modules` a fresh interpreter has loaded after `import <imports>`."""
    import subprocess
    import sys
    code = (f"import sys, {imports}\n"
            f"print(' '.join(m for m in {modules!r} if m in sys.modules))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={"PYTHONPATH": str(PKG.parent)})
    return r.stdout.strip()


def test_the_main_process_of_a_run_imports_no_reader():
    """`extract run`'s main process hashes, caches and writes: the PDF readers (pdfplumber,
    pdfminer, pypdfium2; numpy comes with pyarrow, for writing) load in the forkserver while it starts (workers.py), not
    in it too (half a second more before the first file, and on the cores the workers need)."""
    loaded = _loaded_after("extract.cli, extract.batch, extract.split, extract.tables",
                           ("pdfplumber", "pdfminer", "pypdfium2", "fugashi"))
    assert loaded == ""


def test_the_command_line_starts_before_the_engine_is_imported():
    """`extract run` starts its workers' server (which loads the extractor) first thing:
    the CLI module holds only argument parsing, so that start is not delayed by the
    rules and the engine (50 ms more on every run's critical path)."""
    loaded = _loaded_after("extract.cli", ("extract.rules", "extract.model", "extract.batch", "numpy"))
    assert loaded == ""


def test_a_worker_imports_no_writer():
    """A batch worker builds its file's rows (rows.py) and never writes tables: what the
    forkserver loads for the workers (_forkserver.py) holds no pyarrow nor pandas (a sixth
    of a second at each run's start, before the first file, and ~100 MB of address space
    per worker under --memory-limit)."""
    assert _loaded_after("extract._forkserver, extract.ranges", ("pyarrow", "pandas")) == ""


def test_a_pdfium_worker_loads_no_pdfplumber():
    """The pdfium reader shares with pdfplumber's only what pdf_common.py holds: what the
    forkserver loads for a pdfium run, and a pdfium read, import neither pdfplumber nor
    pdfminer's layout analysis (~20 ms more before the first file). A page pdfium leaves
    text out of still loads it (pdfium._read_unread)."""
    assert _loaded_after("extract._forkserver, extract.ranges",
                         ("pdfplumber", "pdfminer.layout", "extract.pdf", "extract.marked")) == ""
    sample = PKG.parents[1] / "samples" / "h28-fake-bold.pdf"
    read = f"extract.readers; extract.readers.read_pdf({str(sample)!r})"
    assert _loaded_after(read, ("pdfplumber", "pdfminer.layout")) == ""
    assert _loaded_after(f"extract.readers; extract.readers.read_pdf({str(sample)!r}, reader='pdfplumber')",
                         ("pdfplumber",)) == "pdfplumber"
    # a page left out by pdfium (None) is read with pdfplumber, imported then
    unread = f"extract.pdfium; assert extract.pdfium._read_unread({str(sample)!r}, None, 0, [None])[0].glyphs"
    assert _loaded_after(unread, ("pdfplumber",)) == "pdfplumber"
