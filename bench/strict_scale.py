"""A large organization from the README alone, converged in strict mode, and checked as AWS would.

    .venv/bin/python -m bench.strict_scale                 # 140 accounts
    .venv/bin/python -m bench.strict_scale --accounts 30   # a quicker look

The inventory is written from the README's inventory tables only (no
``ansible_connection``, no ``ansible_python_interpreter``, nothing from the
demo's plumbing): the management account adopted by id, an identity account,
a Terraform-backend account and member accounts over three OUs; two users,
two groups, and two cross-account roles in every account.  It runs
playbooks/site.yml against moto behind the proxy in strict mode (the account
quota raised to fit, as an organization of that size has it), then a second
time, and checks:

* every AWS CLI profile written resolves, through the strict proxy, to the
  role it names (role profiles with ``mfa_serial`` answer a token code, as a
  person would);
* every group's inline policies and every role's trust policy are within
  IAM's limits, counted as IAM counts them (white space left out);
* the second run changes nothing and writes nothing.

It prints one JSON document: times, AWS calls, writes, the checks.
"""

import argparse
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import boto3
import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.harness.awsproxy import RecordingProxy  # noqa: E402
from tests.harness.gpgkeys import TestKeyring  # noqa: E402
from tests.harness.motoserver import MotoServer  # noqa: E402
from tests.harness.strict_aws import StrictConfig  # noqa: E402

SITE = REPO / "playbooks" / "site.yml"
MANAGEMENT_ID = "123456789012"  # moto's default account: the caller of the run
KEYS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")
MEMBER_OUS = ["/workloads/prod", "/workloads/nonprod", "/sandbox"]
# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html):
# a group's inline policies 5,120 characters in all, a role trust policy
# 2,048 by default; IAM does not count white space.
GROUP_INLINE_LIMIT = 5120
TRUST_POLICY_LIMIT = 2048


def iam_size(document):
    """A policy's size as IAM counts it: its characters, white space left out."""
    text = document if isinstance(document, str) else json.dumps(document)
    return len(re.sub(r"\s", "", text))


def write_inventory(directory, accounts, keyring):
    """hosts.yml and group_vars/all/landing_zone.yml from the README's tables alone."""
    hosts = {"mgmt": dict(account_id=MANAGEMENT_ID, account_name="master", account_email="master@example.com",
                          account_wave=0),
             "identity": dict(account_ou="/security", account_wave=1),
             "backend": dict(account_ou="/infrastructure", account_wave=1)}
    for index in range(1, accounts - 2):  # the management, identity and backend accounts count too
        hosts[f"acct{index:03d}"] = dict(account_ou=MEMBER_OUS[index % len(MEMBER_OUS)], account_wave=2,
                                         account_tags=dict(cost_center=f"cc{index % 7}"))
    tree = dict(all=dict(children=dict(accounts=dict(hosts=hosts), management=dict(hosts=dict(mgmt=None)))))
    (directory / "group_vars" / "all").mkdir(parents=True)
    (directory / "hosts.yml").write_text(yaml.safe_dump(tree, sort_keys=False), encoding="utf-8")
    users = []
    for name, group in (("alice", "admins"), ("bob", "developers")):
        key = keyring.generate(name)
        users.append(dict(name=name, groups=[group], pgp_key=key.public_key_file))
    settings = dict(
        landing_zone_project="scale",
        landing_zone_region="us-east-1",
        landing_zone_email_pattern="{owner}+{project}-{account}@{domain}",
        landing_zone_email_tokens=dict(owner="aws", domain="scale.example"),
        landing_zone_organizational_units=["/security", "/infrastructure"] + MEMBER_OUS,
        landing_zone_quarantine_ou="/suspended",
        landing_zone_service_control_policies=[dict(
            name="deny-all-suspended", description="Nothing is allowed in a quarantined account.",
            document={"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]},
            targets=["/suspended"])],
        landing_zone_output_dir=str(directory / "output"),
        landing_zone_identity_account="identity",
        landing_zone_users=users,
        landing_zone_groups=[dict(name="admins", roles=["admin"], require_mfa=True),
                             dict(name="developers", roles=["developer"], require_mfa=True)],
        landing_zone_cross_account_roles=[
            dict(name="admin", managed_policy_arns=["arn:aws:iam::aws:policy/AdministratorAccess"]),
            dict(name="developer", managed_policy_arns=["arn:aws:iam::aws:policy/ReadOnlyAccess"])],
        landing_zone_tf_backend_account="backend",
        landing_zone_profiles=dict(directory=str(directory / "output" / "aws"),
                                   # alice's MFA device: botocore asks for its code (strict mode wants it).
                                   mfa_serial="arn:aws:iam::111111111111:mfa/alice"),
    )
    (directory / "group_vars" / "all" / "landing_zone.yml").write_text(
        yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return hosts


def run_site(proxy, inventory, log_path):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANSIBLE_", "AWS_")) and k not in ("PYTHONPATH",)}
    env.update(PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
               AWS_ENDPOINT_URL=proxy.url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
               AWS_REGION="us-east-1", AWS_DEFAULT_REGION="us-east-1")
    proxy.reset()
    started = time.monotonic()
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), str(SITE), "-i",
                               str(inventory / "hosts.yml")], cwd=REPO, env=env, stdout=log,
                              stderr=subprocess.STDOUT, check=False)
    recap = re.findall(r"changed=(\d+)", Path(log_path).read_text(encoding="utf-8"))
    return dict(rc=proc.returncode, seconds=round(time.monotonic() - started, 1), calls=len(proxy.calls),
                writes=len(proxy.mutating_calls()), changed=sum(int(n) for n in recap),
                refused_by_strict=sum(1 for c in proxy.calls if c.get("strict")))


