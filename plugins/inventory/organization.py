# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: organization
short_description: The accounts of a live AWS Organization as inventory hosts
version_added: 0.1.0
description:
  - Lists the member accounts of the AWS Organization that the credentials manage, one host per
    account, for day-2 work across existing accounts. Every host runs with C(ansible_connection=local)
    on the controller's Python; tasks reach the account through AWS APIs, typically with the
    C(assume_role) option of this collection's modules.
  - The inventory file is a YAML configuration file whose name ends with C(organization.yml),
    C(organization.yaml), C(aws_organization.yml) or C(aws_organization.yaml), for example
    C(inventories/prod/organization.yml).
  - The host name is the account name in lower case with every character outside C([a-z0-9_-])
    replaced by C(_), after removing O(hostname_prefix_strip). When several accounts end up with the
    same host name, each of them gets C(_<account id>) appended, so the result never depends on the
    order AWS lists the accounts in.
  - 'Host variables: C(account_id), C(account_name), C(account_email), C(account_arn),
    C(account_status), C(account_joined_method), C(account_ou) (the OU path, V(/) for the root,
    V(/workloads/prod) for an OU two levels down), C(account_ou_id), C(account_tags) (a dict),
    C(member_role_arn) (member accounts only, see O(member_role_name)),
    C(ansible_connection=local) and C(ansible_python_interpreter) (the Python running Ansible on
    the controller). O(compose) can override any of them.'
  - Every value read from AWS is marked unsafe, so Ansible never evaluates it as a template. An
    account renamed to C({{ lookup('pipe', ...\) }}) stays that text and runs nothing on the
    controller.
  - 'Groups: C(accounts) (every host), C(management) (the management account, from
    DescribeOrganization) and one group per OU named C(ou_) plus the OU path with C(/) and
    characters outside C([a-z0-9_]) turned into C(_) (V(/workloads/prod) is C(ou_workloads_prod)).
    The group of an OU has the groups of its child OUs as children, so C(ou_workloads) holds the
    accounts of every OU below C(/workloads). Accounts directly under the root are only in
    C(accounts).'
  - 'AWS calls per refresh: one DescribeOrganization, one ListRoots, then one
    ListOrganizationalUnitsForParent and one ListAccountsForParent per OU and for the root (more
    pages for very large parents), plus one ListTagsForResource per listed account when
    O(include_tags=true). No per-account DescribeAccount or ListParents. Organizations throttles
    its API per organization; for a few hundred accounts the tag calls dominate, so set
    O(include_tags=false) when tags are not needed, or enable the inventory cache.'
  - The credentials must belong to the management account or to a delegated administrator for
    AWS Organizations.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  plugin:
    description: Marks this file as an inventory source for this plugin.
    type: str
    required: true
    choices: [awsorg.landing_zone.organization]
  include_statuses:
    description:
      - Accounts whose status is in this list become hosts.
      - V(SUSPENDED) covers closed accounts during their post-closure period, V(PENDING_CLOSURE)
        accounts being closed. V(PENDING_ACTIVATION) and V(CLOSED) are values of the newer
        C(State) field, which the plugin reads when AWS no longer returns C(Status).
    type: list
    elements: str
    choices: [ACTIVE, SUSPENDED, PENDING_CLOSURE, PENDING_ACTIVATION, CLOSED]
    default: [ACTIVE]
  include_tags:
    description:
      - Read each listed account's tags into C(account_tags), one ListTagsForResource call per
        account.
      - With V(false), C(account_tags) is an empty dict and no tag call is made.
    type: bool
    default: true
  member_role_name:
    description:
      - The role the management account reaches each member account through. Every member account's
        host gets C(member_role_arn), the ARN of that role in the account, in the partition of the
        account's own ARN (C(arn:aws:), C(arn:aws-cn:) or C(arn:aws-us-gov:)).
      - The management account has no such role (AWS Organizations creates it in new member
        accounts only), so its host gets no C(member_role_arn).
    type: str
    default: OrganizationAccountAccessRole
  hostname_prefix_strip:
    description:
      - A prefix to remove from account names before they become host names, for example the
        project prefix V(acme-) so that account C(acme-security) becomes host C(security).
      - Compared after the same lower-casing and sanitising as the names. An account whose name is
        exactly the prefix keeps its full name.
    type: str
extends_documentation_fragment:
  - inventory_cache
  - constructed
  - amazon.aws.boto3
  - amazon.aws.common.plugins
  - amazon.aws.region.plugins
  - amazon.aws.assume_role.plugins
notes:
  - The region defaults to C(us-east-1), where the Organizations endpoint of the commercial
    partition lives; set O(region) for GovCloud or China.
  - Besides O(endpoint_url) (or C(AWS_URL)), botocore honours C(AWS_ENDPOINT_URL).
  - Ansible's C(auto) inventory plugin (enabled by default) loads this plugin from the file's C(plugin) key;
    an C(enable_plugins) setting in C(ansible.cfg) must keep C(auto), or list C(awsorg.landing_zone.organization).
