"""A landing-zone inventory of N member accounts, 15 OUs and 10 SCPs, made from inventories/demo.

The demo inventory is copied (with GPG keys made for its users, as the demo
does) and its organization is replaced:

* hosts: ``mgmt`` (moto's management account, adopted), ``security`` (the
  identity account) and ``shared`` (the Terraform state backend) in wave 1,
  and ``acct001`` ... in wave 2, spread over the workload, sandbox and
  platform OUs; N counts every member account (``security`` and ``shared``
  included), so the organization holds N + 1 accounts;
* ``landing_zone_organizational_units``: the 15 OUs of ``ORGANIZATIONAL_UNITS``
  (the quarantine OU ``/suspended`` is one of them);
* ``landing_zone_service_control_policies``: the 10 SCPs of
  ``service_control_policies()`` (every one attached somewhere);
* what every account gets stays the demo's: the per-account baseline
  (``landing_zone_baseline``), the cross-account roles, the identities in
  the identity account, the state backend, the AWS CLI profiles.  The
  ``developer`` role goes to the non-production accounts.

Left out, because they are organization-wide services, not per-account
work, and make the benchmark measure moto's CloudTrail, Config and IAM
Identity Center instead: ``landing_zone_services``,
``landing_zone_identity_center``, and the SCP library
(``landing_zone_scp_library``, which would add SCPs beyond the 10).
"""

import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.harness.demo_inventory import prepare_demo_inventory  # noqa: E402

PROJECT = "acme"
MANAGEMENT = dict(account_id="123456789012", account_name="master", account_email="master@example.com",
                  account_wave=0)
ORGANIZATIONAL_UNITS = [
    "/security",
    "/infrastructure",
    "/infrastructure/network",
    "/workloads",
    "/workloads/prod",
    "/workloads/prod/eu",
    "/workloads/prod/us",
    "/workloads/nonprod",
    "/workloads/nonprod/dev",
    "/workloads/nonprod/test",
    "/sandbox",
    "/sandbox/teams",
    "/platform",
    "/platform/tools",
    "/suspended",
]
# Where the workload accounts go, in turn.
WORKLOAD_OUS = [
    "/workloads/prod/eu",
    "/workloads/prod/us",
    "/workloads/nonprod/dev",
    "/workloads/nonprod/test",
    "/sandbox/teams",
    "/platform/tools",
    "/infrastructure/network",
]
NONPROD_OUS = ("/workloads/nonprod/dev", "/workloads/nonprod/test", "/sandbox/teams")
# Organization-wide parts that are not measured (see the module docstring).
LEFT_OUT = ("landing_zone_services", "landing_zone_identity_center", "landing_zone_scp_library",
            "landing_zone_scp_library_prefix")


def _deny(sid, actions, resource="*", condition=None):
    statement = dict(Sid=sid, Effect="Deny", Action=actions, Resource=resource)
    if condition:
        statement["Condition"] = condition
    return dict(Version="2012-10-17", Statement=[statement])


