# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""GuardDuty and Security Hub for the whole organization, in one run from the management account.

Per region, in this order (delegation must exist before the delegated
administrator may configure the organization):

1. management account: trusted access for the service in AWS Organizations,
   then the delegated administrator (EnableOrganizationAdminAccount);
2. delegated administrator (through ``assume_role``): the GuardDuty detector
   or the Security Hub hub enabled, then the organization configuration
   (auto-enable for member accounts).

Everything is read first and planned; check mode stops there.  Where the
current delegation is read differs by service: GuardDuty lists its
administrators to the management account (ListOrganizationAdminAccounts);
for Security Hub the module asks the administrator account itself
(DescribeOrganizationConfiguration answers only there), which also gives the
auto-enable settings it needs anyway.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import guardduty
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import securityhub
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.assume_role import member_role_arn
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_account_id
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import regions_of
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity

GUARDDUTY_PRINCIPAL = "guardduty.amazonaws.com"
SECURITYHUB_PRINCIPAL = "securityhub.amazonaws.com"
# A fresh delegation starts from these Security Hub organization settings.
SECURITYHUB_DEFAULTS = dict(AutoEnable=False, AutoEnableStandards="DEFAULT")


def validate(module):
    """Checks before any AWS call; returns the regions."""
    params = module.params
    admin = check_account_id("admin_account_id", params["admin_account_id"])
    if not params.get("guardduty") and not params.get("securityhub"):
        raise SpecError("guardduty/securityhub: give at least one of them")
    if module.assumed_role:
        role_account = member_role_arn(module.assumed_role).split(":")[4]
        if role_account != admin:
            raise SpecError(
                f"assume_role: must reach the delegated administrator {admin}, but its role is in account"
                f" {role_account}"
            )
    return regions_of(module)


def _check_caller_is_admin(module):
    caller = get_caller_identity(module.client("sts"))["Account"]
    if caller != module.params["admin_account_id"]:
        raise SpecError(
            f"assume_role: required to configure the delegated administrator {module.params['admin_account_id']}"
            f" from account {caller}"
        )


def _plan_service_access(module, plan):
    wanted = [p for key, p in (("guardduty", GUARDDUTY_PRINCIPAL), ("securityhub", SECURITYHUB_PRINCIPAL))
              if module.params.get(key)]
    client = module.caller_client("organizations")
    enabled = org.list_aws_service_access(client)
    for principal in wanted:
        if principal not in enabled:
            plan.add(f"enable trusted access for {principal} in AWS Organizations",
                     lambda principal=principal: org.enable_aws_service_access(client, principal))


# --- GuardDuty ------------------------------------------------------------------


def _guardduty_delegation(client, admin, region):
    """Whether ``admin`` is the GuardDuty delegated administrator; SpecError when another account is."""
    accounts = guardduty.list_organization_admin_accounts(client)
    others = sorted(a["AdminAccountId"] for a in accounts if a["AdminAccountId"] != admin)
    if others:
        raise SpecError(
            f"admin_account_id: GuardDuty in {region} already has the delegated administrator {others[0]};"
            f" remove it (DisableOrganizationAdminAccount) before designating {admin}"
        )
    return any(a["AdminAccountId"] == admin and a.get("AdminStatus", "ENABLED") == "ENABLED" for a in accounts)


def _ensure_detector(client, params, state):
    # Designating the administrator makes GuardDuty create a detector there
    # by itself, moments later: look again right before creating one.
    existing = guardduty.list_detectors(client)
    if existing:
        state["detector_id"] = existing[0]
        guardduty.update_detector(client, existing[0], **params)
    else:
        state["detector_id"] = guardduty.create_detector(client, **params)


