# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An existing account's name and opt-in regions, converged by org_account (AWS Account Management).

Where the calls are made from: the management account, as every other call
of org_account.  A member account is named by ``AccountId``, which AWS
allows the management account once the organization trusts Account
Management (trusted access for account.amazonaws.com); the management
account itself is called without ``AccountId`` (AWS refuses its own id:
"The management account can only be managed using the standalone context").
Not through the member's OrganizationAccountAccessRole: org_account never
needs a member role (its ``accounts`` entries act as the caller), a role
that a service control policy keeps from ``account:*`` (region guardrails
often do) could not do it, and SCPs never apply to the management account.
The organization role enables the trusted access for accounts that set
opt-in regions; without it a member account keeps its name (a warning says
how to allow the rename), and its regions are refused.

Regions: only the regions the options name are touched.  A region is never
disabled because it is not listed: disabling one makes every resource in it
unreachable ("DisableRegion", Account Management API Reference,
https://docs.aws.amazon.com/accounts/latest/reference/API_DisableRegion.html).
Enabling or disabling takes minutes to hours: the region reads ENABLING or
DISABLING meanwhile, and AWS refuses the opposite change until it is done
(ConflictException, "you try to enable a Region that is currently being
disabled", botocore's account model), so such a region is waited on first.
"""

import time

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import account as account_api
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.opt_in_regions import region_lists_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads as reads

ENABLED = "ENABLED"
DISABLED = "DISABLED"
# A region on its way to a status: what it reads meanwhile.
TRANSITION_TO = {ENABLED: "ENABLING", DISABLED: "DISABLING"}
OPPOSITE = {ENABLED: DISABLED, DISABLED: ENABLED}
# What ListRegions is asked for: every region not DISABLED that can change (a
# named region it does not list is DISABLED; default regions are refused before).
NOT_DISABLED = ("ENABLED", "ENABLING", "DISABLING")
# Polling while regions change: from 1 s, growing to 15 s between reads.
FIRST_POLL_DELAY = 1.0
MAX_POLL_DELAY = 15.0


def validation_problems(params):
    """The problems of the region options (before any AWS call)."""
    return region_lists_problems(params.get("opt_in_regions"), params.get("opt_out_regions"))


def wanted_regions(params):
    """``{region: ENABLED or DISABLED}`` of the options."""
    wanted = {region: DISABLED for region in params.get("opt_out_regions") or []}
    wanted.update({region: ENABLED for region in params.get("opt_in_regions") or []})
    return wanted


def predict_new(params, described):
    """A new account's regions (check mode, or before it exists): the opted-in ones will be ENABLED."""
    wanted = wanted_regions(params)
    if wanted:
        described["regions"] = dict(sorted(wanted.items()))
    return described


# --- who is called, and how ------------------------------------------------------


class AccountTarget:
    """How this run reaches one account's settings: standalone (management) or by AccountId (member)."""

    def __init__(self, module, context, org_client, account):
        self.module = module
        self.account = account
        self.is_management = account["Id"] == reads.management_account_id(context, org_client)
        self.trusted = self.is_management or _trusts_account_management(context, org_client)
        # In a preview, the organization role's earlier task enables trusted
        # access for accounts with region settings (roles/organization/tasks/main.yml).
        self.will_be_trusted = self.trusted or (module.check_mode and bool(wanted_regions(module.params)))
        self._client = None

    @property
    def account_id(self):
        """The AccountId parameter: None for the management account (its own id is refused)."""
        return None if self.is_management else self.account["Id"]

    @property
    def client(self):
        if self._client is None:
            self._client = self.module.client("account")
        return self._client

    def regions_not_disabled(self):
        return account_api.list_regions(self.client, self.account_id, NOT_DISABLED)


def _trusts_account_management(context, org_client):
    return context.once(
        "account_management_trusted",
        lambda: account_api.ACCOUNT_SERVICE_PRINCIPAL in org.list_aws_service_access(org_client),
    )


def _no_trusted_access(account_id):
    return (
        f"the organization does not trust AWS Account Management, which the management account needs to change"
        f" member account {account_id}: add {account_api.ACCOUNT_SERVICE_PRINCIPAL} to org_organization's"
        " aws_service_access_principals (landing_zone_aws_service_access_principals)"
    )


# --- converge -------------------------------------------------------------------------


def converge(module, context, org_client, account, before, after, sleep=time.sleep, clock=time.monotonic):
    """Rename the account and opt it in to / out of regions; fill ``before``/``after``; return changed."""
    wanted_name = module.params.get("name")
    rename = bool(wanted_name) and bool(account.get("Name")) and wanted_name != account["Name"]
    if rename and not module.params.get("rename", True):
        module.warn(
            f"name: account {account['Id']} is named {account['Name']!r}, not {wanted_name!r}; it is not renamed"
            " because its name is not set explicitly (set account_name to rename it)"
        )
        rename = False
    wanted = wanted_regions(module.params)
    if not rename and not wanted:
        return False
    target = AccountTarget(module, context, org_client, account)
    renamed = _converge_name(module, target, wanted_name, after) if rename else False
    regions_changed = _converge_regions(module, target, wanted, before, after, sleep, clock) if wanted else False
    return renamed or regions_changed


def _converge_name(module, target, wanted_name, after):
    account = target.account
    if not target.will_be_trusted:
        module.warn(
            f"name: account {account['Id']} is named {account['Name']!r}, not {wanted_name!r}; this module does not"
            f" rename accounts while {_no_trusted_access(account['Id'])}"
        )
        return False
    if not module.check_mode:
        account_api.put_account_name(target.client, wanted_name, target.account_id)
    after["name"] = wanted_name
    return True


def _converge_regions(module, target, wanted, before, after, sleep, clock):
    if not target.will_be_trusted:
        module.fail_json(msg=f"opt_in_regions, opt_out_regions: {_no_trusted_access(target.account['Id'])}")
    current = _statuses(target, wanted) if target.trusted else {region: DISABLED for region in wanted}
    before["regions"] = dict(sorted(current.items()))
    if module.check_mode:
        after["regions"] = {region: wanted[region] for region in sorted(wanted)}
        return any(_needs_write(current[region], status) for region, status in wanted.items())

    wait = module.params.get("wait", True)
    deadline = clock() + module.params.get("wait_timeout", 900)
    blocked = [region for region, status in wanted.items() if current[region] == TRANSITION_TO[OPPOSITE[status]]]
    if blocked and wait:
        current.update(_settle(target, wanted, blocked, deadline, sleep, clock))
    elif blocked:
        module.warn(f"regions: {', '.join(sorted(blocked))} still changing the other way; changed on a later run"
                    " (or use wait=true)")
    written = [region for region, status in sorted(wanted.items()) if _needs_write(current[region], status)]
    for region in written:
        (account_api.enable_region if wanted[region] == ENABLED else account_api.disable_region)(
            target.client, region, target.account_id)
        current[region] = TRANSITION_TO[wanted[region]]
    if wait:
        current.update(_settle(target, wanted, list(wanted), deadline, sleep, clock))
    after["regions"] = dict(sorted(current.items()))
    return bool(written)


def _needs_write(current, wanted):
    """Only a region settled the other way needs a call; one changing our way, or done, does not."""
    return current == OPPOSITE[wanted]


def _statuses(target, regions):
    """The status of each of ``regions``: one ListRegions call (a region it does not list is DISABLED)."""
    listed = target.regions_not_disabled()
    return {region: listed.get(region, DISABLED) for region in regions}


def _settle(target, wanted, regions, deadline, sleep, clock):
    """Read the regions until none of ``regions`` is ENABLING or DISABLING; their statuses then."""
    delay = FIRST_POLL_DELAY
    while True:
        statuses = _statuses(target, wanted)
        changing = sorted(r for r in regions if statuses[r] in TRANSITION_TO.values())
        if not changing:
            return statuses
        if clock() + delay > deadline:
            described = ", ".join(f"{r} {statuses[r]}" for r in changing)
            target.module.fail_json(
                msg=(f"regions: account {target.account['Id']}: still {described} after wait_timeout; AWS carries"
                     " on (enabling can take hours): run the task again later")
            )
        sleep(delay)
        delay = min(delay * 1.5, MAX_POLL_DELAY)
