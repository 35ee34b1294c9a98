"""The package is layered: core → indicators → report → tools. Each layer imports only the ones before it,
and each chapter notebook is backed by one chapter module of the same name."""

import ast
from pathlib import Path

from qzanalysis.core.paths import NOTEBOOK_DIR, PACKAGE_DIR

LAYERS = {"core": 1, "indicators": 2, "report": 3, "tools": 4}


def imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level:  # relative imports would hide the layer; the package uses absolute ones
                found.append((node.lineno, "." * node.level + node.module))
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
    return found


def test_no_import_from_a_higher_layer():
    violations = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        layer_name = path.relative_to(PACKAGE_DIR).parts[0]
        # the package's own __init__ is the public facade over the data core (load_year, YearData)
        own = LAYERS["core"] if path == PACKAGE_DIR / "__init__.py" else LAYERS.get(layer_name)
        for line, module in imported_modules(path):
            if module.startswith("."):
                violations.append(f"{path.relative_to(PACKAGE_DIR)}:{line} 相对导入 {module}")
                continue
            parts = module.split(".")
            if parts[0] != "qzanalysis" or len(parts) < 2 or parts[1] not in LAYERS:
                continue
            if own is None or LAYERS[parts[1]] > own:
                violations.append(f"{path.relative_to(PACKAGE_DIR)}:{line} imports {module}")
    assert not violations, "\n".join(violations)


def test_every_package_module_sits_in_a_layer():
    top = {
        p.name
        for p in PACKAGE_DIR.iterdir()
        if p.suffix == ".py" or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert top == {"__init__.py", *LAYERS}


def test_each_notebook_has_a_chapter_module_of_the_same_name():
    chapters = PACKAGE_DIR / "report" / "chapters"
    notebooks = {p.stem for p in NOTEBOOK_DIR.glob("ch*.ipynb")}
    modules = {p.stem for p in chapters.glob("ch*.py")}
    assert notebooks == modules


def test_the_outline_declares_every_notebook_once():
    from qzanalysis.core.outline import chapters

    declared = [c.notebook for c in chapters()]
    assert len(declared) == len(set(declared))
    assert set(declared) == {p.stem for p in NOTEBOOK_DIR.glob("ch*.ipynb")}
    assert [c.number for c in chapters() if not c.is_appendix] == list(range(1, 10))
