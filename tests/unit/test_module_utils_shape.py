"""The shape of plugins/module_utils: the Terraform backend on its own, and no file too long to read."""

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
PLUGINS = ROOT / "plugins"
MODULE_UTILS = PLUGINS / "module_utils"
OURS = "ansible_collections.awsorg.landing_zone.plugins.module_utils"
TF_BACKEND = f"{OURS}.resources.tf_backend"

MAX_LINES = 500
# Data tables, long because of their data, not their logic.
LONG_DATA_TABLES = {"common/scp_library.py"}
# Over the limit while other work of issue 13 is under way (the inventory schema: a table of
# settings and the checks that read it, in one file for now); remove each once it is under MAX_LINES.
IN_PROGRESS = {"inventory/schema.py"}


def _imported_modules(path):
    """Every dotted module a file imports, ``from a.b import c`` giving both ``a.b`` and ``a.b.c``."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            for alias in node.names:
                yield f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name


def _importers_of(module, *directories):
    """The .py files under ``directories`` that import ``module``."""
    return sorted(path for directory in directories for path in directory.rglob("*.py")
                  if module in set(_imported_modules(path)))


def _is_own_test(relative):
    return relative.startswith(("tests/unit/test_tf_backend", "tests/integration/test_tf_backend"))


def test_only_the_tf_backend_module_imports_the_terraform_backend():
    importers = [str(path.relative_to(ROOT)) for path in _importers_of(TF_BACKEND, PLUGINS, ROOT / "tests")]
    assert "plugins/modules/tf_backend.py" in importers
    others = [p for p in importers if p != "plugins/modules/tf_backend.py" and not _is_own_test(p)]
    assert others == [], "the plan machinery is common/change_plan.py, the buckets resources/hardened_bucket.py"


def test_the_import_check_sees_every_form(tmp_path):
    forms = [
        f"from {TF_BACKEND} import Plan\n",
        f"from {OURS}.resources import tf_backend\n",
        f"import {TF_BACKEND}\n",
    ]
    for index, source in enumerate(forms):
        (tmp_path / f"f{index}.py").write_text(source)
    (tmp_path / "other.py").write_text(f"from {OURS}.resources import hardened_bucket\n")
    assert [path.name for path in _importers_of(TF_BACKEND, tmp_path)] == ["f0.py", "f1.py", "f2.py"]


def _line_counts():
    return {
        str(path.relative_to(MODULE_UTILS)): len(path.read_text().splitlines())
        for path in MODULE_UTILS.rglob("*.py")
    }


def test_no_module_utils_file_over_500_lines_except_data_tables():
    too_long = {name: lines for name, lines in _line_counts().items()
                if lines > MAX_LINES and name not in LONG_DATA_TABLES | IN_PROGRESS}
    assert too_long == {}, f"split these by what they do (docs/developing.md): {too_long}"


def test_the_data_tables_are_still_long():
    counts = _line_counts()
    for name in sorted(LONG_DATA_TABLES):
        assert name in counts, f"{name} is gone: drop it from the list"
        assert counts[name] > MAX_LINES, f"{name} has {counts[name]} lines now: drop it from the list"