def identity_credentials(moto_url, identity_id):
    """An access key of user alice in the identity account, as a person would have in their profile."""
    sts = boto3.client("sts", endpoint_url=moto_url, **KEYS)
    creds = sts.assume_role(RoleArn=f"arn:aws:iam::{identity_id}:role/OrganizationAccountAccessRole",
                            RoleSessionName="scale-check")["Credentials"]
    iam = boto3.client("iam", endpoint_url=moto_url, aws_access_key_id=creds["AccessKeyId"],
                       aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
                       region_name="us-east-1")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


def resolve_profiles(proxy_url, profiles_dir, identity_keys):
    """get_caller_identity through every written profile: {profile: ARN or error}."""
    config_path = profiles_dir / "config"
    credentials_path = profiles_dir / "credentials"
    parser = configparser.ConfigParser()
    parser.read(config_path)
    names = [s.split(" ", 1)[1] for s in parser.sections() if s.startswith("profile ")]
    sources = {parser[f"profile {n}"].get("source_profile") for n in names} - {None}
    # The people's and the bootstrap keys, as each would have them locally.
    creds = configparser.ConfigParser()
    creds.read(credentials_path)
    for source in sources:
        if source in names or creds.has_section(source):
            continue
        creds[source] = dict(aws_access_key_id=identity_keys[0] if "identity" in source else "testing",
                             aws_secret_access_key=identity_keys[1] if "identity" in source else "testing")
    scratch = Path(tempfile.mkdtemp(prefix="scale-creds-"))
    with open(scratch / "credentials", "w", encoding="utf-8") as handle:
        creds.write(handle)
    os.environ.update(AWS_CONFIG_FILE=str(config_path), AWS_SHARED_CREDENTIALS_FILE=str(scratch / "credentials"),
                      AWS_ENDPOINT_URL=proxy_url)
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        os.environ.pop(key, None)
    resolved = {}
    for name in names:
        if "sso_session" in parser[f"profile {name}"]:
            continue
        session = boto3.Session(profile_name=name)
        provider = session._session.get_component("credential_provider").get_provider("assume-role")
        provider._prompter = lambda _prompt: "123456"  # the person's MFA token code
        try:
            resolved[name] = session.client("sts").get_caller_identity()["Arn"]
        except Exception as error:  # pylint: disable=broad-except
            resolved[name] = f"ERROR {error}"
    return resolved


