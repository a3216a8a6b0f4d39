# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Converge the organization trail, from the management account.

Trusted access for CloudTrail is enabled in AWS Organizations first (an
organization trail needs it), then the trail is created or its settings are
updated one by one, then logging is started.  Every setting is read back,
so a second run makes no write.
"""

import re

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import cloudtrail
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import SpecError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.change_plan import Plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import bucket_name_problem

CLOUDTRAIL_PRINCIPAL = "cloudtrail.amazonaws.com"
# Matched with fullmatch: a "$" anchor would let a trailing newline through.
_TRAIL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{1,126}[A-Za-z0-9]")
_ADJACENT_SEPARATORS = re.compile(r"[._-]{2}")

# Option name -> (CreateTrail/UpdateTrail parameter, GetTrail field).
SETTINGS = {
    "s3_bucket_name": ("S3BucketName", "S3BucketName"),
    "is_organization_trail": ("IsOrganizationTrail", "IsOrganizationTrail"),
    "is_multi_region_trail": ("IsMultiRegionTrail", "IsMultiRegionTrail"),
    "include_global_service_events": ("IncludeGlobalServiceEvents", "IncludeGlobalServiceEvents"),
    "enable_log_file_validation": ("EnableLogFileValidation", "LogFileValidationEnabled"),
}


def trail_name_problem(name):
    """Why ``name`` is not a valid trail name (CloudTrail's rules), or None."""
    if not _TRAIL_NAME.fullmatch(name or ""):
        return ("must be 3 to 128 letters, digits, '.', '_' and '-', starting and ending with a letter"
                " or digit")
    if _ADJACENT_SEPARATORS.search(name):
        return "must not hold adjacent '.', '_' or '-'"
    return None


def validate(params):
    problem = trail_name_problem(params["name"])
    if problem:
        raise SpecError(f"name: {params['name']!r} {problem}")
    problem = bucket_name_problem(params["s3_bucket_name"])
    if problem:
        raise SpecError(f"s3_bucket_name: {params['s3_bucket_name']!r} {problem}")


def _current(trail):
    return {option: trail.get(field) for option, (_parameter, field) in SETTINGS.items()}


def _describe(name, arn, home_region, settings, logging):
    return dict(name=name, arn=arn, home_region=home_region, is_logging=logging, **settings)


def _plan_service_access(module, plan):
    client = module.client("organizations")
    if CLOUDTRAIL_PRINCIPAL in org.list_aws_service_access(client):
        return
    plan.add(f"enable trusted access for {CLOUDTRAIL_PRINCIPAL} in AWS Organizations",
             lambda: org.enable_aws_service_access(client, CLOUDTRAIL_PRINCIPAL))


def _plan_trail(module, client, plan, wanted):
    """Plan the trail; returns (before, ARN or None, whether it exists)."""
    name = module.params["name"]
    trail = cloudtrail.get_trail(client, name)
    if trail is None:
        parameters = {SETTINGS[option][0]: value for option, value in wanted.items()}
        plan.add(f"create the trail {name}", lambda: cloudtrail.create_trail(client, Name=name, **parameters))
        return None, None, False
    if trail.get("HomeRegion") and trail["HomeRegion"] != module.region:
        raise SpecError(
            f"region: the trail {name} lives in {trail['HomeRegion']}; a trail is changed in its home region,"
            f" not in {module.region}"
        )
    current = _current(trail)
    changed = {SETTINGS[option][0]: value for option, value in wanted.items() if current[option] != value}
    if changed:
        plan.add(f"update {', '.join(sorted(changed))} of the trail {name}",
                 lambda: cloudtrail.update_trail(client, Name=name, **changed))
    return current, trail["TrailARN"], True


def _plan_logging(module, client, plan, exists):
    name, wanted = module.params["name"], module.params["logging"]
    logging = cloudtrail.get_trail_status(client, name).get("IsLogging") if exists else False
    if logging != wanted:
        if wanted:
            plan.add(f"start logging of the trail {name}", lambda: cloudtrail.start_logging(client, name))
        else:
            plan.add(f"stop logging of the trail {name}", lambda: cloudtrail.stop_logging(client, name))
    return logging


def run(module):
    params = module.params
    wanted = {option: params[option] for option in SETTINGS}
    client = module.client("cloudtrail")
    plan = Plan()
    try:
        validate(params)
        if params["is_organization_trail"]:
            _plan_service_access(module, plan)
        current, arn, exists = _plan_trail(module, client, plan, wanted)
        logging = _plan_logging(module, client, plan, exists)
    except SpecError as e:
        module.fail_json(msg=str(e))
    before = _describe(params["name"], arn, module.region, current, logging) if exists else None
    if not module.check_mode:
        plan.apply()
        arn = arn or cloudtrail.get_trail(client, params["name"])["TrailARN"]
    after = _describe(params["name"], arn, module.region, wanted, params["logging"])
    return dict(changed=bool(plan.actions), changes=plan.changes, trail=after, diff=dict(before=before, after=after))