def service_control_policies():
    """Ten SCPs on the root, OUs at several depths and the quarantine OU."""
    exempt = {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}
    return [
        dict(name="deny-all-suspended", description="Quarantine: nothing is allowed.",
             document=_deny("DenyEverything", "*"), targets=["/suspended"]),
        dict(name="deny-leaving-organization", description="Member accounts stay in the organization.",
             document=_deny("DenyLeave", "organizations:LeaveOrganization"), targets=["/"]),
        dict(name="deny-root-user", description="No work as the root user.",
             document=_deny("DenyRoot", "*", condition={"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:root"}}),
             targets=["/workloads", "/sandbox", "/platform", "/infrastructure", "/security"]),
        dict(name="protect-cloudtrail", description="Trails stay on.",
             document=_deny("ProtectTrails", ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"],
                            condition=exempt), targets=["/"]),
        dict(name="protect-config", description="Recorders stay on.",
             document=_deny("ProtectConfig", ["config:StopConfigurationRecorder",
                                              "config:DeleteConfigurationRecorder"], condition=exempt),
             targets=["/workloads", "/security"]),
        dict(name="allow-regions", description="Only the regions the company uses.",
             document=_deny("DenyOtherRegions", "ec2:*",
                            condition={"StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
             targets=["/workloads", "/sandbox"]),
        dict(name="require-imdsv2", description="Instances use IMDSv2.",
             document=_deny("RequireImdsV2", "ec2:RunInstances", "arn:aws:ec2:*:*:instance/*",
                            condition={"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}),
             targets=["/workloads/prod"]),
        dict(name="deny-iam-users", description="People come from the identity account.",
             document=_deny("DenyIamUsers", ["iam:CreateUser", "iam:CreateAccessKey"], condition=exempt),
             targets=["/workloads", "/sandbox"]),
        dict(name="deny-large-instances", description="Sandboxes stay small.",
             document=_deny("DenyLarge", "ec2:RunInstances", "arn:aws:ec2:*:*:instance/*",
                            condition={"ForAnyValue:StringNotLike": {"ec2:InstanceType": ["t3.*", "t4g.*"]}}),
             targets=["/sandbox/teams"]),
        dict(name="protect-network", description="Only the network team changes the network.",
             document=_deny("ProtectNetwork", ["ec2:DeleteVpc", "ec2:DeleteTransitGateway"], condition=exempt),
             targets=["/infrastructure/network"]),
    ]


def account_hosts(accounts):
    """{host: hostvars} of the ``accounts`` member accounts plus mgmt."""
    if accounts < 2:
        raise ValueError(f"accounts: at least 2 (the identity and the state-backend account), got {accounts}")
    hosts = {
        "mgmt": dict(MANAGEMENT),
        "security": dict(account_ou="/security", account_wave=1, account_tags=dict(function="identity")),
        "shared": dict(account_ou="/infrastructure", account_wave=1, account_tags=dict(function="shared-services")),
    }
    for index in range(1, accounts - 1):
        ou = WORKLOAD_OUS[(index - 1) % len(WORKLOAD_OUS)]
        hosts[f"acct{index:03d}"] = dict(account_ou=ou, account_wave=2,
                                         account_tags=dict(environment=ou.rsplit("/", 1)[-1], cost_center=f"cc{index % 10}"))
    return hosts


def _settings(source_dir, hosts):
    settings = {}
    for path in sorted((source_dir / "group_vars" / "all").glob("*.yml")):
        if path.name in ("connection.yml", "landing_zone_account_ids.yml"):
            continue
        settings.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    for key in LEFT_OUT:
        settings.pop(key, None)
    settings["landing_zone_project"] = PROJECT
    settings["landing_zone_organizational_units"] = [ou for ou in ORGANIZATIONAL_UNITS if ou != "/suspended"]
    settings["landing_zone_quarantine_ou"] = "/suspended"
    settings["landing_zone_service_control_policies"] = service_control_policies()
    settings["landing_zone_identity_account"] = "security"
    settings["landing_zone_tf_backend_account"] = "shared"
    nonprod = [host for host, values in hosts.items() if values.get("account_ou") in NONPROD_OUS]
    for role in settings.get("landing_zone_cross_account_roles") or []:
        if "accounts" in role:
            role["accounts"] = nonprod
    return settings


def generate_inventory(destination, accounts, keyring_dir=None, source=None):
    """Write the inventory for ``accounts`` member accounts to ``destination``; return the users' keyring."""
    destination = Path(destination)
    source = Path(source) if source else REPO / "inventories" / "demo"
    keyring = prepare_demo_inventory(destination, keyring_dir=keyring_dir, source=source)
    hosts = account_hosts(accounts)
    tree = dict(all=dict(children=dict(accounts=dict(hosts=hosts), management=dict(hosts=dict(mgmt=None)))))
    (destination / "hosts.yml").write_text(
        f"# Generated by bench/inventory.py: {accounts} member accounts.\n" + yaml.safe_dump(tree, sort_keys=False),
        encoding="utf-8")
    group_vars = destination / "group_vars" / "all"
    settings = _settings(source, hosts)
    for path in group_vars.glob("*.yml"):
        if path.name != "connection.yml":
            path.unlink()
    (group_vars / "landing_zone.yml").write_text(
        "# Generated by bench/inventory.py from inventories/demo.\n" + yaml.safe_dump(settings, sort_keys=False),
        encoding="utf-8")
    return keyring


def main(argv):
    """python -m bench.inventory DESTINATION ACCOUNTS: write an inventory (GPG keyring in DESTINATION/..)."""
    if len(argv) != 3:
        print(main.__doc__, file=sys.stderr)
        return 2
    destination = Path(argv[1])
    keyring = generate_inventory(destination, int(argv[2]), keyring_dir=destination.parent)
    print(keyring.home)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