def plan_guardduty(module, plan, region):
    params, admin = module.params["guardduty"], module.params["admin_account_id"]
    management = module.caller_client("guardduty", region=region)
    client = module.client("guardduty", region=region)
    delegated = _guardduty_delegation(management, admin, region)
    detectors = guardduty.list_detectors(client)
    detector = guardduty.get_detector(client, detectors[0]) if detectors else None
    state = dict(detector_id=detectors[0] if detectors else None)
    before = dict(
        admin_account_id=admin if delegated else None,
        detector_id=state["detector_id"],
        detector_status=detector.get("Status") if detector else None,
        finding_publishing_frequency=detector.get("FindingPublishingFrequency") if detector else None,
        auto_enable_organization_members=None,
    )
    after = dict(before, admin_account_id=admin, detector_status="ENABLED")

    if not delegated:
        plan.add(f"designate {admin} as the GuardDuty delegated administrator in {region}",
                 lambda: guardduty.enable_organization_admin_account(management, admin))

    frequency = params.get("finding_publishing_frequency")
    detector_params = dict(Enable=True)
    if frequency:
        detector_params["FindingPublishingFrequency"] = frequency
        after["finding_publishing_frequency"] = frequency
    if detector is None:
        plan.add(f"enable GuardDuty (a detector) in {admin} in {region}",
                 lambda: _ensure_detector(client, detector_params, state))
    elif detector.get("Status") != "ENABLED" or (frequency and detector.get("FindingPublishingFrequency") != frequency):
        plan.add(f"update the GuardDuty detector of {admin} in {region}",
                 lambda: guardduty.update_detector(client, state["detector_id"], **detector_params))

    members = params.get("auto_enable_organization_members")
    if members and delegated and detector is not None:
        current = guardduty.describe_organization_configuration(client, state["detector_id"])
        before["auto_enable_organization_members"] = current.get("AutoEnableOrganizationMembers")
        after["auto_enable_organization_members"] = before["auto_enable_organization_members"]
    if members and before["auto_enable_organization_members"] != members:
        plan.add(f"set GuardDuty auto-enable for organization members to {members} in {region}",
                 lambda: guardduty.update_organization_configuration(client, state["detector_id"], members))
        after["auto_enable_organization_members"] = members
    return before, after, state


# --- Security Hub -----------------------------------------------------------------


def plan_securityhub(module, plan, region):
    params, admin = module.params["securityhub"], module.params["admin_account_id"]
    management = module.caller_client("securityhub", region=region)
    client = module.client("securityhub", region=region)
    configuration = securityhub.describe_organization_configuration(client)
    hub = securityhub.describe_hub(client)
    current = dict(SECURITYHUB_DEFAULTS)
    if configuration is not None:
        current.update((key, configuration[key]) for key in SECURITYHUB_DEFAULTS if key in configuration)
    before = dict(
        admin_account_id=admin if configuration is not None else None,
        hub_arn=hub.get("HubArn") if hub else None,
        auto_enable=current["AutoEnable"] if configuration is not None else None,
        auto_enable_standards=current["AutoEnableStandards"] if configuration is not None else None,
    )
    if configuration is None:
        plan.add(f"designate {admin} as the Security Hub delegated administrator in {region}",
                 lambda: securityhub.enable_organization_admin_account(management, admin))
    if hub is None:
        plan.add(f"enable Security Hub in {admin} in {region}",
                 lambda: securityhub.enable_security_hub(client, params["enable_default_standards"]))

    wanted = dict(current)
    if params.get("auto_enable") is not None:
        wanted["AutoEnable"] = params["auto_enable"]
    if params.get("auto_enable_standards") is not None:
        wanted["AutoEnableStandards"] = params["auto_enable_standards"]
    if wanted != current:
        plan.add(
            f"set Security Hub auto-enable for organization members to {wanted['AutoEnable']}"
            f" (standards {wanted['AutoEnableStandards']}) in {region}",
            lambda: securityhub.update_organization_configuration(
                client, wanted["AutoEnable"], wanted["AutoEnableStandards"]),
        )
    after = dict(admin_account_id=admin, hub_arn=before["hub_arn"], auto_enable=wanted["AutoEnable"],
                 auto_enable_standards=wanted["AutoEnableStandards"])
    return before, after, client


def run(module):
    plan = Plan()
    before = dict(guardduty={}, securityhub={})
    after = dict(guardduty={}, securityhub={})
    detector_states, hub_clients = {}, {}
    try:
        regions = validate(module)
        if not module.assumed_role:
            _check_caller_is_admin(module)
        _plan_service_access(module, plan)
        for region in regions:
            if module.params.get("guardduty"):
                before["guardduty"][region], after["guardduty"][region], detector_states[region] = plan_guardduty(
                    module, plan, region)
            if module.params.get("securityhub"):
                before["securityhub"][region], after["securityhub"][region], hub_clients[region] = plan_securityhub(
                    module, plan, region)
    except SpecError as e:
        module.fail_json(msg=str(e))
    if not module.check_mode and plan.actions:
        plan.apply()
        for region, state in detector_states.items():
            after["guardduty"][region]["detector_id"] = state["detector_id"]
        for region, client in hub_clients.items():
            if after["securityhub"][region]["hub_arn"] is None:
                hub = securityhub.describe_hub(client)
                after["securityhub"][region]["hub_arn"] = hub.get("HubArn") if hub else None
    result = dict(changed=bool(plan.actions), changes=plan.changes, diff=dict(before=before, after=after))
    for service in ("guardduty", "securityhub"):
        result[service] = after[service] if module.params.get(service) else None
    return result
