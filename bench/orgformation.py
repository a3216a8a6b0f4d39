"""The benchmark's organization as an org-formation template, and org-formation run against moto.

org-formation (npm ``aws-organization-formation``) is the peer tool the
benchmark compares with.  ``organization_template`` describes the same
management account, OUs, member accounts (names, emails, tags) and SCPs as
the bench inventory, from the plan the collection's own preflight computes
(``inventory_plan.build_plan``), so both tools converge the same thing.
org-formation only does the Organizations part: it has no per-account
baseline, roles, identities or profiles.

``install()`` puts org-formation into bench/.node/ (gitignored) with npm;
``update_command()`` and ``environment()`` run ``org-formation update`` with
``AWS_ENDPOINT_URL`` at the recording proxy and the Support API at the stub
(bench/support_stub.py).  It keeps its state in the S3 bucket
``organization-formation-<account id>`` (in moto), which it creates itself.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
NODE_DIR = REPO / "bench" / ".node"
PACKAGE = "aws-organization-formation"
VERSION = "1.0.17"
EXECUTABLE = NODE_DIR / "node_modules" / ".bin" / "org-formation"

for path in (REPO, REPO / ".collections"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan  # noqa: E402
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.ou_paths import split_ou_path  # noqa: E402


class _Ref(str):
    """A ``!Ref LogicalId`` in the YAML output."""


def _ref_representer(dumper, value):
    return dumper.represent_scalar("!Ref", str(value))


class _TemplateDumper(yaml.SafeDumper):
    pass


_TemplateDumper.add_representer(_Ref, _ref_representer)


def _logical_id(prefix, text):
    return prefix + "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part)


def load_plan(inventory_dir):
    """The preflight's plan of a bench inventory: ({host: entry}, settings)."""
    inventory_dir = Path(inventory_dir)
    tree = yaml.safe_load((inventory_dir / "hosts.yml").read_text(encoding="utf-8"))["all"]["children"]
    settings = yaml.safe_load((inventory_dir / "group_vars" / "all" / "landing_zone.yml").read_text(encoding="utf-8"))
    settings["landing_zone_keys_dir"] = str(inventory_dir / "keys")
    settings["landing_zone_users"] = []  # key files are the playbook's business, not the template's
    plan, problems = build_plan(tree["accounts"]["hosts"], list(tree["management"]["hosts"]), settings)
    if problems:
        raise ValueError("the bench inventory has problems:\n" + "\n".join(problems))
    return plan, settings


def organization_template(inventory_dir):
    """The org-formation template (a dict) of the bench inventory's organization."""
    plan, settings = load_plan(inventory_dir)
    resources = {}
    ou_paths = sorted(set(settings["landing_zone_organizational_units"]) | {settings["landing_zone_quarantine_ou"]})
    ou_ids = {path: _logical_id("Ou", path) for path in ou_paths}
    scp_ids = {p["name"]: _logical_id("Scp", p["name"]) for p in settings["landing_zone_service_control_policies"]}
    account_ids = {}

    for host, entry in plan.items():
        if entry["management"]:
            resources["MasterAccount"] = dict(Type="OC::ORG::MasterAccount", Properties=dict(
                AccountName=entry["name"], AccountId=entry["id"]))
            account_ids[host] = "MasterAccount"
            continue
        logical = _logical_id("Account", host)
        account_ids[host] = logical
        properties = dict(AccountName=entry["name"], RootEmail=entry["email"])
        if entry["tags"]:
            properties["Tags"] = dict(entry["tags"])
        resources[logical] = dict(Type="OC::ORG::Account", Properties=properties)

    root_policies = []
    ou_properties = {path: dict(OrganizationalUnitName=split_ou_path(path)[-1]) for path in ou_paths}
    for path in ou_paths:
        parent = "/" + "/".join(split_ou_path(path)[:-1])
        if parent != "/":
            ou_properties[parent].setdefault("OrganizationalUnits", []).append(_Ref(ou_ids[path]))
    for host, entry in plan.items():
        if entry["ou"] != "/" and not entry["management"]:
            ou_properties[entry["ou"]].setdefault("Accounts", []).append(_Ref(account_ids[host]))
    for policy in settings["landing_zone_service_control_policies"]:
        resources[scp_ids[policy["name"]]] = dict(Type="OC::ORG::ServiceControlPolicy", Properties=dict(
            PolicyName=policy["name"], Description=policy.get("description", policy["name"]),
            PolicyDocument=policy["document"]))
        for target in policy["targets"]:
            if target == "/":
                root_policies.append(_Ref(scp_ids[policy["name"]]))
            elif target.startswith("/"):
                ou_properties[target].setdefault("ServiceControlPolicies", []).append(_Ref(scp_ids[policy["name"]]))
            else:
                account = resources[account_ids[target]]["Properties"]
                account.setdefault("ServiceControlPolicies", []).append(_Ref(scp_ids[policy["name"]]))
    for path in ou_paths:
        resources[ou_ids[path]] = dict(Type="OC::ORG::OrganizationalUnit", Properties=ou_properties[path])
    resources["OrganizationRoot"] = dict(Type="OC::ORG::OrganizationRoot",
                                         Properties=dict(ServiceControlPolicies=root_policies))
    return {"AWSTemplateFormatVersion": "2010-09-09-OC", "Organization": resources}


def write_template(inventory_dir, path):
    text = yaml.dump(organization_template(inventory_dir), Dumper=_TemplateDumper, sort_keys=False)
    Path(path).write_text("# Generated by bench/orgformation.py from the bench inventory.\n" + text, encoding="utf-8")
    return path


def install():
    """npm install aws-organization-formation into bench/.node/ (once); return its version."""
    if not EXECUTABLE.exists():
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE_DIR),
                        f"{PACKAGE}@{VERSION}"], check=True, capture_output=True, text=True, timeout=900)
    package = NODE_DIR / "node_modules" / PACKAGE / "package.json"
    return yaml.safe_load(package.read_text(encoding="utf-8"))["version"]


def node_version():
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not installed"


def update_command(template):
    """``org-formation update TEMPLATE``, plain output, stack traces on errors."""
    return [str(EXECUTABLE), "update", str(template), "--no-color", "--print-stack"]


def environment(endpoint_url, support_url):
    """org-formation's environment: every AWS call to ``endpoint_url``, the Support API to the stub."""
    env = dict(os.environ)
    for key in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"):
        env.pop(key, None)
    env.update(
        AWS_ENDPOINT_URL=endpoint_url,
        AWS_ENDPOINT_URL_SUPPORT=support_url,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        NO_COLOR="1",
    )
    return env
