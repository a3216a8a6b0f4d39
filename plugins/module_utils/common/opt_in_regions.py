# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Which regions an account can opt in to or out of, and the checks of an account's region lists.

AWS: "Regions launched before March 20, 2019 are enabled by default ...
Default Regions cannot be enabled or disabled"; "Regions launched after
March 20, 2019 are disabled by default" and must be opted in to ("Enable or
disable AWS Regions in your account", AWS Account Management Reference Guide,
https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
The default ones answer ENABLED_BY_DEFAULT in GetRegionOptStatus, and
EnableRegion/DisableRegion refuse them (ValidationException, reason
invalidRegionOptTarget in botocore's account model).

The opt-in list is the aws partition's regions of botocore's endpoints data
(botocore/data/endpoints.json, botocore 1.44) less the default ones, and
matches the "Opt-in status: Required" regions of "AWS Regions"
(https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
A region AWS opens later is opt-in too: add it here (tests/unit/test_opt_in_regions.py
compares the list with the botocore the tests run on).  Only the aws
partition has opt-in regions.

Pure: no AWS call.  The region pattern is service_inputs.py's.
"""

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import region_problem

# The 17 regions launched before March 20, 2019: always enabled, never changed.
DEFAULT_REGIONS = frozenset((
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
    "ca-central-1",
    "eu-central-1", "eu-west-1", "eu-west-2", "eu-west-3", "eu-north-1",
    "sa-east-1",
))

# Disabled in a new account until it opts in (EnableRegion).
OPT_IN_REGIONS = frozenset((
    "af-south-1",
    "ap-east-1", "ap-east-2", "ap-south-2",
    "ap-southeast-3", "ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7",
    "ca-west-1",
    "eu-central-2", "eu-south-1", "eu-south-2",
    "il-central-1",
    "me-central-1", "me-south-1",
    "mx-central-1",
))


def opt_in_region_problem(value):
    """Why ``value`` cannot be opted in to or out of, or None."""
    problem = region_problem(value)
    if problem:
        return problem
    if value in DEFAULT_REGIONS:
        return f"{value!r} is enabled by default in every account and cannot be enabled or disabled"
    if value not in OPT_IN_REGIONS:
        return f"{value!r} is not an opt-in region; the opt-in regions are {', '.join(sorted(OPT_IN_REGIONS))}"
    return None


def opt_in_list_problems(values):
    """The problems of one list of regions (for the inventory schema's check)."""
    return [problem for problem in (opt_in_region_problem(v) for v in values) if problem]


def region_lists_problems(opt_in, opt_out, names=("opt_in_regions", "opt_out_regions")):
    """What is wrong with an account's two lists: a bad region, or one region in both."""
    problems = []
    for name, values in zip(names, (opt_in or [], opt_out or [])):
        problems.extend(f"{name}: {problem}" for problem in opt_in_list_problems(values))
    both = sorted(set(opt_in or []) & set(opt_out or []))
    if both:
        problems.append(f"{names[0]} and {names[1]}: {', '.join(both)} cannot be both enabled and disabled")
    return problems
