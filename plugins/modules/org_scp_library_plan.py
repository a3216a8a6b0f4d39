#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
module: org_scp_library_plan
short_description: Plan which SCP library statements go into which SCP on which target
version_added: 0.1.0
description:
  - Builds the statements of the standard SCP library entries selected in O(library) (see
    C(docs/scp-library.md) and the P(awsorg.landing_zone.scp_library#lookup) lookup), checks their
    parameters, and packs them per target into as few service control policies as the SCP size
    limit and the per-target limit allow (first fit, largest statements first).
  - The per-target limit is AWS's 10 SCPs per root, OU or account; the AWS managed
    C(FullAWSAccess) and the O(other_policies) on the same target count against it. A target that
    would need more is refused with the numbers, and so is a statement larger than the size limit.
  - Packed SCPs are named C(<prefix>-<target>-<n>) (C(lz-root-1), C(lz-workloads-prod-1),
    C(lz-123456789012-1)) and are tagged C(landing-zone:scp-library), so a re-run yields the same
    names and documents.
  - Reads the SCPs in the organization and returns, in RV(plan.retired), the packed SCPs of earlier
    runs that the plan no longer has. An existing SCP without the tag but with a planned name is
    refused, never taken over.
  - Writes nothing; create the planned SCPs with M(awsorg.landing_zone.org_scp) and delete the
    retired ones with it (the C(organization) role does both).
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  library:
    description:
      - The selected library entries, each with C(name) (an entry of the library), C(params)
        (the entry's parameters; defaults apply to those left out) and C(targets) (V(/), OU paths
        or 12-digit account ids).
      - An entry may be selected more than once, for different targets.
      - An C(exempt_roles) pattern that matches every role (V(*)) is refused unless the entry also has
        C(allow_exempting_every_role=true).
      - Required unless O(libraries) is given.
    type: list
    elements: dict
  libraries:
    description:
      - Several libraries planned in one run (one module start-up), such as the SCP library and the
        RCP library; the C(organization) role plans both with it.
      - Each element takes this module's other options (O(library), O(other_policies), O(prefix),
        O(quota_lookup), O(size_limit), O(type), O(organization_id)); an option an element leaves
        out is the task's. Every element is checked before the first is planned.
      - The plans are returned in RV(results), in the order of the elements.
    type: list
    elements: dict
    version_added: 0.3.0
  other_policies:
    description:
      - The other SCPs that will be attached, each with C(name), C(targets) and optionally
        C(state) (those with V(absent) do not count). They count against the per-target limit.
    type: list
    elements: dict
    default: []
  prefix:
    description: First part of the packed SCPs' names.
    type: str
    default: lz
  quota_lookup:
    description:
      - Read the SCP size quota from Service Quotas, as M(awsorg.landing_zone.org_scp) does; when the
        look-up fails or lists no such quota, 10240 characters is used.
    type: bool
    default: true
  size_limit:
    description: Maximum size of one packed SCP in characters. Overrides O(quota_lookup).
    type: int
  type:
    description:
      - V(SERVICE_CONTROL_POLICY) packs the SCP library; V(RESOURCE_CONTROL_POLICY) packs the resource
        control policy library (C(docs/rcp-library.md)) the same way, within the RCP limits (5120
        characters, 5 RCPs per target with the AWS managed C(RCPFullAWSAccess)), tagged
        C(landing-zone:rcp-library). O(other_policies) are then the other RCPs.
    type: str
    choices: [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]
    default: SERVICE_CONTROL_POLICY
    version_added: 0.2.0
  organization_id:
    description:
      - With O(type=RESOURCE_CONTROL_POLICY), the organization id the RCP library entries that take
        one (C(data_perimeter), C(confused_deputy_protection)) get when their C(params) give none.
        Unset, the organization's own id (DescribeOrganization).
    type: str
    version_added: 0.2.0
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - awsorg.landing_zone.attributes
"""

EXAMPLES = r"""
- name: Plan the library SCPs
  awsorg.landing_zone.org_scp_library_plan:
    library:
      - name: deny_root_user
        targets: [/workloads, /security]
      - name: allow_regions
        params:
          regions: [us-east-1, eu-west-1]
          exempt_roles: [OrganizationAccountAccessRole]
        targets: [/workloads]
    other_policies:
      - name: deny-leaving-organization
        targets: [/workloads]
  register: library_plan

- name: Plan the SCP and RCP libraries in one run
  awsorg.landing_zone.org_scp_library_plan:
    libraries:
      - library: [{name: deny_root_user, targets: [/workloads]}]
      - type: RESOURCE_CONTROL_POLICY
        prefix: lz-rcp
        library: [{name: enforce_tls, targets: [/]}]
  register: library_plans

- name: Show the plan before anything is written
  ansible.builtin.debug:
    var: library_plan.plan.summary

- name: The packed SCPs
  awsorg.landing_zone.org_scp:
    name: "{{ item.name }}"
    description: "{{ item.description }}"
    policy: "{{ item.document }}"
    targets: ["{{ item.target }}"]
    purge_targets: true
    tags: "{{ item.tags }}"
    size_limit: "{{ library_plan.plan.size_limit }}"
  loop: "{{ library_plan.plan.policies }}"

- name: Packed SCPs the plan no longer has
  awsorg.landing_zone.org_scp:
    name: "{{ item }}"
    state: absent
  loop: "{{ library_plan.plan.retired }}"
"""

RETURN = r"""
results:
  description: With O(libraries), one result per element, in order, each with its RV(plan).
  returned: with O(libraries)
  type: list
  elements: dict
  version_added: 0.3.0
plan:
  description: The packed SCPs, per-target counts and the SCPs to delete.
  returned: without O(libraries)
  type: dict
  contains:
    policies:
      description: The packed SCPs, each attached to one target.
      type: list
      elements: dict
      contains:
        name:
          description: Name of the SCP.
          type: str
          sample: lz-workloads-1
        target:
          description: V(/), an OU path or an account id.
          type: str
          sample: /workloads
        description:
          description: Description of the SCP, naming the library entries in it.
          type: str
        document:
          description: The policy document.
          type: dict
        size:
          description: Characters of the minified document.
          type: int
        sources:
          description: Library entries with statements in this SCP.
          type: list
          elements: str
        statements:
          description: The C(Sid) of each statement in this SCP.
          type: list
          elements: str
        exists:
          description: Whether an SCP of this name exists already.
          type: bool
        tags:
          description: Tags the SCP carries (C(landing-zone:scp-library) set to the target).
          type: dict
    targets:
      description:
        - Per target, the packed SCPs, the other SCPs counted (C(FullAWSAccess) first), the
          number attached after the run and the limit.
      type: dict
      sample:
        /workloads:
          policies: [lz-workloads-1]
          other_policies: [FullAWSAccess, deny-leaving-organization]
          attached: 3
          limit: 10
    retired:
      description: Names of packed SCPs of earlier runs that the plan no longer has.
      type: list
      elements: str
    size_limit:
      description: The size limit the SCPs were packed against.
      type: int
      sample: 10240
    summary:
      description: The plan as lines to show before anything is written, one per SCP.
      type: list
      elements: str
      sample:
        - "lz-workloads-1 on /workloads (2345/10240 characters, 3/10 SCPs on the target): DenyRootUser, ProtectCloudTrail"
        - "lz-sandbox-1: no longer planned, deleted"
"""

from ansible_collections.amazon.aws.plugins.module_utils.exceptions import AnsibleAWSError

from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import run_in_sequence
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.modules import AnsibleLandingZoneModule
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources.org_scp_library_plan import run


def _library_label(params):
    """How an element of libraries is named in messages: its policy type and prefix."""
    return f"{params['type']} library {params['prefix']!r}"


def main():
    argument_spec = dict(
        library=dict(type="list", elements="dict", required=True),
        other_policies=dict(type="list", elements="dict", default=[]),
        prefix=dict(type="str", default="lz"),
        quota_lookup=dict(type="bool", default=True),
        size_limit=dict(type="int"),
        type=dict(type="str", choices=["SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"], default="SERVICE_CONTROL_POLICY"),
        organization_id=dict(type="str"),
    )
    module = AnsibleLandingZoneModule(
        argument_spec=dict(argument_spec, library=dict(type="list", elements="dict"),
                           libraries=dict(type="list", elements="dict")),
        supports_check_mode=True,
        required_one_of=[("library", "libraries")],
        mutually_exclusive=[("library", "libraries")],
    )
    # The options of one library (run_in_sequence checks each element of libraries against them).
    module.account_argument_spec = argument_spec
    try:
        if module.params["libraries"] is not None:
            result = run_in_sequence(module, run, module.params["libraries"], key=_library_label)
            # A plan writes nothing: no diff to show.
            result.pop("diff")
            module.exit_json(**result)
        module.exit_json(**run(module))
    except AnsibleAWSError as e:
        module.fail_json_aws_error(e)


if __name__ == "__main__":
    main()
