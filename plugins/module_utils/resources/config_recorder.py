# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""AWS Config in one account: recorder, delivery channel and recording, in every listed region.

AWS Config allows one recorder and one delivery channel per account and
region, and they must be made in order: the recorder, then the channel (it
needs a recorder), then recording is started (it needs a channel).  Global
resources (IAM) are recorded in one region only, or every region would
record them again.  The recorder uses the service-linked role
AWSServiceRoleForConfig unless another role is given; the role is created
when the account has none.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import config_service as config
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import service_linked_roles
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import check_region
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import regions_of
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity

CONFIG_PRINCIPAL = "config.amazonaws.com"
SERVICE_LINKED_ROLE_NAME = "AWSServiceRoleForConfig"


def validate(module):
    """Checks before any AWS call; returns (regions, the region that records global resources)."""
    params = module.params
    problem = bucket_name_problem(params["s3_bucket_name"])
    if problem:
        raise SpecError(f"s3_bucket_name: {params['s3_bucket_name']!r} {problem}")
    regions = regions_of(module)
    global_region = params.get("global_resources_region") or regions[0]
    check_region("global_resources_region", global_region)
    if global_region not in regions:
        raise SpecError(f"global_resources_region: must be one of regions ({', '.join(regions)}), got {global_region!r}")
    for field in ("recorder_name", "delivery_channel_name"):
        if not 1 <= len(params[field]) <= 256:
            raise SpecError(f"{field}: must be 1 to 256 characters, got {params[field]!r}")
    return regions, global_region


def _customer_managed(recorders):
    # Service-linked recorders (made by other AWS services) carry a
    # servicePrincipal and do not count against the one-per-region limit.
    return [r for r in recorders if not r.get("servicePrincipal")]


def _only_one(field, wanted_name, existing, what, region):
    """The existing recorder or channel of the region; SpecError when it has another name."""
    if not existing:
        return None
    if existing[0]["name"] != wanted_name:
        raise SpecError(
            f"{field}: {region} already has the {what} {existing[0]['name']!r} and AWS Config allows one per"
            f" region; set {field}: {existing[0]['name']} to manage it"
        )
    return existing[0]


def plan_role(module, plan, state):
    """The recorder's role ARN (predicted when the service-linked role does not exist yet)."""
    if module.params.get("role_arn"):
        state["role_arn"] = module.params["role_arn"]
        return
    iam = module.client("iam")
    roles = service_linked_roles.list_service_linked_roles(iam, CONFIG_PRINCIPAL)
    if roles:
        state["role_arn"] = roles[0]["Arn"]
        return
    identity = get_caller_identity(module.client("sts"))
    partition = identity["Partition"]
    state["role_arn"] = (f"arn:{partition}:iam::{identity['Account']}:role"
                         f"{service_linked_roles.service_role_path(CONFIG_PRINCIPAL)}{SERVICE_LINKED_ROLE_NAME}")

    def create():
        state["role_arn"] = service_linked_roles.create_service_linked_role(iam, CONFIG_PRINCIPAL)["Arn"]

    plan.add(f"create the service-linked role {SERVICE_LINKED_ROLE_NAME}", create)


def _describe(recorder, channel, recording):
    group = (recorder or {}).get("recordingGroup", {})
    delivery = (channel or {}).get("configSnapshotDeliveryProperties", {})
    return dict(
        recorder_name=recorder.get("name") if recorder else None,
        role_arn=recorder.get("roleARN") if recorder else None,
        all_supported=group.get("allSupported"),
        include_global_resource_types=group.get("includeGlobalResourceTypes"),
        delivery_channel_name=channel.get("name") if channel else None,
        s3_bucket_name=channel.get("s3BucketName") if channel else None,
        delivery_frequency=delivery.get("deliveryFrequency"),
        recording=recording,
    )


def _recorder_matches(current, wanted):
    if current is None:
        return False
    group, wanted_group = current.get("recordingGroup", {}), wanted["recordingGroup"]
    return (current.get("roleARN") == wanted["roleARN"]
            and bool(group.get("allSupported")) == wanted_group["allSupported"]
            and bool(group.get("includeGlobalResourceTypes")) == wanted_group["includeGlobalResourceTypes"])


def _channel_matches(current, wanted):
    if current is None:
        return False
    frequency = current.get("configSnapshotDeliveryProperties", {}).get("deliveryFrequency")
    return (current.get("s3BucketName") == wanted["s3BucketName"]
            and not current.get("s3KeyPrefix")
            and frequency == wanted["configSnapshotDeliveryProperties"]["deliveryFrequency"])


def plan_region(module, plan, region, records_global, state):
    params = module.params
    client = module.client("config", region=region)
    recorder = _only_one("recorder_name", params["recorder_name"],
                         _customer_managed(config.describe_configuration_recorders(client)),
                         "configuration recorder", region)
    channel = _only_one("delivery_channel_name", params["delivery_channel_name"],
                        config.describe_delivery_channels(client), "delivery channel", region)
    statuses = {s["name"]: s for s in config.describe_configuration_recorder_status(client)} if recorder else {}
    recording = bool(statuses.get(params["recorder_name"], {}).get("recording"))
    before = _describe(recorder, channel, recording) if recorder or channel else None

    def wanted_recorder():
        return {"name": params["recorder_name"], "roleARN": state["role_arn"],
                "recordingGroup": {"allSupported": True, "includeGlobalResourceTypes": records_global}}

    wanted_channel = {"name": params["delivery_channel_name"], "s3BucketName": params["s3_bucket_name"],
                      "configSnapshotDeliveryProperties": {"deliveryFrequency": params["delivery_frequency"]}}
    if channel and channel.get("snsTopicARN"):
        wanted_channel["snsTopicARN"] = channel["snsTopicARN"]  # not ours to drop

    if not _recorder_matches(recorder, wanted_recorder()):
        plan.add(f"put the configuration recorder {params['recorder_name']} in {region}",
                 lambda: config.put_configuration_recorder(client, wanted_recorder()))
    if not _channel_matches(channel, wanted_channel):
        plan.add(f"put the delivery channel {params['delivery_channel_name']} to {params['s3_bucket_name']}"
                 f" in {region}", lambda: config.put_delivery_channel(client, wanted_channel))
    if recording != params["recording"]:
        action = config.start_configuration_recorder if params["recording"] else config.stop_configuration_recorder
        verb = "start" if params["recording"] else "stop"
        plan.add(f"{verb} recording in {region}", lambda: action(client, params["recorder_name"]))
    return before, lambda: _describe(wanted_recorder(), wanted_channel, params["recording"])


def check_options(module):
    """Refuse bad options before any AWS call (each entry of ``accounts`` too)."""
    try:
        validate(module)
    except SpecError as e:
        module.fail_json(msg=str(e))


def run(module):
    plan = Plan()
    state = {}
    before, afters = {}, {}
    try:
        regions, global_region = validate(module)
        plan_role(module, plan, state)
        for region in regions:
            before[region], afters[region] = plan_region(module, plan, region, region == global_region, state)
    except SpecError as e:
        module.fail_json(msg=str(e))
    if not module.check_mode:
        plan.apply()
    after = {region: describe() for region, describe in afters.items()}
    return dict(changed=bool(plan.actions), changes=plan.changes, role_arn=state["role_arn"], regions=after,
                diff=dict(before=before, after=after))
