#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_account
short_description: Create or adopt a member account, place it in its OU, tag it, or retire it
version_added: 0.1.0
description:
  - Manages one account of the organization per task, or every account listed in O(accounts) in
    one task. Must run with credentials of the management account.
  - With O(accounts), each entry's O(accounts[].params) holds that account's options (O(name),
    O(email), O(ou), O(tags), O(state)...); the task's own options apply to every entry. The whole
    run lists the organization's accounts and creation requests once, not once per account, and
    keeps at most five creations in flight, the limit AWS sets per organization (with O(wait=false)
    a slot is freed as soon as the request is sent, so the limit is not kept). Entries act in
    the management account, so O(accounts[].role_name) and O(accounts[].caller) do not apply; an
    entry's O(accounts[].account_id) is its O(account_id). No two entries may have the same O(email).
  - Before anything is created, the account is looked for, and the first match is adopted
    (reported in RV(found_by)). First by O(account_id), with one DescribeAccount call (the
    organization is never listed). An account outside the organization is invited to join it only
    with O(invite=true), and accepted in that account with the credentials of O(invite_profile).
  - Then by O(email) among the accounts of the organization (case-insensitive).
  - Then by O(name) among the account creation requests still in progress, or succeeded but
    whose account is not listed yet. A run interrupted after CreateAccount was sent therefore
    waits on the same request when it runs again, and never creates a second account.
  - Otherwise the account is created from O(name) and O(email) (CreateAccount), and the task
    waits until AWS reports the creation request as succeeded or failed. A failure is reported
    with the reason in plain words.
  - A CreateAccount whose answer was lost is sent again by botocore, and AWS fails that repeat with
    C(EMAIL_ALREADY_EXISTS) (or C(CONCURRENT_ACCOUNT_MODIFICATION) while the first request runs). The
    account the first request made is then adopted (read back by O(email), waiting on the first
    request when it is still in progress) rather than failing; an email owned by an account outside
    the organization still fails.
  - A creation request that fails with C(INTERNAL_FAILURE), AWS's own failure ("try again later"),
    is sent again, twice at most, with a warning; a request that fails for any other reason is not.
  - Two accounts of the organization with the O(email), or two OUs of one name on the O(ou) path,
    are reported with their names and ids before anything is written; with O(accounts), every
    entry is checked against the run's one listing before the first account is touched.
  - New accounts land in the root; the account is then moved to O(ou) when set.
  - With O(state=absent), the account is retired, that is moved into O(quarantine_ou), and closed only
    when O(close=true). The management account is never retired.
  - An existing account whose name is not O(name) is renamed (PutAccountName of AWS Account Management),
    and the regions of O(opt_in_regions) and O(opt_out_regions) are enabled and disabled. Both act from
    the management account; a member account is named by its id, which AWS allows once the organization
    trusts AWS Account Management (C(account.amazonaws.com) in
    O(awsorg.landing_zone.org_organization#module:aws_service_access_principals)). Without that trust a
    member account is not renamed (a warning says so) and its region options fail.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  name:
    description:
      - Name of the account, 1 to 50 printable ASCII characters.
      - Required to create an account. An existing account with another name is renamed to it;
        a member account only when the organization trusts AWS Account Management (else a warning
        says so).
    type: str
  rename:
    description:
      - Rename an existing account whose name is not O(name). With V(false), a warning names both
        names and nothing is renamed.
      - The landing zone's roles pass V(false) for an account whose C(account_name) the inventory
        does not set (the default C(<project>-<host>)), so an adopted account is renamed only when
        its new name is written down.
    type: bool
    default: true
  email:
    description:
      - Email address of the account's root user. Unique across all of AWS.
      - With O(account_id), must match the account's email when set.
    type: str
  account_id:
    description:
      - Twelve-digit id of an existing account of the organization to adopt, for example the
        management account. The account must exist; it is never created from an id.
      - An existing account outside the organization is refused, unless O(invite=true).
    type: str
  invite:
    description:
      - Invite the account O(account_id) to join the organization when it is not a member
        (InviteAccountToOrganization, with O(tags) as the tags it gets when it joins).
      - A pending invitation of the account is adopted, never sent twice; so is the one a lost
        answer made (AWS refuses botocore's repeat with C(DuplicateHandshakeException)).
      - Without O(invite_profile) the invitation stays open, the account is reported waiting for
        acceptance (a warning with the handshake id, and C(joined=false) in RV(invitation)), and the
        task does nothing more to it until it joins.
    type: bool
    default: false
  invite_profile:
    description:
      - An AWS CLI profile on the controller with credentials of the invited account (not the
        management account's). With it the invitation is accepted in that account
        (AcceptHandshake), and the role O(role_name) that invited accounts lack is created there,
        trusting the management account and with C(AdministratorAccess), as AWS's guide
        "Creating OrganizationAccountAccessRole for an invited account" does.
      - Only needed for the run that brings the account in; later runs reach the account through
        that role. A role of that name made by someone else is left alone.
    type: str
  ou:
    description:
      - Path of the OU the account belongs in, for example V(/workloads/prod); V(/) is the root.
      - The OU must exist (see M(awsorg.landing_zone.org_ou)); this module does not create OUs.
      - When not set, the account is not moved (new accounts stay in the root).
      - Only used with O(state=present).
    type: str
  role_name:
    description:
      - Name of the IAM role AWS creates in a new account, which the management account can
        assume. Only used when the account is created.
    type: str
    default: OrganizationAccountAccessRole
  iam_user_access_to_billing:
    description:
      - Whether IAM users and roles of a new account can reach its billing information (when
        their policies allow it). Only used when the account is created.
    type: str
    choices: [ALLOW, DENY]
    default: ALLOW
  tags:
    description:
      - Tags of the account. When not set, the tags of an existing account are left alone.
      - Only used with O(state=present).
    type: dict
  purge_tags:
    description:
      - Remove the tags of the account that are not in O(tags). Tags whose key starts with
        V(aws:) are never removed.
    type: bool
    default: false
  state:
    description:
      - V(present) creates or adopts the account, moves it to O(ou) and sets its tags.
      - V(absent) retires the account; see O(quarantine_ou) and O(close). An account that does
        not exist is no change.
    type: str
    choices: [present, absent]
    default: present
  quarantine_ou:
    description:
      - Path of the OU a retired account is moved into. It must exist. Required with
        O(state=absent).
    type: str
  close:
    description:
      - With O(state=absent), also close the account (CloseAccount). Closing is never implied.
      - An account already closed (C(SUSPENDED), C(PENDING_CLOSURE) or C(CLOSED)) is no change.
      - AWS only lets an organization close a limited share of its member accounts per rolling 30 days
        (see O(close_quota)). Before its first CloseAccount a run plans its closures - the quota, minus
        the closures of the last 30 days it can know of (each closed account carrying the tag
        C(landing-zone:close-requested), the UTC time this module set right before CloseAccount). The
        accounts that fit close, in the order given; the others stay retired in O(quarantine_ou), with
        RV(close_state=waiting), RV(close_waiting_until) and a warning, and a later run closes them.
      - When AWS refuses anyway (CLOSE_ACCOUNT_QUOTA_EXCEEDED, closures made outside this module), the
        account waits too, its date unknown; the task does not fail.
    type: bool
    default: false
  close_quota:
    description:
      - How many member accounts AWS lets this organization close per rolling 30 days.
      - Unset, AWS's documented figure for the organization's member count, the higher of 250 and
        20% of the member accounts, at most 1,000 (CloseAccount, Organizations API Reference).
    type: int
  quota_check_only:
    description:
      - Only check that the accounts the options (or O(accounts)) would create fit the organization's
        account quota, and write nothing. The quota is Service Quotas' C(Default maximum number of
        accounts) (service C(organizations)), AWS's default of 10 with a warning when Service Quotas has
        no answer; every account of the organization counts, closed ones too until AWS removes them.
        Without an organization yet, the quota is the default and the caller's account the only one.
      - The organization role runs this before its first write. A run that creates accounts checks the
        same before its first CreateAccount anyway.
    type: bool
    default: false
  host:
    description:
      - The inventory host of the account; names it in the account quota's messages. No effect on AWS.
    type: str
  opt_in_regions:
    description:
      - Opt-in regions to enable in the account (EnableRegion), for example V(eu-central-2). Only
        regions AWS launched after March 20, 2019 are opt-in; the regions enabled by default are
        refused, as is a region also in O(opt_out_regions).
      - Only used with O(state=present). Regions not listed are left as they are.
    type: list
    elements: str
  opt_out_regions:
    description:
      - Opt-in regions to disable in the account (DisableRegion). Disabling a region makes every
        resource in it unreachable; a region is never disabled because it is not in
        O(opt_in_regions).
      - Only used with O(state=present).
    type: list
    elements: str
  wait:
    description:
      - Wait for a creation request to finish. With V(false), the task returns as soon as the
        request is sent; the account is placed in O(ou) by a later run.
      - Also wait until the regions of O(opt_in_regions) and O(opt_out_regions) read C(ENABLED) or
        C(DISABLED) (AWS takes minutes, sometimes hours). With V(false) they may still read
        C(ENABLING) or C(DISABLING).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for a creation request, or for the regions to change. After a timeout the
        request carries on at AWS; running the task again waits on the same request.
    type: int
    default: 900
  follow_up:
    description:
      - With O(accounts), each account's own work, started in that account as soon as it is ready
        (created or found, placed, tagged, C(ACTIVE)) while other accounts are still being created,
        instead of after the last creation. Each job is a run of
        M(awsorg.landing_zone.account_baseline) or M(awsorg.landing_zone.iam_cross_account_role) with
        its O(follow_up.jobs[].options) and one entry per account, done by that module's own code, and
        checked against that module's options before the first write of this task.
      - The order of O(follow_up.waves) is kept. An entry's jobs start when every entry of a lower wave
        has finished its jobs, and when every account its O(follow_up.jobs[].account_id_options) name
        is ready. An account that fails, or a job that fails, stops every later wave; the task then
        fails and names them. An account that is not a member yet (an invitation waiting for its
        acceptance) gets no jobs, and does not hold up the others.
      - Creations are started in the order of the waves, lowest first.
      - The result lists the jobs in RV(follow_up), and the entries whose jobs all ended well in
        RV(followed_up); the diff has a key per account and job.
    type: dict
    suboptions:
      member_role_name:
        description: The role the jobs assume in a member account.
        type: str
        default: OrganizationAccountAccessRole
      waves:
        description: The deploy wave of each entry of O(accounts), in their order.
        type: list
        elements: int
        required: true
      max_workers:
        description: How many accounts run their jobs at the same time.
        type: int
        default: 8
      leave_last_creations:
        description:
          - Leave the jobs of the accounts created in the last round of creations (the last five or fewer
            accounts this task creates, in the order of the waves) to the caller, with the entries of every
            later wave. This task then ends once the last creation has ended, instead of waiting for those
            accounts' member roles to become usable (seconds to minutes after a creation) and doing their
            jobs; they are left out of RV(followed_up) and listed in RV(follow_up_left).
          - For a playbook that converges the accounts left out afterwards, with organization-wide work
            (policies, the account map, the identity account) that runs during that wait. The
            C(organization) role sets it and starts a second run of this module in the background
            (C(async)) whose entries are the accounts left out, which waits for their member roles and
            does their jobs; its wave plays wait for that run.
          - The accounts this task creates are those of the entries without O(account_id) whose email no
            account of the organization has (one V(ListAccounts), the one the entries read), so a preview
            leaves out the same accounts as the real run.
        type: bool
        default: false
      jobs:
        description: The jobs, each run in its entries' accounts in the order given.
        type: list
        elements: dict
        default: []
        suboptions:
          module:
            description: The module whose work this job does.
            type: str
            required: true
            choices: [account_baseline, iam_cross_account_role]
          options:
            description: That module's options for every entry (not O(accounts) or C(assume_role)).
            type: dict
            default: {}
          entries:
            description: The accounts the job runs in.
            type: list
            elements: dict
            default: []
            suboptions:
              index:
                description: The account's place in O(accounts), from 0.
                type: int
                required: true
              caller:
                description: Act with this task's credentials (the management account) instead of the member role.
                type: bool
                default: false
              params:
                description: That account's own options, over O(follow_up.jobs[].options).
                type: dict
                default: {}
          account_id_options:
            description:
              - Options whose value is the id of another entry of O(accounts), by its place, such as
                C(source_account_id) of a role trusting the identity account when that account is
                created by this task. The job waits for that account.
            type: dict
            default: {}
notes:
  - Account creation requests are found again by account name, because AWS does not show the
    email of a request before the account exists. Give each account a distinct name.
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
  - awsorg.landing_zone.accounts
"""

EXAMPLES = r"""
- name: A production workload account
  awsorg.landing_zone.org_account:
    name: payments-prod
    email: aws+payments-prod@example.com
    ou: /workloads/prod
    tags:
      owner: payments
  register: payments_prod

- name: The management account, adopted by id and tagged
  awsorg.landing_zone.org_account:
    account_id: "123456789012"
    tags:
      role: management

- name: Rename an account and opt it in to two regions (the organization trusts account.amazonaws.com)
  awsorg.landing_zone.org_account:
    email: aws+payments-prod@example.com
    name: payments-production
    opt_in_regions: [eu-central-2, eu-south-2]
    opt_out_regions: [me-south-1]

- name: Retire an account into the suspended OU and close it
  awsorg.landing_zone.org_account:
    email: aws+old-sandbox@example.com
    state: absent
    quarantine_ou: /suspended
    close: true

- name: Every account of the organization in one run, five creations at a time
  awsorg.landing_zone.org_account:
    accounts:
      - params: {name: security, email: aws+security@example.com, ou: /security}
      - params: {name: payments-prod, email: aws+payments-prod@example.com, ou: /workloads/prod}
      - account_id: "123456789012"
        params: {tags: {role: management}}
    max_workers: 10
  register: organization_accounts
"""

RETURN = r"""
accounts:
  description:
    - With O(accounts), one result per entry, in the order given, each with C(account_id),
      C(changed), RV(account), RV(found_by), RV(adopted) and RV(create_request_id).
  returned: when O(accounts) is set
  type: list
  elements: dict
follow_up:
  description:
    - With O(follow_up), one result per job and account, ordered by entry, each with C(index)
      (the entry), C(account_id), C(module), C(label), C(changed) and the module's own result for
      that account.
  returned: when O(follow_up) is set
  type: list
  elements: dict
followed_up:
  description: With O(follow_up), the places in O(accounts) of the entries whose jobs all ended well.
  returned: when O(follow_up) is set
  type: list
  elements: int
  sample: [0, 1, 3]
follow_up_left:
  description:
    - With O(follow_up), the places in O(accounts) of the entries whose jobs were left to the caller
      (O(follow_up.leave_last_creations)), those of the last round of creations and of every later wave.
  returned: when O(follow_up) is set
  type: list
  elements: int
  sample: [2, 4]
close_state:
  description:
    - With O(close=true), V(closing) (CloseAccount sent, or the account is C(PENDING_CLOSURE)), V(closed)
      (C(SUSPENDED) or C(CLOSED)) or V(waiting) (not closed in this run, for the close quota). Null
      otherwise. With O(accounts), in each entry's result.
  returned: with O(state=absent) and an account found
  type: str
  sample: waiting
close_waiting_until:
  description:
    - The date (UTC, C(YYYY-MM-DD)) from which a waiting account can close; null when not waiting,
      or when the date is not known (AWS refused for closures made outside this module).
  returned: with O(state=absent) and an account found
  type: str
  sample: "2027-01-04"
account_quota:
  description: With O(quota_check_only), the account quota, the accounts that exist and the names of those planned.
  returned: with O(quota_check_only=true)
  type: dict
  sample: {quota: 10, existing: 4, planned: [sandbox, payments-prod]}
account:
  description:
    - The account after the change (predicted in check mode). Null when O(state=absent) and
      there is no such account.
  returned: without O(accounts)
  type: dict
  contains:
    id:
      description: Account id; null for an account not created yet (check mode, or O(wait=false)).
      type: str
      sample: "210987654321"
    arn:
      description: Account ARN.
      type: str
    name:
      description: Account name.
      type: str
    email:
      description: Email address of the account's root user.
      type: str
    status:
      description:
        - Account state, for example V(ACTIVE), V(SUSPENDED), V(PENDING_CLOSURE).
        - Null for an account still being created with O(wait=false).
      type: str
    ou_path:
      description: Path of the OU (or V(/) for the root) the account is in.
      type: str
      sample: /workloads/prod
    parent_id:
      description: Id of the OU or root the account is in.
      type: str
    tags:
      description: Tags of the account.
      type: dict
    joined_method:
      description: V(CREATED) or V(INVITED).
      type: str
    regions:
      description:
        - The opt-in status (V(ENABLED), V(DISABLED), V(ENABLING), V(DISABLING)) of each region of
          O(opt_in_regions) and O(opt_out_regions), by region. Only when one of them is set.
      type: dict
      sample: {"eu-central-2": "ENABLED"}
found_by:
  description:
    - How the account was found - V(account_id), V(email), V(create_request) (an earlier
      request in flight), or V(created) by this task. Null when nothing was found.
    - V(invited) for an account outside the organization that O(invite) invited, while it is not a member.
  returned: without O(accounts)
  type: str
  sample: email
adopted:
  description: Whether the account (or its creation request) existed before this task.
  returned: without O(accounts)
  type: bool
create_request_id:
  description: Id of the account creation request (C(car-...)) this task sent or waited on.
  returned: without O(accounts)
  type: str
  sample: car-exampleid12345
invitation:
  description:
    - With O(invite), the invitation of an account outside the organization (RV(found_by) is
      V(invited) while it is not a member), or an invited member whose role O(invite_profile) checked.
  returned: when the account was invited, or is an invited member and O(invite_profile) is set
  type: dict
  contains:
    handshake_id:
      description: Id of the handshake (C(h-...)); null in check mode before it is sent.
      type: str
    state:
      description: V(OPEN) (or V(REQUESTED)) while waiting for acceptance, V(ACCEPTED) after.
      type: str
    sent:
      description: Whether this task sent the invitation.
      type: bool
    accepted:
      description: Whether this task accepted it (predicted in check mode).
      type: bool
    member_role_created:
      description: Whether this task created the member role in the account (predicted in check mode).
      type: bool
    joined:
      description:
        - Whether the account is a member of the organization now. The landing zone's roles skip
          an account that has not joined.
      type: bool
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_for_accounts
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.run_context import RunContext
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_follow_up import FollowUps
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.account_follow_up import follow_up_argument_spec
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account_quotas import check_only
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account_reads import creation_indexes
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account import run_entry
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_account import validate_entry


def main():
    argument_spec = dict(
        name=dict(type="str"),
        email=dict(type="str"),
        account_id=dict(type="str"),
        rename=dict(type="bool", default=True),
        invite=dict(type="bool", default=False),
        invite_profile=dict(type="str"),
        ou=dict(type="str"),
        role_name=dict(type="str", default="OrganizationAccountAccessRole"),
        iam_user_access_to_billing=dict(type="str", choices=["ALLOW", "DENY"], default="ALLOW"),
        tags=dict(type="dict"),
        purge_tags=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        quarantine_ou=dict(type="str"),
        close=dict(type="bool", default=False),
        close_quota=dict(type="int"),
        quota_check_only=dict(type="bool", default=False),
        host=dict(type="str"),
        opt_in_regions=dict(type="list", elements="str"),
        opt_out_regions=dict(type="list", elements="str"),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=900),
    )
    # account_id-or-email and quarantine_ou for state=absent are checked per
    # account by the runner (validate), so that they apply to accounts entries too.
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True, accounts=True,
                                      batch_argument_spec=follow_up_argument_spec())
    try:
        if module.params["quota_check_only"]:
            module.exit_json(**check_only(module))
        if module.params["accounts"] is not None:
            context = RunContext(batch=True)
            follow_up = None
            if module.params["follow_up"]:
                follow_up = FollowUps(module, module.params["follow_up"],
                                      planned_creations=lambda runs: creation_indexes(module, context, runs))
            module.exit_json(**run_for_accounts(module, run_entry, validate=validate_entry, as_caller=True,
                                                follow_up=follow_up, context=context))
        if module.params["follow_up"]:
            module.fail_json(msg="follow_up: only with accounts")
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
