# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the per-account security baseline in one module run.

The settings: the account alias, the password policy, the account-level S3
public access block, EBS encryption by default (and its KMS key) in each
region, and the alternate contacts.  A setting the task leaves out is not
read and not touched.

Every option is checked, then every setting is read, and only then is
anything written, so a bad value or a missing KMS key fails before the
first write.  ``settings_problems`` is also what the preflight runs on
``landing_zone_baseline``.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import account_contacts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import ec2_ebs
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam_alias
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import iam_password_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import CONTACT_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import PASSWORD_POLICY_DEFAULTS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.baseline_settings import settings_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import kms
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import s3control
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import role_arn_account_id


# --- options ------------------------------------------------------------------


def _contact_spec():
    return dict(
        type="dict",
        options=dict(
            name=dict(type="str", required=True),
            title=dict(type="str", required=True),
            email_address=dict(type="str", required=True),
            phone_number=dict(type="str", required=True),
        ),
    )


def argument_spec_of_one_account():
    """The options of one account (the module's, and those org_account's follow_up checks a job against)."""
    return dict(
        account_alias=dict(type="str"),
        password_policy=dict(
            type="dict",
            no_log=False,
            options=dict(
                minimum_password_length=dict(type="int", default=6, no_log=False),
                require_symbols=dict(type="bool", default=False),
                require_numbers=dict(type="bool", default=False),
                require_uppercase=dict(type="bool", default=False),
                require_lowercase=dict(type="bool", default=False),
                allow_password_change=dict(type="bool", default=False, no_log=False),
                password_max_age=dict(type="int", default=0, no_log=False),
                password_reuse_prevent=dict(type="int", default=0, no_log=False),
                hard_expiry=dict(type="bool", default=False),
            ),
        ),
        s3_public_access_block=dict(
            type="dict",
            options=dict(
                block_public_acls=dict(type="bool", default=True),
                ignore_public_acls=dict(type="bool", default=True),
                block_public_policy=dict(type="bool", default=True),
                restrict_public_buckets=dict(type="bool", default=True),
            ),
        ),
        ebs_encryption_by_default=dict(type="bool"),
        ebs_default_kms_key_id=dict(type="str"),
        regions=dict(type="list", elements="str"),
        alternate_contacts=dict(
            type="dict",
            options=dict(billing=_contact_spec(), operations=_contact_spec(), security=_contact_spec()),
        ),
    )


class Change:
    """One setting: where it sits in the result, what AWS has, what is wanted, how to write it."""

    def __init__(self, path, before, after, write):
        self.path = path
        self.before = before
        self.after = after
        self.write = write

    @property
    def changed(self):
        return self.before != self.after

    @property
    def label(self):
        return ":".join(self.path)


# --- the settings ------------------------------------------------------------------


def _alias_change(module):
    wanted = module.params["account_alias"]
    client = module.client("iam")
    aliases = iam_alias.list_account_aliases(client)
    before = aliases[0] if aliases else None

    def write():
        # An account has one alias: the old one goes first.
        if before is not None:
            iam_alias.delete_account_alias(client, before)
        iam_alias.create_account_alias(client, wanted)

    return Change(("account_alias",), before, wanted, write)


def _password_policy_change(module):
    wanted = iam_password_policy.wanted(dict(PASSWORD_POLICY_DEFAULTS, **module.params["password_policy"]))
    client = module.client("iam")
    before = iam_password_policy.from_api(iam.get_account_password_policy(client))

    def write():
        iam.update_account_password_policy(client, **iam_password_policy.to_api(wanted))

    return Change(("password_policy",), before, wanted, write)


def _public_access_block_view(configuration):
    if configuration is None:
        return None
    return {option: configuration.get(field, False) for option, field in s3control.PUBLIC_ACCESS_BLOCK_FIELDS.items()}


def _public_access_block_change(module, account_id):
    wanted = {option: module.params["s3_public_access_block"][option] for option in s3control.PUBLIC_ACCESS_BLOCK_FIELDS}
    client = s3control.s3control_client(module)
    before = _public_access_block_view(s3control.get_public_access_block(client, account_id))

    def write():
        configuration = {field: wanted[option] for option, field in s3control.PUBLIC_ACCESS_BLOCK_FIELDS.items()}
        s3control.put_public_access_block(client, account_id, configuration)

    return Change(("s3_public_access_block",), before, wanted, write)


def _key_arn(kms_client, key_id):
    """The ARN of a key id, key ARN, alias name or alias ARN; None when the region has no such key."""
    metadata = kms.describe_key(kms_client, key_id)
    return metadata["Arn"] if metadata else None


