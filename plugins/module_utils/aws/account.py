# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One small wrapper per AWS Account Management call about an account's name and regions.

``account_id`` None acts on the caller's own account (the "standalone
context").  With an ``account_id`` the caller must be the management account
(or the Account Management delegated administrator) of an organization with
all features and trusted access for account.amazonaws.com, and the account
a member: the management account may not name itself, and calls for it
without ``AccountId`` (PutAccountName, EnableRegion, ListRegions in the
Account Management API Reference,
https://docs.aws.amazon.com/accounts/latest/reference/API_PutAccountName.html).
Errors are aws/account_contacts.py's (the same service).
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.account_contacts import AccountErrorHandler
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.pagination import all_pages
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry

# The principal of trusted access for Account Management.
ACCOUNT_SERVICE_PRINCIPAL = "account.amazonaws.com"


def _target(account_id):
    return dict(AccountId=account_id) if account_id else {}


@AccountErrorHandler.common_error_handler("rename the account")
@landing_zone_retry
def put_account_name(client, name, account_id=None):
    client.put_account_name(AccountName=name, **_target(account_id))


@AccountErrorHandler.common_error_handler("list the account's regions")
def list_regions(client, account_id=None, statuses=None):
    """``{region: status}`` of the account's regions, only those of ``statuses`` when given (one call a page)."""
    params = _target(account_id)
    if statuses:
        params["RegionOptStatusContains"] = list(statuses)
    return {r["RegionName"]: r["RegionOptStatus"] for r in all_pages(client, "list_regions", "Regions", **params)}


@AccountErrorHandler.common_error_handler("read a region's opt-in status")
@landing_zone_retry
def get_region_opt_status(client, region, account_id=None):
    return client.get_region_opt_status(RegionName=region, **_target(account_id))["RegionOptStatus"]


@AccountErrorHandler.common_error_handler("enable a region")
@landing_zone_retry
def enable_region(client, region, account_id=None):
    client.enable_region(RegionName=region, **_target(account_id))


@AccountErrorHandler.common_error_handler("disable a region")
@landing_zone_retry
def disable_region(client, region, account_id=None):
    client.disable_region(RegionName=region, **_target(account_id))
