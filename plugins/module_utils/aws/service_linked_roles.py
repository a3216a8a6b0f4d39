# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM API call about service-linked roles.

A service-linked role lives under ``/aws-service-role/<service principal>/``;
it is found by that path rather than by name, because the name's spelling
is the service's choice (``AWSServiceRoleForConfig``).
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


def service_role_path(service_principal):
    return f"/aws-service-role/{service_principal}/"


@IAMErrorHandler.common_error_handler("list the service-linked roles")
def list_service_linked_roles(client, service_principal):
    return all_pages(client, "list_roles", "Roles", PathPrefix=service_role_path(service_principal))


@IAMErrorHandler.common_error_handler("create the service-linked role")
@landing_zone_retry
def create_service_linked_role(client, service_principal):
    return client.create_service_linked_role(AWSServiceName=service_principal)["Role"]
