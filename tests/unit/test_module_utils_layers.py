"""plugins/module_utils is layered; imports go one way only (docs/developing.md draws it)."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
OURS = "ansible_collections.awsorg.landing_zone.plugins.module_utils"

# What each layer (or plugin type) may import from module_utils.
ALLOWED = {
    "common": {"common"},
    "aws": {"common", "aws"},
    "batch": {"common", "aws", "batch"},
    "resources": {"common", "aws", "batch", "resources"},
    "inventory": {"common", "inventory"},
    "modules": {"common", "batch", "resources"},
    "action": {"common", "inventory"},
    "filter": {"common", "inventory"},
    "lookup": {"common", "inventory"},
    "callback": {"common", "inventory"},
    # The dynamic inventory reads the organization itself.
    "inventory_plugin": {"common", "aws", "inventory"},
}


def _layer_of(path):
    relative = path.relative_to(PLUGINS).parts
    if relative[0] == "module_utils":
        return relative[1]
    return "inventory_plugin" if relative[0] == "inventory" else relative[0]


def _imported_layers(path):
    """The module_utils layers a file imports, with the line of each import."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            if name.startswith(OURS + "."):
                yield name[len(OURS) + 1:].split(".")[0], node.lineno
                break


def _python_files():
    return sorted(p for p in PLUGINS.rglob("*.py") if p.name != "__init__.py" and _layer_of(p) in ALLOWED)


def test_every_module_utils_file_sits_in_a_layer():
    loose = [p.name for p in (PLUGINS / "module_utils").glob("*.py") if p.name != "__init__.py"]
    assert loose == []
    layers = {p.name for p in (PLUGINS / "module_utils").iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert layers == {"common", "aws", "batch", "resources", "inventory"}


@pytest.mark.parametrize("path", _python_files(), ids=lambda p: str(p.relative_to(PLUGINS)))
def test_imports_point_down_the_layers(path):
    layer = _layer_of(path)
    upward = [f"line {line}: {target}" for target, line in _imported_layers(path) if target not in ALLOWED[layer]]
    assert upward == [], f"{layer} may import only {sorted(ALLOWED[layer])}"


def test_the_check_sees_an_upward_import(tmp_path):
    sample = PLUGINS / "module_utils" / "common" / "ou_paths.py"
    lines = list(_imported_layers(sample))
    assert all(target == "common" for target, _line in lines)
    source = f"from {OURS}.resources.org_account import run\n"
    (tmp_path / "x.py").write_text(source)
    assert [t for t, _l in _imported_layers(tmp_path / "x.py")] == ["resources"]
