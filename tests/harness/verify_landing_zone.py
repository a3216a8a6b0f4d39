"""Read a converged demo landing zone back from AWS (moto) and check it.

Used by the Molecule verifier, the ansible-runner test and the landing-zone
tests: every check reads the end state through boto3 (or, for profiles,
through botocore sessions on the written files), never through our modules.

    python -m tests.harness.verify_landing_zone ENDPOINT_URL INVENTORY_DIR
"""

import configparser
import json
import os
import sys
import urllib.parse
from pathlib import Path

import boto3
import botocore.session
import yaml

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))

from tests.harness.snapshot import organization_snapshot  # noqa: E402

CREDS = dict(aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1")


class Checks:
    def __init__(self):
        self.results = []

    def check(self, name, ok, detail=""):
        self.results.append((name, bool(ok), detail))

    @property
    def failed(self):
        return [r for r in self.results if not r[1]]


def _all(client, operation, key, **params):
    return client.get_paginator(operation).paginate(**params).build_full_result()[key]


def _member_client(endpoint, service, account_id, region="us-east-1"):
    sts = boto3.client("sts", endpoint_url=endpoint, **CREDS)
    creds = sts.assume_role(
        RoleArn=f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole", RoleSessionName="verify"
    )["Credentials"]
    return boto3.client(
        service, endpoint_url=endpoint, region_name=region, aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"], aws_session_token=creds["SessionToken"],
    )


def _load_inventory(inventory_dir):
    inventory_dir = Path(inventory_dir)
    hosts = yaml.safe_load((inventory_dir / "hosts.yml").read_text())["all"]["children"]["accounts"]["hosts"]
    settings = {}
    for path in sorted((inventory_dir / "group_vars" / "all").glob("*.yml")):
        settings.update(yaml.safe_load(path.read_text()) or {})
    ids_file = inventory_dir / "group_vars" / "all" / "landing_zone_account_ids.yml"
    ids = yaml.safe_load(ids_file.read_text())["landing_zone_account_ids"] if ids_file.exists() else {}
    return hosts, settings, ids


def verify(endpoint, inventory_dir):
    checks = Checks()
    inventory_dir = Path(inventory_dir)
    hosts, settings, ids = _load_inventory(inventory_dir)
    project = settings["landing_zone_project"]
    org = boto3.client("organizations", endpoint_url=endpoint, **CREDS)
    snapshot = organization_snapshot(org)

    # Accounts: every host has an id written back, and sits in its OU.
    checks.check("account ids written back for every host", set(ids) == set(hosts), sorted(ids))
    for host, hostvars in hosts.items():
        account = snapshot["accounts"].get(str(ids.get(host)))
        want_ou = hostvars.get("account_ou", "/")
        checks.check(f"account {host} is in {want_ou}", account and account["ou"] == want_ou,
                     account and account["ou"])
        want_name = hostvars.get("account_name", f"{project}-{host}")
        checks.check(f"account {host} is named {want_name}", account and account["name"] == want_name)

    # SCPs: attached exactly to their targets.
    for policy in settings["landing_zone_service_control_policies"]:
        want = sorted(t if t.startswith("/") else ids[t] for t in policy["targets"])
        got = snapshot["policies"].get(policy["name"])
        checks.check(f"SCP {policy['name']} attached to {want}", got == want, got)

    _verify_security(checks, endpoint, inventory_dir, hosts, ids, project, snapshot)
    _verify_policy_types(checks, org, settings, snapshot)

    # Cross-account roles: trust the identity account, MFA when asked.
    identity_id = ids[settings["landing_zone_identity_account"]]
    for role in settings["landing_zone_cross_account_roles"]:
        for host in role.get("accounts", list(hosts)):
            iam = _member_client(endpoint, "iam", ids[host]) if host != "mgmt" else boto3.client(
                "iam", endpoint_url=endpoint, **CREDS)
            found = iam.get_role(RoleName=role["name"])["Role"]
            trust = found["AssumeRolePolicyDocument"]
            trust = json.loads(trust) if isinstance(trust, str) else trust
            text = json.dumps(trust)
            checks.check(f"role {role['name']} in {host} trusts the identity account",
                         identity_id in text, text)
            if role.get("require_mfa", True):
                checks.check(f"role {role['name']} in {host} requires MFA", "aws:MultiFactorAuthPresent" in text)
            attached = [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role["name"])["AttachedPolicies"]]
            checks.check(f"role {role['name']} in {host} has its managed policies",
                         sorted(attached) == sorted(role.get("managed_policy_arns", [])), attached)

    # Identities: users, groups and their assume-role policies.
    iam = _member_client(endpoint, "iam", identity_id)
    for user in settings["landing_zone_users"]:
        groups = [g["GroupName"] for g in iam.list_groups_for_user(UserName=user["name"])["Groups"]]
        checks.check(f"user {user['name']} in groups {user['groups']}", sorted(groups) == sorted(user["groups"]), groups)
        # moto always answers PasswordResetRequired=false, so only the
        # profile's existence can be read back here.
        profile = iam.get_login_profile(UserName=user["name"])["LoginProfile"]
        checks.check(f"user {user['name']} has a console login profile", profile["UserName"] == user["name"])
        encrypted = inventory_dir / "output" / "passwords" / f"{user['name']}.password.asc"
        checks.check(f"encrypted password of {user['name']} written 0600",
                     encrypted.exists() and (encrypted.stat().st_mode & 0o777) == 0o600
                     and "BEGIN PGP MESSAGE" in encrypted.read_text())

    # State backend: bucket hardened, lock table.
    backend = settings["landing_zone_tf_backend_account"]
    s3 = _member_client(endpoint, "s3", ids[backend])
    bucket = settings["landing_zone_tf_backend"]["bucket"].format(project=project, account=backend)
    checks.check(f"bucket {bucket} versioned", s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    checks.check(f"bucket {bucket} blocks public access", all(block.values()) and len(block) == 4, block)
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    checks.check(f"bucket {bucket} encrypted", bool(rules), rules)
    policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
    checks.check(f"bucket {bucket} denies insecure transport", "aws:SecureTransport" in policy)
    table_name = settings["landing_zone_tf_backend"]["lock_table"].format(project=project, account=backend)
    table = _member_client(endpoint, "dynamodb", ids[backend]).describe_table(TableName=table_name)["Table"]
    checks.check(f"lock table {table_name} keyed by LockID",
                 table["KeySchema"] == [{"AttributeName": "LockID", "KeyType": "HASH"}])
    for host in hosts:
        backend_file = inventory_dir / "output" / "terraform" / host / "backend.tfvars"
        checks.check(f"backend file for {host}", backend_file.exists() and bucket in backend_file.read_text())

    # Profiles: botocore resolves each operator profile to the right account.
    aws_dir = inventory_dir / "output" / "aws"
    # botocore's assume-role provider makes its own STS client: it reaches
    # moto only through the environment's endpoint.
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    # The management account has no OrganizationAccountAccessRole: its profile is the bootstrap one.
    tree = yaml.safe_load((inventory_dir / "hosts.yml").read_text())["all"]["children"]
    management = set((tree.get("management") or {}).get("hosts") or {})
    bootstrap = (settings.get("landing_zone_profiles") or {}).get("bootstrap_profile", f"{project}-bootstrap")
    for host in hosts:
        name = bootstrap if host in management else f"{project}-{host}-oaar"
        session = botocore.session.Session()
        session.set_config_variable("config_file", str(aws_dir / "config"))
        session.set_config_variable("credentials_file", str(aws_dir / "credentials"))
        session.set_config_variable("profile", name)
        try:
            reached = session.create_client("sts", region_name="us-east-1", endpoint_url=endpoint) \
                .get_caller_identity()["Account"]
        except Exception as e:  # pylint: disable=broad-except
            reached = f"error: {e}"
        checks.check(f"profile {name} reaches {ids[host]}", reached == ids[host], reached)
    for path in (aws_dir / "config", aws_dir / "credentials"):
        checks.check(f"{path.name} is mode 0600", path.exists() and (path.stat().st_mode & 0o777) == 0o600)
    _verify_services(checks, endpoint, inventory_dir, hosts, ids, project, snapshot)
    return checks


def _policies_at(org, policy_type, snapshot):
    """{target path or account id: [policy content (a dict), ...]} of every policy of ``policy_type``."""
    path_of = {node["id"]: path for path, node in snapshot["ous"].items()}
    attached = {}
    for policy in _all(org, "list_policies", "Policies", Filter=policy_type):
        content = json.loads(org.describe_policy(PolicyId=policy["Id"])["Policy"]["Content"])
        for target in _all(org, "list_targets_for_policy", "Targets", PolicyId=policy["Id"]):
            attached.setdefault(path_of.get(target["TargetId"], target["TargetId"]), []).append(content)
    return attached


def _verify_policy_types(checks, org, settings, snapshot):
    """The inventory's resource control policy library, tag policy and AI services opt-out, as AWS holds them."""
    organization_id = org.describe_organization()["Organization"]["Id"]
    rcps = _policies_at(org, "RESOURCE_CONTROL_POLICY", snapshot)
    # What each library entry the demo may select must put in an RCP on its targets
    # (docs/rcp-library.md): the condition key it is built on.
    marks = dict(enforce_tls="aws:SecureTransport", data_perimeter=organization_id,
                 confused_deputy_protection="aws:SourceOrgID")
    for entry in settings.get("landing_zone_rcp_library") or []:
        for target in entry.get("targets") or ["/"]:
            texts = [json.dumps(content) for content in rcps.get(target, [])]
            checks.check(f"RCP library {entry['name']} on {target}",
                         any(marks[entry["name"]] in text for text in texts), texts)
    tag_policy = settings.get("landing_zone_tag_policy")
    if tag_policy:
        tags = _policies_at(org, "TAG_POLICY", snapshot)
        for target in tag_policy.get("targets") or ["/"]:
            found = {}
            for content in tags.get(target, []):
                for entry in content.get("tags", {}).values():
                    found[entry["tag_key"]["@@assign"]] = (entry.get("tag_value") or {}).get("@@assign")
            want = {key: [str(v) for v in values] if values is not None else None
                    for key, values in tag_policy["required_tags"].items()}
            checks.check(f"tag policy on {target} requires {sorted(want)}", found == want, found)
    if settings.get("landing_zone_ai_services_opt_out"):
        at_root = _policies_at(org, "AISERVICES_OPT_OUT_POLICY", snapshot).get("/", [])
        opted_out = [c for c in at_root
                     if c.get("services", {}).get("default", {}).get("opt_out_policy", {}).get("@@assign") == "optOut"]
        checks.check("AI services opt-out at the root", len(opted_out) == 1, at_root)


def _without_account_label(request, **_kwargs):
    # S3 Control puts the account id in front of the host (123456789012.127.0.0.1), which cannot resolve.
    parts = urllib.parse.urlsplit(request.url)
    label, _dot, rest = parts.netloc.partition(".")
    if label.isdigit() and len(label) == 12:
        request.url = urllib.parse.urlunsplit(parts._replace(netloc=rest))


def _verify_security(checks, endpoint, inventory_dir, hosts, ids, project, snapshot):
    """The SCP library and the per-account baseline, when the inventory has group_vars/all/security.yml."""
    security_file = Path(inventory_dir) / "group_vars" / "all" / "security.yml"
    if not security_file.exists():
        return
    security = yaml.safe_load(security_file.read_text()) or {}
    for selection in security.get("landing_zone_scp_library", []):
        for target in selection["targets"]:
            slug = "root" if target == "/" else target.strip("/").replace("/", "-")
            attached = [name for name, targets in snapshot["policies"].items()
                        if name.startswith(f"lz-{slug}-") and targets == [target]]
            checks.check(f"library SCP lz-{slug}-N holding {selection['name']} attached to {target}", attached,
                         sorted(snapshot["policies"]))
    baseline = security.get("landing_zone_baseline")
    if baseline is None:
        return
    for host in hosts:
        account_id = str(ids[host])
        aliases = _account_client(endpoint, account_id, "iam").list_account_aliases()["AccountAliases"]
        checks.check(f"account {host} has alias {project}-{host}", aliases == [f"{project}-{host}"], aliases)
        s3control = _account_client(endpoint, account_id, "s3control")
        s3control.meta.events.register("before-sign.s3-control", _without_account_label)
        block = s3control.get_public_access_block(AccountId=account_id)["PublicAccessBlockConfiguration"]
        checks.check(f"account {host} blocks S3 public access", all(block.values()) and len(block) == 4, block)
        for region in baseline.get("regions", ["us-east-1"]):
            ec2 = _account_client(endpoint, account_id, "ec2", region)
            encrypted = ec2.get_ebs_encryption_by_default()["EbsEncryptionByDefault"]
            checks.check(f"account {host} encrypts EBS by default in {region}", encrypted is True)
        contacts = _account_client(endpoint, account_id, "account")
        for kind, contact in (baseline.get("alternate_contacts") or {}).items():
            got = contacts.get_alternate_contact(AlternateContactType=kind.upper())["AlternateContact"]
            checks.check(f"account {host} has its {kind} contact", got["EmailAddress"] == contact["email_address"],
                         got)


def _account_client(endpoint, account_id, service, region="us-east-1"):
    if account_id == "123456789012":  # the management account: the caller itself
        return boto3.client(service, endpoint_url=endpoint, **dict(CREDS, region_name=region))
    return _member_client(endpoint, service, account_id, region)


def _verify_services(checks, endpoint, inventory_dir, hosts, ids, project, snapshot):
    """Trail, log bucket, AWS Config, GuardDuty, Security Hub and IAM Identity Center, when the
    inventory has group_vars/all/services.yml."""
    services_file = Path(inventory_dir) / "group_vars" / "all" / "services.yml"
    if not services_file.exists():
        return
    services = yaml.safe_load(services_file.read_text()) or {}
    settings = services.get("landing_zone_services")
    if settings:
        _verify_org_services(checks, endpoint, settings, hosts, ids, project)
    identity_center = services.get("landing_zone_identity_center")
    if identity_center:
        _verify_identity_center(checks, endpoint, inventory_dir, identity_center, hosts, ids, project, snapshot)


def _verify_org_services(checks, endpoint, settings, hosts, ids, project):
    org = boto3.client("organizations", endpoint_url=endpoint, **CREDS).describe_organization()["Organization"]
    log_host = settings["log_archive_account"]
    log_id = str(ids[log_host])
    bucket = settings.get("log_bucket", "{project}-{account}-org-logs").format(
        project=project, account=log_host, account_id=log_id, region="us-east-1")
    regions = settings.get("regions", ["us-east-1"])
    if "cloudtrail" in settings:
        trail_name = settings["cloudtrail"].get("trail_name", "{project}-organization-trail").format(project=project)
        cloudtrail = _account_client(endpoint, org["MasterAccountId"], "cloudtrail")
        trail = cloudtrail.get_trail(Name=trail_name)["Trail"]
        checks.check(f"trail {trail_name} records the organization in every region with log file validation",
                     trail["IsOrganizationTrail"] and trail["IsMultiRegionTrail"] and trail["LogFileValidationEnabled"],
                     trail)
        checks.check(f"trail {trail_name} delivers to {bucket} and is logging",
                     trail["S3BucketName"] == bucket and cloudtrail.get_trail_status(Name=trail_name)["IsLogging"])
        policy = _account_client(endpoint, log_id, "s3").get_bucket_policy(Bucket=bucket)["Policy"]
        checks.check(f"log bucket {bucket} admits the trail {trail['TrailARN']} and {org['Id']}",
                     trail["TrailARN"] in policy and f"AWSLogs/{org['Id']}/" in policy, policy)
    s3 = _account_client(endpoint, log_id, "s3")
    checks.check(f"log bucket {bucket} versioned", s3.get_bucket_versioning(Bucket=bucket).get("Status") == "Enabled")
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    checks.check(f"log bucket {bucket} blocks public access", all(block.values()) and len(block) == 4, block)
    if "config" in settings:
        excluded = settings["config"].get("exclude_accounts") or []
        for host in hosts:
            if host in excluded:
                continue
            for region in regions:
                config = _account_client(endpoint, str(ids[host]), "config", region)
                channels = config.describe_delivery_channels()["DeliveryChannels"]
                statuses = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
                checks.check(f"AWS Config in {host} {region} records to {bucket}",
                             [c["s3BucketName"] for c in channels] == [bucket]
                             and [s["recording"] for s in statuses] == [True], (channels, statuses))
    admin_host = settings.get("delegated_admin_account", log_host)
    admin_id = str(ids[admin_host])
    for region in regions:
        if "guardduty" in settings:
            management = _account_client(endpoint, org["MasterAccountId"], "guardduty", region)
            admins = [a["AdminAccountId"] for a in management.list_organization_admin_accounts()["AdminAccounts"]]
            guardduty = _account_client(endpoint, admin_id, "guardduty", region)
            detectors = guardduty.list_detectors()["DetectorIds"]
            checks.check(f"GuardDuty in {region} delegated to {admin_host} with its detector enabled",
                         admins == [admin_id] and len(detectors) == 1
                         and guardduty.get_detector(DetectorId=detectors[0])["Status"] == "ENABLED", admins)
        if "securityhub" in settings:
            securityhub = _account_client(endpoint, admin_id, "securityhub", region)
            configuration = securityhub.describe_organization_configuration()
            want = settings["securityhub"].get("auto_enable")
            checks.check(f"Security Hub in {region} administered by {admin_host}, auto-enable {want}",
                         securityhub.describe_hub()["HubArn"].split(":")[4] == admin_id
                         and (want is None or configuration["AutoEnable"] == want), configuration)


def _expand_targets(targets, ids, snapshot):
    accounts = set()
    for target in targets:
        target = str(target)
        if target.startswith("/"):
            prefix = target.rstrip("/") + "/"
            accounts |= {a for a, account in snapshot["accounts"].items()
                         if target == "/" or account["ou"] == target or account["ou"].startswith(prefix)}
        else:
            accounts.add(str(ids.get(target, target)))
    return accounts


def _verify_identity_center(checks, endpoint, inventory_dir, identity_center, hosts, ids, project, snapshot):
    sso = boto3.client("sso-admin", endpoint_url=endpoint, **CREDS)
    instance = sso.list_instances()["Instances"][0]
    arn, store = instance["InstanceArn"], instance["IdentityStoreId"]
    permission_sets = {}
    for ps_arn in sso.list_permission_sets(InstanceArn=arn)["PermissionSets"]:
        described = sso.describe_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn)["PermissionSet"]
        permission_sets[described["Name"]] = ps_arn
    for wanted in identity_center.get("permission_sets", []):
        managed = sso.list_managed_policies_in_permission_set(
            InstanceArn=arn, PermissionSetArn=permission_sets.get(wanted["name"], arn + "/none"))
        got = sorted(p["Arn"] for p in managed["AttachedManagedPolicies"])
        checks.check(f"permission set {wanted['name']} has its managed policies",
                     got == sorted(wanted.get("managed_policy_arns", [])), got)
    identitystore = boto3.client("identitystore", endpoint_url=endpoint, **CREDS)
    by_id = {}
    config = configparser.ConfigParser()
    config.read(Path(inventory_dir) / "output" / "aws" / "config")
    session = identity_center.get("session_name", project)
    profile_names = {ps["name"]: ps.get("profile_name", ps["name"].lower())
                     for ps in identity_center.get("permission_sets", [])}
    checks.check(f"sso-session {session} points at the access portal of {store}",
                 config.get(f"sso-session {session}", "sso_start_url", fallback="")
                 == f"https://{store}.awsapps.com/start")
    names_by_id = {str(v): k for k, v in ids.items()}
    for assignment in identity_center.get("assignments", []):
        group = assignment["group"]
        group_id = identitystore.get_group_id(IdentityStoreId=store, AlternateIdentifier={
            "UniqueAttribute": {"AttributePath": "displayName", "AttributeValue": group}})["GroupId"]
        if group_id not in by_id:
            by_id[group_id] = sso.list_account_assignments_for_principal(
                InstanceArn=arn, PrincipalId=group_id, PrincipalType="GROUP")["AccountAssignments"]
        ps_arn = permission_sets.get(assignment["permission_set"])
        want = _expand_targets(assignment["targets"], ids, snapshot)
        got = {a["AccountId"] for a in by_id[group_id] if a["PermissionSetArn"] == ps_arn}
        checks.check(f"group {group} has {assignment['permission_set']} in {len(want)} accounts", got == want,
                     sorted(got ^ want))
        for account_id in sorted(want):
            profile = f"profile {project}-{names_by_id.get(account_id)}-{profile_names[assignment['permission_set']]}"
            checks.check(f"SSO {profile} signs in to {account_id} as {assignment['permission_set']}",
                         config.get(profile, "sso_account_id", fallback=None) == account_id
                         and config.get(profile, "sso_role_name", fallback=None) == assignment["permission_set"]
                         and config.get(profile, "sso_session", fallback=None) == session)


def main(argv):
    checks = verify(argv[1], argv[2])
    for name, ok, detail in checks.results:
        print(f"{'ok  ' if ok else 'FAIL'} {name}{'' if ok else f'  ({detail})'}")
    print(f"{len(checks.results) - len(checks.failed)} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
