# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

DOCUMENTATION = r"""
name: scp_library
short_description: A service control policy document built from the standard SCP library
version_added: 0.1.0
description:
  - Returns one SCP document holding the statements of the named library entries, in the order
    given, ready for the O(awsorg.landing_zone.org_scp#module:policy) option of
    M(awsorg.landing_zone.org_scp).
  - Each term is an entry name, or a mapping with C(name) and C(params). C(docs/scp-library.md)
    lists the entries, what each denies and its parameters.
  - Parameters are checked and the minified document is checked against O(size_limit); an
    unknown name or parameter, a bad value or a document that is too large fails the lookup.
  - To pack many entries for many targets within the AWS limits, use C(landing_zone_scp_library)
    (the C(organization) role) or M(awsorg.landing_zone.org_scp_library_plan) instead.
author:
  - awsorg.landing_zone maintainers (@awsorg)
options:
  _terms:
    description: Library entries, as names or as mappings with C(name) and C(params).
    type: list
    elements: raw
    required: true
  size_limit:
    description: Maximum size of the minified document in characters (the SCP size quota).
    type: int
    default: 10240
"""

EXAMPLES = r"""
- name: Members cannot leave, and the root user can do nothing
  awsorg.landing_zone.org_scp:
    name: member-guardrails
    policy: "{{ lookup('awsorg.landing_zone.scp_library', 'deny_leave_organization', 'deny_root_user') }}"
    targets: [/workloads]

- name: Only two regions, except for the landing zone's own role
  awsorg.landing_zone.org_scp:
    name: region-guard
    policy: >-
      {{ lookup('awsorg.landing_zone.scp_library',
                {'name': 'allow_regions',
                 'params': {'regions': ['us-east-1', 'eu-west-1'],
                            'exempt_roles': ['OrganizationAccountAccessRole']}}) }}
    targets: [/workloads/prod]
"""

RETURN = r"""
_raw:
  description: One SCP document (C(Version) and C(Statement)).
  type: list
  elements: dict
"""

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import PolicyDocumentError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import check_size
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import library_document


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        self.set_options(var_options=variables, direct=kwargs)
        try:
            document = library_document(list(terms), where="scp_library")
            check_size(minify(document), self.get_option("size_limit"), field="scp_library")
        except (LibraryError, PolicyDocumentError) as e:
            raise AnsibleLookupError(str(e)) from e
        return [document]
