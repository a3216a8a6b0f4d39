# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per IAM account alias API call.

An account has at most one alias, and an alias is unique across all of AWS:
CreateAccountAlias answers EntityAlreadyExists when another account has it.
"""

from ansible_collections.amazon.aws.plugins.module_utils.iam import IAMErrorHandler

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


@IAMErrorHandler.common_error_handler("list the account aliases")
def list_account_aliases(client):
    return all_pages(client, "list_account_aliases", "AccountAliases")


@IAMErrorHandler.common_error_handler("create the account alias")
@landing_zone_retry
def create_account_alias(client, alias):
    client.create_account_alias(AccountAlias=alias)


@IAMErrorHandler.deletion_error_handler("delete the account alias")
@landing_zone_retry
def delete_account_alias(client, alias):
    client.delete_account_alias(AccountAlias=alias)
    return True