def policy_sizes(moto_url, account_ids, identity_id):
    """The largest group inline total in the identity account and the largest trust policy anywhere."""
    sts = boto3.client("sts", endpoint_url=moto_url, **KEYS)
    largest_group, largest_trust = 0, 0
    for account_id in account_ids:
        if account_id == MANAGEMENT_ID:
            iam = boto3.client("iam", endpoint_url=moto_url, **KEYS)
        else:
            creds = sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole",
                                    RoleSessionName="scale-check")["Credentials"]
            iam = boto3.client("iam", endpoint_url=moto_url, aws_access_key_id=creds["AccessKeyId"],
                               aws_secret_access_key=creds["SecretAccessKey"],
                               aws_session_token=creds["SessionToken"], region_name="us-east-1")
        for role in iam.list_roles()["Roles"]:
            if role["RoleName"] in ("admin", "developer", "OrganizationAccountAccessRole"):
                largest_trust = max(largest_trust, iam_size(role["AssumeRolePolicyDocument"]))
        if account_id == identity_id:
            for group in iam.list_groups()["Groups"]:
                names = iam.list_group_policies(GroupName=group["GroupName"])["PolicyNames"]
                total = sum(iam_size(iam.get_group_policy(GroupName=group["GroupName"], PolicyName=n)["PolicyDocument"])
                            for n in names)
                largest_group = max(largest_group, total)
    return dict(largest_group_inline=largest_group, group_inline_limit=GROUP_INLINE_LIMIT,
                largest_trust_policy=largest_trust, trust_policy_limit=TRUST_POLICY_LIMIT)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=140, help="accounts in the organization, management included")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args(argv)
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="strict-scale-"))
    workdir.mkdir(parents=True, exist_ok=True)
    inventory = workdir / "inventory"
    keyring = TestKeyring(str(workdir))
    write_inventory(inventory, args.accounts, keyring)
    report = dict(accounts=args.accounts, workdir=str(workdir))
    with MotoServer(log_path=str(workdir / "moto.log"), load_managed_policies=True) as moto:
        proxy = RecordingProxy(moto.url, log_path=str(workdir / "proxy.jsonl"),
                               strict=StrictConfig(account_quota=args.accounts + 10)).start()
        try:
            report["first_run"] = run_site(proxy, inventory, workdir / "first-run.log")
            report["second_run"] = run_site(proxy, inventory, workdir / "second-run.log")
            org = boto3.client("organizations", endpoint_url=moto.url, **KEYS)
            accounts = [a for page in org.get_paginator("list_accounts").paginate() for a in page["Accounts"]]
            emails = [a["Email"] for a in accounts]
            report["accounts_in_organization"] = len(accounts)
            report["duplicate_emails"] = sorted({e for e in emails if emails.count(e) > 1})
            ids = {a["Email"]: a["Id"] for a in accounts}
            identity_id = ids["aws+scale-identity@scale.example"]
            resolved = resolve_profiles(proxy.url, inventory / "output" / "aws",
                                        identity_credentials(moto.url, identity_id))
            failures = {k: v for k, v in resolved.items() if v.startswith("ERROR")}
            report["profiles"] = dict(resolved=len(resolved) - len(failures), failed=failures)
            report["policy_sizes"] = policy_sizes(moto.url, [a["Id"] for a in accounts], identity_id)
        finally:
            proxy.stop()
            keyring.close()
    print(json.dumps(report, indent=2))
    sizes = report["policy_sizes"]
    ok = (report["first_run"]["rc"] == 0 and report["second_run"]["rc"] == 0
          and report["second_run"]["writes"] == 0 and not report["profiles"]["failed"]
          and not report["duplicate_emails"] and sizes["largest_group_inline"] <= GROUP_INLINE_LIMIT
          and sizes["largest_trust_policy"] <= TRUST_POLICY_LIMIT)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
