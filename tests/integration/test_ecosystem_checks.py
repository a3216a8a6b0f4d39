"""The ecosystem's own checks on the whole collection (issue 16).

ansible-lint's production profile over the repository, and ansible-doc for
every plugin the collection ships, found from the plugin directories: a new
module, filter, lookup, inventory or action plugin without documentation
fails here.  No AWS: both tools read the files only.
"""

import functools
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
COLLECTION = "awsorg.landing_zone"
PLUGINS = REPO / "plugins"
# Directories of plugins/ that hold no plugin of their own: shared code and
# documentation fragments (rendered as part of the modules that use them).
NOT_PLUGINS = {"module_utils", "doc_fragments", "__pycache__"}
# ansible-doc's name for each plugin directory.  An action plugin has no
# documentation of its own: ansible-doc shows the module of the same name.
DOC_TYPES = {"modules": "module", "filter": "filter", "lookup": "lookup", "inventory": "inventory", "action": "module",
             "callback": "callback"}
# What the whole collection is: ansible-lint must judge all of it.
COLLECTION_PARTS = ["roles", "playbooks", "playbooks/awx", "playbooks/stages", "extensions/molecule", "inventories",
                    "changelogs", "meta", "plugins"]


def tool_env():
    """The repository's ansible.cfg (collections from .collections/), none of the caller's AWS or Ansible settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ANSIBLE_"))}
    env.update(PATH=str(VENV_BIN) + os.pathsep + env.get("PATH", ""), ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
               ANSIBLE_NOCOLOR="1", NO_COLOR="1", ANSIBLE_FORCE_COLOR="0")
    return env


def run(command, timeout):
    return subprocess.run(command, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=timeout,
                          check=False)


# --- ansible-lint ---------------------------------------------------------------


def test_lint_config_excludes_local_state_and_nothing_of_the_collection():
    config = yaml.safe_load((REPO / ".ansible-lint").read_text(encoding="utf-8"))
    assert config["profile"] == "production"
    excluded = [path.rstrip("/") for path in config.get("exclude_paths") or []]
    for local_state in (".venv", ".collections", ".demo", "tests/output", "bench/results"):
        assert local_state in excluded, local_state
    for part in COLLECTION_PARTS:
        assert (REPO / part).is_dir(), part
        covering = [path for path in excluded if part == path or part.startswith(path + "/")]
        assert not covering, f"{part} is excluded from ansible-lint by {covering}"


@pytest.mark.slow  # a minute and more: started first (tests/integration/conftest.py)
def test_ansible_lint_production_profile_passes_on_the_whole_collection():
    # One run from the repository root: no path arguments, so ansible-lint
    # finds every role, playbook, Molecule scenario, inventory, changelog and
    # meta file itself, with .ansible-lint's configuration.
    proc = run([str(VENV_BIN / "ansible-lint"), "--nocolor", "--profile", "production"], timeout=900)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-8000:]
    assert "Passed: 0 failure(s), 0 warning(s)" in output, output[-3000:]
    assert "Profile 'production' was required, and it passed" in output, output[-3000:]


# --- ansible-doc ----------------------------------------------------------------


# Imported in a fresh interpreter: in this one, a test run earlier in the same
# pytest worker may have installed Ansible's collection loader, which then
# refuses a plain import of the collection ("collection metadata was not loaded").
_FILTER_NAMES = """
import json, sys
sys.path[:0] = sys.argv[1:3]
from importlib import import_module
module = import_module("ansible_collections.awsorg.landing_zone.plugins.filter." + sys.argv[3])
print(json.dumps(sorted(module.FilterModule().filters())))
"""


def filter_names(path):
    """The filters a filter plugin file defines (its FilterModule), imported in a fresh interpreter."""
    proc = run([sys.executable, "-c", _FILTER_NAMES, str(REPO / ".collections"), str(REPO), path.stem], timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def plugin_names(directory):
    """Every plugin name of plugins/<directory>, from its files."""
    files = sorted(p for p in (PLUGINS / directory).glob("*.py") if p.name != "__init__.py")
    if directory == "filter":
        return [name for path in files for name in filter_names(path)]
    return [path.stem for path in files]


def plugin_directories():
    return sorted(p.name for p in PLUGINS.iterdir() if p.is_dir() and p.name not in NOT_PLUGINS)


def test_every_plugin_directory_is_one_ansible_doc_renders():
    unknown = [d for d in plugin_directories() if d not in DOC_TYPES]
    # (a test plugin directory would need its TestModule read, as filters are)
    assert not unknown, f"add the ansible-doc type of plugins/{unknown} to DOC_TYPES"


def test_every_action_plugin_has_its_module_documentation():
    modules = set(plugin_names("modules"))
    for action in plugin_names("action"):
        assert action in modules, f"action plugin {action} has no module {action} to carry its documentation"


def test_the_filters_are_found_in_the_plugin_files():
    # The discovery the rendering test relies on: every filter the roles use
    # is among them (a filter file whose FilterModule is not read would hide
    # its filters from the test below).
    names = set(plugin_names("filter"))
    assert {"account_target", "scp_targets", "batch_accounts", "group_role_grants", "group_members",
            "present_users", "sso_permission_set_options", "sso_assignment_matrix", "sso_profile_roles"} <= names


@functools.lru_cache(maxsize=None)
def doc_cases():
    cases = []
    for directory in sorted(DOC_TYPES):
        if (PLUGINS / directory).is_dir():
            cases += [(DOC_TYPES[directory], name) for name in plugin_names(directory)]
    cases += [("role", role.name) for role in sorted((REPO / "roles").iterdir()) if (role / "tasks").is_dir()]
    return tuple(sorted(set(cases)))


@pytest.mark.parametrize("doc_type", sorted(set(DOC_TYPES.values()) | {"role"}))
def test_ansible_doc_renders_every_plugin(doc_type):
    names = [name for kind, name in doc_cases() if kind == doc_type]
    if not names:
        pytest.skip(f"the collection has no {doc_type} plugin")
    fqcns = [f"{COLLECTION}.{name}" for name in names]
    # One ansible-doc run for every plugin of the type; it stops at the first
    # plugin it cannot document, and says which.
    proc = run([str(VENV_BIN / "ansible-doc"), "-t", doc_type, *fqcns], timeout=300)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output[-4000:]
    for problem in ("[ERROR]", "[WARNING]", "no documentation"):
        assert problem.lower() not in output.lower(), output[-4000:]
    # Every plugin rendered, under its own heading ("> MODULE awsorg...", "> ROLE: awsorg...").
    heading = "> ROLE:" if doc_type == "role" else f"> {doc_type.upper()}"
    # Without colour ansible-doc marks the role's name as *bold*.
    for fqcn in fqcns:
        rendered = re.search(rf"^{re.escape(heading)} \*?{re.escape(fqcn)}\*? \(", proc.stdout, re.MULTILINE)
        assert rendered, f"{fqcn} not rendered:\n{proc.stdout[-3000:]}"


# --- licence and collection tarball -------------------------------------------------


def test_the_licence_the_headers_name_is_there_and_galaxy_yml_agrees():
    headers = [path for path in REPO.glob("plugins/**/*.py") if "see COPYING" in path.read_text(encoding="utf-8")]
    assert headers, "no file header names COPYING any more: check this test"
    licence = (REPO / "COPYING").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in licence.splitlines()[0] and "Version 3, 29 June 2007" in licence
    # The headers say "v3.0+": GPL-3.0-or-later, and galaxy.yml names it (not a licence file of its own).
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    assert galaxy["license"] == ["GPL-3.0-or-later"] and "license_file" not in galaxy


def test_collection_tarball_holds_the_collection_without_local_state(tmp_path):
    proc = run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--output-path", str(tmp_path)], timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    [tarball] = tmp_path.glob("awsorg-landing_zone-*.tar.gz")
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    tops = {name.split("/")[0] for name in names}
    assert {"COPYING", "README.md", "MANIFEST.json", "plugins", "roles", "playbooks", "meta"} <= tops
    # The benchmark and CI are in git; the virtualenv and collections exist wherever the tests run.
    for left_out in ("bench", ".ci", ".venv", ".collections", ".demo", ".pytest_cache", ".git"):
        assert left_out not in tops, f"{left_out} is in the collection tarball"
    assert not [name for name in names if name.startswith("tests/output") or "__pycache__" in name]
    # No made-up address in the published metadata.
    info = json.loads(archive_member(tarball, "MANIFEST.json"))["collection_info"]
    assert [info.get(key) for key in ("repository", "documentation", "homepage", "issues")] == [None] * 4


def archive_member(tarball, name):
    with tarfile.open(tarball) as archive:
        return archive.extractfile(name).read().decode("utf-8")