"""

EXAMPLES = r"""
# inventories/prod/organization.yml
plugin: awsorg.landing_zone.organization
hostname_prefix_strip: acme-
include_statuses: [ACTIVE]
keyed_groups:
  # env_prod, env_dev, ... from the account tag "env"
  - key: account_tags.env
    prefix: env
# member_role_arn: arn:<partition>:iam::<account id>:role/OrganizationAccountAccessRole
member_role_name: OrganizationAccountAccessRole
groups:
  production: account_ou.startswith('/workloads/prod')
cache: true
cache_plugin: ansible.builtin.jsonfile
cache_connection: ~/.cache/ansible-organization
cache_timeout: 3600
"""

import re
import sys
from collections import Counter
from collections import deque

from ansible.utils.unsafe_proxy import wrap_var

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError
from ansible_collections.amazon.aws.plugins.module_utils.tagging import boto3_tag_list_to_ansible_dict
from ansible_collections.amazon.aws.plugins.plugin_utils.inventory import AWSInventoryBase

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import DEFAULT_PARTITION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import iam_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.arns import partition_of

# Organizations is a global service served from us-east-1 in the commercial partition.
DEFAULT_REGION = "us-east-1"
ALL_ACCOUNTS_GROUP = "accounts"
MANAGEMENT_GROUP = "management"
OU_GROUP_PREFIX = "ou_"

_NOT_IN_HOST_NAME = re.compile(r"[^a-z0-9_-]")
# Ansible warns about "-" in group names, so groups are stricter than hosts.
_NOT_IN_GROUP_NAME = re.compile(r"[^a-z0-9_]")


# --- names ------------------------------------------------------------------


def sanitize_host_name(account_name, prefix_strip=None):
    """``"Acme-Log Archive"`` -> ``"acme-log_archive"``; with prefix ``"acme-"`` -> ``"log_archive"``."""
    name = _NOT_IN_HOST_NAME.sub("_", account_name.lower())
    if prefix_strip:
        prefix = _NOT_IN_HOST_NAME.sub("_", prefix_strip.lower())
        if name != prefix:
            name = name.removeprefix(prefix)
    return name


def assign_host_names(accounts, prefix_strip=None):
    """Map account id -> a unique host name.

    Every account whose sanitised name is shared gets ``_<account id>``
    appended, so adding or listing accounts in another order never changes
    which account gets which name.
    """
    wanted = {account["id"]: sanitize_host_name(account["name"], prefix_strip) for account in accounts}
    shared = Counter(wanted.values())
    taken = {name for name, count in shared.items() if count == 1}
    names = {}
    for account_id in sorted(wanted):
        name = wanted[account_id]
        if shared[name] > 1:
            name = f"{name}_{account_id}"
            # Only possible when another account is literally named "<name>_<id>".
            while name in taken:
                name = f"{name}_{account_id}"
            taken.add(name)
        names[account_id] = name
    return names


def ou_group_name(ou_path):
    """``"/workloads/prod"`` -> ``"ou_workloads_prod"``; the root has no group (None)."""
    parts = [part for part in ou_path.split("/") if part]
    if not parts:
        return None
    return OU_GROUP_PREFIX + "_".join(_NOT_IN_GROUP_NAME.sub("_", part.lower()) for part in parts)


# --- reading the organization -----------------------------------------------


def account_status(account):
    # AWS is replacing the account's "Status" by "State"; read whichever is there.
    return account.get("Status") or account.get("State")


def account_record(account, ou_path, ou_id):
    return dict(
        id=account["Id"],
        name=account["Name"],
        email=account.get("Email"),
        arn=account.get("Arn"),
        status=account_status(account),
        joined_method=account.get("JoinedMethod"),
        ou_path=ou_path,
        ou_id=ou_id,
        tags={},
    )


def walk_organization_tree(client):
    """Every OU and every account, one listing of each kind per parent.

    Returns ``(ous, accounts)``: OUs as ``{id, path, parent_path}``, parents
    before their children, and accounts as account records carrying the path
    of their parent, found on the way down so no account needs a ListParents
    call.
    """
    ous = []
    accounts = []
    pending = deque((root["Id"], "/") for root in org.list_roots(client))
    while pending:
        parent_id, parent_path = pending.popleft()
        for account in org.list_accounts_for_parent(client, parent_id):
            accounts.append(account_record(account, parent_path, parent_id))
        for ou in sorted(org.list_ous_for_parent(client, parent_id), key=lambda ou: ou["Name"]):
            path = parent_path.rstrip("/") + "/" + ou["Name"]
            ous.append(dict(id=ou["Id"], path=path, parent_path=parent_path))
            pending.append((ou["Id"], path))
    return ous, accounts


def read_organization(client, include_statuses, include_tags):
    """A JSON-serialisable snapshot of the organization: what the cache stores."""
    organization = org.describe_organization(client)
    if organization is None:
        raise AnsibleAWSError(
            message="The credentials' account is not part of an AWS Organization (AWSOrganizationsNotInUseException)"
        )
    ous, accounts = walk_organization_tree(client)
    accounts = [account for account in accounts if account["status"] in include_statuses]
    if include_tags:
        for account in accounts:
            account["tags"] = boto3_tag_list_to_ansible_dict(org.list_tags(client, account["id"]))
    return dict(
        organization_id=organization["Id"],
        management_account_id=organization.get("MasterAccountId"),
        ous=ous,
        accounts=accounts,
    )


def account_host_vars(account):
    """The host variables of one account.

    Everything read from AWS (names, emails, OU paths, tags...) is marked
    unsafe: whoever may rename an account, an OU or tag an account must not
    get to run Jinja (``{{ lookup('pipe', ...) }}``) on the controller, with
    the management account's credentials.  ansible-core 2.19 never templates
    inventory plugin data it was not told to trust; 2.17 and 2.18 template
    every unmarked string, so the marking is what protects them (the same
    ``wrap_var`` community.general's inventory plugins adopted for remote
    data: ansible-collections/community.general#8098).
    """
    from_aws = dict(
        account_id=account["id"],
        account_name=account["name"],
        account_email=account["email"],
        account_arn=account["arn"],
        account_status=account["status"],
        account_joined_method=account["joined_method"],
        account_ou=account["ou_path"],
        account_ou_id=account["ou_id"],
        account_tags=account["tags"],
    )
    host_vars = {name: wrap_var(value) for name, value in from_aws.items()}
    host_vars.update(
        ansible_connection="local",
        # The controller's own interpreter: it has boto3, since this plugin just used it.
        ansible_python_interpreter=sys.executable,
    )
    return host_vars


def member_role_arn(account, role_name):
    """The ARN of ``role_name`` in ``account``, in the partition of the account's own ARN."""
    partition = partition_of(account["arn"]) if account.get("arn") else DEFAULT_PARTITION
    return iam_role_arn(partition, account["id"], role_name)


# --- the plugin -------------------------------------------------------------


class InventoryModule(AWSInventoryBase):
    NAME = "awsorg.landing_zone.organization"
    INVENTORY_FILE_SUFFIXES = (
        "organization.yml",
        "organization.yaml",
        "aws_organization.yml",
        "aws_organization.yaml",
    )

    def parse(self, inventory, loader, path, cache=True):
        super().parse(inventory, loader, path, cache=cache)
        found, snapshot = self.get_cached_result(path, cache)
        if not found:
            snapshot = self._read_snapshot()
            self.update_cached_result(path, cache, snapshot)
        self._populate(snapshot)

    def _read_snapshot(self):
        client = self.client("organizations", region=self.region or DEFAULT_REGION)
        try:
            return read_organization(
                client,
                include_statuses=self.get_option("include_statuses"),
                include_tags=self.get_option("include_tags"),
            )
        except AnsibleAWSError as e:
            self.fail_aws(
                f"{e.message or 'Failed to read the organization'} (the inventory needs credentials of the"
                " management account or of a delegated administrator for AWS Organizations)",
                exception=e.exception,
            )

    def _populate(self, snapshot):
        self.inventory.add_group(ALL_ACCOUNTS_GROUP)
        self.inventory.add_group(MANAGEMENT_GROUP)
        self._add_ou_groups(snapshot["ous"])
        host_names = assign_host_names(snapshot["accounts"], self.get_option("hostname_prefix_strip"))
        for account in sorted(snapshot["accounts"], key=lambda account: host_names[account["id"]]):
            host = host_names[account["id"]]
            self._add_account(host, account, is_management=account["id"] == snapshot["management_account_id"])

    def _add_ou_groups(self, ous):
        paths_by_group = {}
        # Parents come before their children, so each parent group exists when its child is linked.
        for ou in ous:
            path = ou["path"]
            group = ou_group_name(path)
            if group in paths_by_group and paths_by_group[group] != path:
                self.warn(
                    f"OU paths {paths_by_group[group]!r} and {path!r} both map to group {group!r};"
                    " their accounts share that group"
                )
            paths_by_group.setdefault(group, path)
            self.inventory.add_group(group)
            # From the walk, not from splitting the path: an OU name may itself contain "/".
            parent_group = ou_group_name(ou["parent_path"])
            if parent_group:
                self.inventory.add_child(parent_group, group)

    def _add_account(self, host, account, is_management):
        self.inventory.add_host(host, group=ALL_ACCOUNTS_GROUP)
        ou_group = ou_group_name(account["ou_path"])
        if ou_group:
            self.inventory.add_child(ou_group, host)
        if is_management:
            self.inventory.add_child(MANAGEMENT_GROUP, host)
        host_vars = account_host_vars(account)
        role_name = self.get_option("member_role_name")
        if role_name and not is_management:
            host_vars["member_role_arn"] = wrap_var(member_role_arn(account, role_name))
        for name, value in host_vars.items():
            self.inventory.set_variable(host, name, value)
        strict = self.get_option("strict")
        self._set_composite_vars(self.get_option("compose"), host_vars, host, strict=strict)
        self._add_host_to_composed_groups(self.get_option("groups"), host_vars, host, strict=strict)
        self._add_host_to_keyed_groups(self.get_option("keyed_groups"), host_vars, host, strict=strict)