def ebs_region_change(region, ec2_client, kms_client, encryption_by_default, kms_key_id):
    """The EBS default encryption of one region: ``encryption_by_default`` (None: keep) and its key.

    ``kms_key_id`` may name the key any way KMS accepts; both it and the key
    EBS reports (an ARN, or ``alias/aws/ebs`` for the AWS managed key) are
    compared as key ARNs.  Raises ValueError when the region has no such key.
    """
    before = dict(encryption_by_default=ec2_ebs.get_ebs_encryption_by_default(ec2_client))
    after = dict(before)
    if encryption_by_default is not None:
        after["encryption_by_default"] = encryption_by_default
    if kms_key_id is not None:
        wanted_arn = _key_arn(kms_client, kms_key_id)
        if wanted_arn is None:
            raise ValueError(f"ebs_default_kms_key_id: there is no KMS key {kms_key_id!r} in {region}")
        current = ec2_ebs.get_ebs_default_kms_key_id(ec2_client)
        if current and ":key/" not in current:
            current = _key_arn(kms_client, current) or current
        before["default_kms_key_id"] = current
        after["default_kms_key_id"] = wanted_arn

    def write():
        # The key first: volumes created right after encryption is switched on use it.
        if after.get("default_kms_key_id") != before.get("default_kms_key_id"):
            ec2_ebs.modify_ebs_default_kms_key_id(ec2_client, after["default_kms_key_id"])
        if after["encryption_by_default"] != before["encryption_by_default"]:
            if after["encryption_by_default"]:
                ec2_ebs.enable_ebs_encryption_by_default(ec2_client)
            else:
                ec2_ebs.disable_ebs_encryption_by_default(ec2_client)

    return Change(("ebs", region), before, after, write)


def _ebs_changes(module, regions):
    params = module.params
    changes = []
    for region in regions:
        kms_client = module.client("kms", region=region) if params["ebs_default_kms_key_id"] else None
        try:
            changes.append(
                ebs_region_change(
                    region,
                    module.client("ec2", region=region),
                    kms_client,
                    params["ebs_encryption_by_default"],
                    params["ebs_default_kms_key_id"],
                )
            )
        except ValueError as e:
            module.fail_json(msg=str(e))
    return changes


def _contact_view(contact):
    if contact is None:
        return None
    return {option: contact.get(field) for option, field in account_contacts.CONTACT_FIELDS.items()}


def _contact_changes(module):
    client = module.client("account")
    changes = []
    for kind, contact_type in CONTACT_TYPES.items():
        wanted = module.params["alternate_contacts"].get(kind)
        if wanted is None:
            continue
        wanted = {option: wanted[option] for option in account_contacts.CONTACT_FIELDS}
        before = _contact_view(account_contacts.get_alternate_contact(client, contact_type))

        def write(contact_type=contact_type, wanted=wanted):
            contact = {field: wanted[option] for option, field in account_contacts.CONTACT_FIELDS.items()}
            account_contacts.put_alternate_contact(client, contact_type, contact)

        changes.append(Change(("alternate_contacts", kind), before, wanted, write))
    return changes


# --- the run ---------------------------------------------------------------------


def target_account_id(module):
    """The account acted in: from assume_role when set, else the caller's own."""
    assumed = module.assumed_role
    if assumed and assumed.get("account_id"):
        return str(assumed["account_id"])
    if assumed and assumed.get("role_arn"):
        account_id = role_arn_account_id(assumed["role_arn"])
        if account_id:
            return account_id
    return get_caller_identity(module.client("sts"))["Account"]


def _regions(module):
    regions = module.params["regions"] or ([module.region] if module.region else [])
    if not regions:
        module.fail_json(msg="regions: no region given and none configured; set regions or region")
    return list(dict.fromkeys(regions))


def _uses_ebs(params):
    return params["ebs_encryption_by_default"] is not None or params["ebs_default_kms_key_id"] is not None


def read_changes(module):
    """Every managed setting, read from AWS; nothing is written here."""
    params = module.params
    changes = []
    if params["account_alias"] is not None:
        changes.append(_alias_change(module))
    if params["password_policy"] is not None:
        changes.append(_password_policy_change(module))
    if params["s3_public_access_block"] is not None:
        changes.append(_public_access_block_change(module, target_account_id(module)))
    if _uses_ebs(params):
        changes.extend(_ebs_changes(module, _regions(module)))
    if params["alternate_contacts"] is not None:
        changes.extend(_contact_changes(module))
    return changes


def _nest(changes, side):
    view = {}
    for change in changes:
        *parents, leaf = change.path
        node = view
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = getattr(change, side)
    return view


def check_settings(module):
    """Refuse bad settings before any AWS call."""
    problems = settings_problems(module.params)
    if problems:
        module.fail_json(msg="; ".join(problems))


def run(module):
    check_settings(module)
    changes = read_changes(module)
    changed = [change for change in changes if change.changed]
    if not module.check_mode:
        for change in changed:
            change.write()
    return dict(
        changed=bool(changed),
        changed_settings=[change.label for change in changed],
        baseline=_nest(changes, "after"),
        diff=dict(before=_nest(changes, "before"), after=_nest(changes, "after")),
    )
