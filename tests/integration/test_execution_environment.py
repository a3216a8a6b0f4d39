"""The execution environment definition and the collections an AWX project sync installs.

No container engine and no Galaxy: ``ansible-builder create`` writes the
build context; its collections are then installed from the context the way
the image build does (amazon.aws, which the build takes from Galaxy, is the
copy in .collections), and ``ansible-builder introspect`` lists the Python
and system packages the image build would install from them.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
AMAZON_AWS = REPO / ".collections" / "ansible_collections" / "amazon" / "aws"
PYTHON_DEPENDENCIES = {"boto3", "botocore", "python-gnupg", "jmespath"}


def run(command, cwd, env=None):
    proc = subprocess.run([str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, f"{' '.join(map(str, command))}:\n{proc.stdout[-4000:]}{proc.stderr[-4000:]}"
    return proc.stdout


def galaxy_env(tmp_path, collections):
    """ansible-galaxy as on a machine with none of this repository's settings."""
    config = tmp_path / "empty-ansible.cfg"
    config.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(ANSIBLE_CONFIG=str(config), ANSIBLE_COLLECTIONS_PATH=str(collections), ANSIBLE_NOCOLOR="1")
    return env


def with_amazon_aws(collections):
    """A collections directory that already holds amazon.aws, as Galaxy would have given it."""
    (collections / "ansible_collections" / "amazon").mkdir(parents=True)
    (collections / "ansible_collections" / "amazon" / "aws").symlink_to(AMAZON_AWS)
    return collections


def requirement_names(lines):
    return {re.split(r"[<>=!~;\[ #]", line.strip(), maxsplit=1)[0].lower()
            for line in lines if line.strip() and not line.lstrip().startswith("#")}


def installed_collection(collections, namespace, name):
    root = collections / "ansible_collections" / namespace / name
    manifest = yaml.safe_load((root / "MANIFEST.json").read_text(encoding="utf-8"))
    return root, manifest["collection_info"]


def test_ansible_builder_create_writes_a_context_with_our_dependencies(tmp_path):
    context = tmp_path / "context"
    run([VENV_BIN / "ansible-builder", "create", "-f", REPO / "execution-environment.yml", "-c", context,
         "--output-filename", "Containerfile"], cwd=tmp_path)
    build = context / "_build"

    containerfile = (context / "Containerfile").read_text(encoding="utf-8")
    assert re.search(r'^ARG PYCMD="/usr/bin/python3\.11"$', containerfile, re.M)
    install_refs = re.search(r'^ARG ANSIBLE_INSTALL_REFS="([^"]*)"$', containerfile, re.M).group(1)
    assert requirement_names(install_refs.split(" ")) == {"ansible-core", "ansible-runner"}
    assert "ansible-galaxy collection install" in containerfile and "introspect" in containerfile

    assert requirement_names((build / "requirements.txt").read_text().splitlines()) >= PYTHON_DEPENDENCIES
    bindep = (build / "bindep.txt").read_text()
    assert re.search(r"^gnupg2 \[platform:rpm\]$", bindep, re.M) and re.search(r"^gnupg \[platform:dpkg\]$", bindep, re.M)
    galaxy = yaml.safe_load((build / "requirements.yml").read_text())["collections"]
    assert {c["name"] for c in galaxy} == {"amazon.aws", "awsorg.landing_zone"}

    # The image build's galaxy stage, in the context: this collection from
    # the copy in the context, amazon.aws already there.
    collections = with_amazon_aws(tmp_path / "collections")
    run([VENV_BIN / "ansible-galaxy", "collection", "install", "-r", "requirements.yml", "-p", collections,
         "--offline"], cwd=build, env=galaxy_env(tmp_path, collections))
    root, info = installed_collection(collections, "awsorg", "landing_zone")
    assert info["version"] == yaml.safe_load((REPO / "galaxy.yml").read_text())["version"]
    for part in ("plugins/modules", "plugins/module_utils", "roles", "playbooks"):
        expected = sorted(p.relative_to(REPO / part).as_posix() for p in (REPO / part).rglob("*")
                          if p.is_file() and "__pycache__" not in p.parts)
        installed = sorted(p.relative_to(root / part).as_posix() for p in (root / part).rglob("*")
                           if p.is_file() and "__pycache__" not in p.parts)
        assert installed == expected, part
    assert (root / "meta" / "runtime.yml").is_file()

    # The image build's introspection over those collections: what pip and
    # the system package manager install into the image.
    listing = yaml.safe_load(run([VENV_BIN / "ansible-builder", "introspect", "--sanitize",
                                  "--user-pip", build / "requirements.txt", "--user-bindep", build / "bindep.txt",
                                  collections], cwd=tmp_path).split("\n", 1)[1])
    ours = [line for line in listing["python"] if line.endswith("# from collection awsorg.landing_zone")]
    assert requirement_names(ours) == PYTHON_DEPENDENCIES
    assert "gnupg2 [platform:rpm]  # from collection awsorg.landing_zone" in listing["system"]
    assert requirement_names(listing["python"]) >= PYTHON_DEPENDENCIES


def test_project_sync_installs_the_collections_the_playbooks_need(tmp_path):
    # What an AWX project sync runs, in the project's root.
    requirements = yaml.safe_load((REPO / "collections" / "requirements.yml").read_text())["collections"]
    by_name = {c["name"]: c for c in requirements}
    assert set(by_name) == {"amazon.aws", "awsorg.landing_zone"}
    # The range a sync asks Galaxy for is the one the collection declares.
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text())
    assert by_name["amazon.aws"]["version"] == galaxy["dependencies"]["amazon.aws"]

    collections = with_amazon_aws(tmp_path / "requirements_collections")
    output = run([VENV_BIN / "ansible-galaxy", "collection", "install", "-r", "collections/requirements.yml",
                  "-p", collections, "--offline"], cwd=REPO, env=galaxy_env(tmp_path, collections))
    assert "awsorg.landing_zone:" in output
    root, info = installed_collection(collections, "awsorg", "landing_zone")
    assert info["version"] == galaxy["version"]
    assert {p.name for p in (root / "plugins" / "modules").glob("*.py")} == {
        p.name for p in (REPO / "plugins" / "modules").glob("*.py")}
    assert (root / "roles" / "organization" / "tasks" / "main.yml").is_file()
    assert not (root / ".venv").exists() and not (root / ".collections").exists()
