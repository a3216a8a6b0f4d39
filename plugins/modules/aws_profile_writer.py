#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: aws_profile_writer
short_description: Write AWS CLI profiles for the accounts of an organization into config and credentials files
version_added: 0.1.0
description:
  - Writes named profiles into the AWS CLI C(config) and C(credentials) files of O(directory) -
    static access keys, roles assumed from another profile, and IAM Identity Center (SSO)
    profiles with their C(sso-session) sections.
  - O(roles) are expanded over O(accounts) (for example the accounts of the organization with
    their ids) into one profile per account and role, named by O(profile_name_pattern), like
    C(acme-security-oaar). O(profiles) adds profiles named one by one.
  - "Merges, never clobbers. The module owns only the sections it wrote, which carry the comment line
    C(# managed by awsorg.landing_zone); every other section, comment and blank line is kept
    byte for byte. It removes managed profiles that are no longer wanted only with O(purge=true)."
  - The files are locked (C(flock) on C(.config.lock) and C(.credentials.lock) beside them),
    re-read inside the lock, backed up when they change and replaced atomically with mode
    C(0600), so many hosts delegating to localhost at the same time lose no profile.
  - The diff shows only the sections this run adds, changes or removes, never anyone else's. Of the
    C(credentials) file it shows key names only, each with C((set)) (or C((changed)) after a
    change), never a value; in C(config), secret values and C(credential_process) show as
    C(********). Results never hold a secret either.
  - Runs where the files live, normally the controller (C(delegate_to=localhost)). AWS is only
    called for O(fetch_mfa_device) and O(verify).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  directory:
    description:
      - Directory of the C(config) and C(credentials) files, created with mode C(0700) when missing.
      - For example V(~/.aws/acme) to keep a project's profiles apart, or a repository-local V(.aws)
        used with E(AWS_CONFIG_FILE) and E(AWS_SHARED_CREDENTIALS_FILE).
      - When a file is a symbolic link, the file it points to is written.
    type: path
    default: ~/.aws
  project:
    description: Value of C({project}) in O(profile_name_pattern).
    type: str
  accounts:
    description:
      - Accounts the O(roles) are expanded over.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Short name of the account, the C({account}) of O(profile_name_pattern).
        type: str
        required: true
      id:
        description: Twelve-digit account id (quote it in YAML so leading zeros survive).
        type: str
      region:
        description: Region of this account's profiles; wins over O(roles[].region).
        type: str
  profile_name_pattern:
    description:
      - Name of the profile of each account and role in O(roles), a Python format string over
        C({project}), C({account}), C({account_id}) and C({role}).
    type: str
    default: "{project}-{account}-{role}"
  partition:
    description: AWS partition of the role ARNs built for O(roles).
    type: str
    choices: [aws, aws-cn, aws-us-gov]
    default: aws
  roles:
    description:
      - Profile templates; each one gives a profile in every account of O(accounts) (or of
        O(roles[].accounts)).
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Short name of the role, the C({role}) of O(profile_name_pattern), for example V(oaar).
        type: str
        required: true
      type:
        description:
          - V(role) assumes O(roles[].role_name) in each account from O(roles[].source_profile)
            or O(roles[].credential_source).
          - V(sso) signs in through IAM Identity Center with the permission set O(roles[].sso_role_name).
        type: str
        choices: [role, sso]
        default: role
      accounts:
        description: Names of the accounts (from O(accounts)) that get this profile; all of them when omitted.
        type: list
        elements: str
      role_name:
        description: Name of the IAM role to assume in each account.
        type: str
        default: OrganizationAccountAccessRole
      source_profile:
        description: Profile whose credentials assume the role.
        type: str
      credential_source:
        description: Where the credentials that assume the role come from, instead of O(roles[].source_profile).
        type: str
        choices: [Environment, Ec2InstanceMetadata, EcsContainer]
      mfa_serial:
        description: MFA device (ARN or serial) whose code the CLI asks for when it assumes the role.
        type: str
      external_id:
        description: External id the role's trust policy asks for.
        type: str
      role_session_name:
        description: Role session name, visible in CloudTrail.
        type: str
      duration_seconds:
        description: Lifetime of the role session, 900 to 43200 seconds.
        type: int
      sso_session:
        description: Name of the C(sso-session) section (see O(sso_sessions)) of an V(sso) profile.
        type: str
      sso_role_name:
        description: Permission set of an V(sso) profile.
        type: str
      region:
        description: Default region of the profiles.
        type: str
      output:
        description: Default output format of the profiles.
        type: str
        choices: [json, text, table, yaml, yaml-stream]
  profiles:
    description: Profiles named one by one.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the profile.
        type: str
        required: true
      type:
        description:
          - V(static) writes access keys into the C(credentials) file.
          - V(role) assumes O(profiles[].role_arn).
          - V(sso) signs in through IAM Identity Center.
        type: str
        required: true
        choices: [static, role, sso]
      aws_access_key_id:
        description: Access key id of a V(static) profile.
        type: str
      aws_secret_access_key:
        description: Secret access key of a V(static) profile. Never shown.
        type: str
      aws_session_token:
        description: Session token of temporary V(static) credentials. Never shown.
        type: str
      account_id:
        description: Account a V(static) profile belongs to; O(verify) checks it when set.
        type: str
      role_arn:
        description: ARN of the role a V(role) profile assumes.
        type: str
      source_profile:
        description: Profile whose credentials assume the role.
        type: str
      credential_source:
        description: Where the credentials that assume the role come from, instead of O(profiles[].source_profile).
        type: str
        choices: [Environment, Ec2InstanceMetadata, EcsContainer]
      mfa_serial:
        description: MFA device (ARN or serial) whose code the CLI asks for when it assumes the role.
        type: str
      external_id:
        description: External id the role's trust policy asks for.
        type: str
      role_session_name:
        description: Role session name, visible in CloudTrail.
        type: str
      duration_seconds:
        description: Lifetime of the role session, 900 to 43200 seconds.
        type: int
      sso_session:
        description: Name of the C(sso-session) section of an V(sso) profile.
        type: str
      sso_account_id:
        description: Account of an V(sso) profile.
        type: str
      sso_role_name:
        description: Permission set of an V(sso) profile.
        type: str
      region:
        description: Default region of the profile.
        type: str
      output:
        description: Default output format of the profile.
        type: str
        choices: [json, text, table, yaml, yaml-stream]
  sso_sessions:
    description: C([sso-session NAME]) sections the V(sso) profiles refer to.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description: Name of the session.
        type: str
        required: true
      sso_start_url:
        description: AWS access portal URL, for example V(https://d-1234567890.awsapps.com/start).
        type: str
        required: true
      sso_region:
        description: Region of IAM Identity Center.
        type: str
        required: true
      sso_registration_scopes:
        description: Scopes the CLI registers for.
        type: str
        default: sso:account:access
  fetch_mfa_device:
    description:
      - Look up the MFA device of the calling IAM user (the module's AWS credentials) and use its
        serial as C(mfa_serial) of every role profile that does not set one.
    type: bool
    default: false
  purge:
    description:
      - Remove the managed profiles and sso-sessions (those with the marker line) that this run
        does not write. Sections without the marker are never removed.
    type: bool
    default: false
  adopt:
    description:
      - Take over a section of the same name that exists without the marker line. Without it
        such a collision fails the task before anything is written.
    type: bool
    default: false
  backup:
    description:
      - Keep a copy of a file before changing it, with mode C(0600) from its first byte.
      - The C(config) file gets a timestamped copy per change. The C(credentials) file keeps exactly
        one, C(credentials.awsorg-landing-zone.bak) beside it, replaced on every change (each copy
        holds every key of the file); the timestamped copies earlier versions left of it are removed.
    type: bool
    default: true
  verify:
    description:
      - After writing, call C(sts get-caller-identity) through every static and role profile,
        reading the written files with botocore, and fail when one does not work or reaches
        another account than expected. SSO profiles are skipped (they need C(aws sso login)).
      - Not done in check mode.
    type: bool
    default: false
  lock_timeout:
    description: Seconds to wait for another writer's lock on the files.
    type: int
    default: 120
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
notes:
  - In C(config), the module writes C([profile NAME]) sections (C([default]) for V(default)); in
    C(credentials), C([NAME]) sections holding only access keys.
  - A file that already has the same section twice is refused; the AWS CLI refuses it too.
"""

EXAMPLES = r"""
- name: Leverage-style profiles in ~/.aws/acme, one per account, assuming OrganizationAccountAccessRole
  awsorg.landing_zone.aws_profile_writer:
    directory: ~/.aws/acme
    project: acme
    accounts:
      - {name: management, id: "111111111111"}
      - {name: security, id: "222222222222"}
      - {name: shared, id: "333333333333"}
    profiles:
      - name: acme-bootstrap
        type: static
        aws_access_key_id: "{{ bootstrap_key_id }}"
        aws_secret_access_key: "{{ bootstrap_secret }}"
        region: us-east-1
    roles:
      - name: oaar
        source_profile: acme-bootstrap
        region: us-east-1
        output: json
    fetch_mfa_device: true
    verify: true
  delegate_to: localhost
  run_once: true

- name: IAM Identity Center profiles acme-<account>-admin in a repository-local .aws
  awsorg.landing_zone.aws_profile_writer:
    directory: "{{ playbook_dir }}/.aws"
    project: acme
    accounts: "{{ org_accounts }}"
    sso_sessions:
      - name: acme
        sso_start_url: https://d-1234567890.awsapps.com/start
        sso_region: us-east-1
    roles:
      - name: admin
        type: sso
        sso_session: acme
        sso_role_name: AdministratorAccess
        region: eu-west-1
    purge: true
  delegate_to: localhost
  run_once: true

- name: Every host adds its own account's profile; parallel writers are safe
  awsorg.landing_zone.aws_profile_writer:
    project: acme
    accounts:
      - {name: "{{ account_name }}", id: "{{ account_id }}"}
    roles:
      - name: oaar
        source_profile: acme-management
  delegate_to: localhost
"""

RETURN = r"""
config_file:
  description: Path of the config file (after following symbolic links).
  returned: always
  type: str
  sample: /home/me/.aws/acme/config
credentials_file:
  description: Path of the credentials file (after following symbolic links).
  returned: always
  type: str
profiles:
  description: The profiles the run writes, without any credential.
  returned: always
  type: list
  elements: dict
  contains:
    name:
      description: Profile name.
      type: str
      sample: acme-security-oaar
    type:
      description: V(static), V(role) or V(sso).
      type: str
    account_id:
      description: Account the profile reaches, when known.
      type: str
    account_name:
      description: Name from O(accounts) for profiles expanded from O(roles).
      type: str
    role:
      description: Name from O(roles) for profiles expanded from it.
      type: str
    role_arn:
      description: Role a V(role) profile assumes.
      type: str
    source_profile:
      description: Source profile of a V(role) profile.
      type: str
    mfa_serial:
      description: MFA device of a V(role) profile.
      type: str
    sso_session:
      description: sso-session of an V(sso) profile.
      type: str
    sso_role_name:
      description: Permission set of an V(sso) profile.
      type: str
    region:
      description: Default region of the profile.
      type: str
added:
  description: Sections added, as C(profile NAME) or C(sso-session NAME) (a static profile counts once per file).
  returned: always
  type: list
  elements: str
  sample: ["profile acme-security-oaar"]
updated:
  description: Managed sections whose content changed.
  returned: always
  type: list
  elements: str
removed:
  description: Managed sections removed.
  returned: always
  type: list
  elements: str
mfa_serial:
  description: Serial of the MFA device found by O(fetch_mfa_device).
  returned: always
  type: str
  sample: arn:aws:iam::111111111111:mfa/jane
backup_file:
  description: Backup of the config file, when it changed and O(backup=true).
  returned: changed
  type: str
  sample: /home/me/.aws/config.4242.2025-01-31@12:00:00~
credentials_backup_file:
  description: The one backup of the credentials file, when it changed and O(backup=true).
  returned: changed
  type: str
  sample: /home/me/.aws/credentials.awsorg-landing-zone.bak
verified:
  description: Account id reached through each verified profile.
  returned: when O(verify=true) and not in check mode
  type: dict
  sample: {"acme-security-oaar": "222222222222"}
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.aws_profile_writer import CREDENTIAL_SOURCES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.aws_profile_writer import OUTPUT_FORMATS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.aws_profile_writer import run
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule


def _role_chain_options():
    return dict(
        source_profile=dict(type="str"),
        credential_source=dict(type="str", choices=CREDENTIAL_SOURCES),
        mfa_serial=dict(type="str"),
        external_id=dict(type="str", no_log=True),
        role_session_name=dict(type="str"),
        duration_seconds=dict(type="int"),
        region=dict(type="str"),
        output=dict(type="str", choices=OUTPUT_FORMATS),
    )


def main():
    role_options = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", choices=["role", "sso"], default="role"),
        accounts=dict(type="list", elements="str"),
        role_name=dict(type="str", default="OrganizationAccountAccessRole"),
        sso_session=dict(type="str"),
        sso_role_name=dict(type="str"),
        **_role_chain_options(),
    )
    profile_options = dict(
        name=dict(type="str", required=True),
        type=dict(type="str", required=True, choices=["static", "role", "sso"]),
        aws_access_key_id=dict(type="str", no_log=False),
        aws_secret_access_key=dict(type="str", no_log=True),
        aws_session_token=dict(type="str", no_log=True),
        account_id=dict(type="str"),
        role_arn=dict(type="str"),
        sso_session=dict(type="str"),
        sso_account_id=dict(type="str"),
        sso_role_name=dict(type="str"),
        **_role_chain_options(),
    )
    argument_spec = dict(
        directory=dict(type="path", default="~/.aws"),
        project=dict(type="str"),
        accounts=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                id=dict(type="str"),
                region=dict(type="str"),
            ),
        ),
        profile_name_pattern=dict(type="str", default="{project}-{account}-{role}"),
        partition=dict(type="str", choices=["aws", "aws-cn", "aws-us-gov"], default="aws"),
        roles=dict(type="list", elements="dict", default=[], options=role_options),
        profiles=dict(type="list", elements="dict", default=[], options=profile_options),
        sso_sessions=dict(
            type="list",
            elements="dict",
            default=[],
            options=dict(
                name=dict(type="str", required=True),
                sso_start_url=dict(type="str", required=True),
                sso_region=dict(type="str", required=True),
                sso_registration_scopes=dict(type="str", default="sso:account:access"),
            ),
        ),
        fetch_mfa_device=dict(type="bool", default=False),
        purge=dict(type="bool", default=False),
        adopt=dict(type="bool", default=False),
        backup=dict(type="bool", default=True),
        verify=dict(type="bool", default=False),
        lock_timeout=dict(type="int", default=120),
    )
    module = AnsibleLandingZoneModule(argument_spec=argument_spec, supports_check_mode=True)
    try:
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
