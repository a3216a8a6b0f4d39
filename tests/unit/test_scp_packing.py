"""Packing library statements per target: fewest SCPs within the size and per-target limits, or refused."""

import copy
import math

from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import validate_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LIBRARY
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import selection_statements
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import MAX_NAME_LENGTH
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_library
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import policy_name

REGIONS = dict(regions=["us-east-1", "eu-west-1"])


def every_entry(targets):
    return [dict(name=name, params=REGIONS if name == "allow_regions" else None, targets=targets)
            for name in LIBRARY]


def statement_sizes(selections):
    sizes = {}
    for index, selection in enumerate(selections):
        for statement in selection_statements(selection, str(index)):
            sizes[statement["Sid"]] = len(minify(statement))
    return sizes


def test_everything_selected_for_a_target_fits_one_scp_by_default():
    plan, problems = plan_library(every_entry(["/", "/workloads/"]))
    assert problems == []
    assert [(p["name"], p["target"]) for p in plan["policies"]] == [("lz-root-1", "/"), ("lz-workloads-1", "/workloads")]
    root = plan["policies"][0]
    validate_scp(root["document"])
    assert root["size"] == len(minify(root["document"])) <= 10240
    assert root["sources"] == list(LIBRARY)
    assert plan["targets"]["/"] == dict(policies=["lz-root-1"], other_policies=["FullAWSAccess"], attached=2,
                                        limit=10)


def test_a_small_size_limit_packs_into_the_fewest_scps_each_within_the_limit():
    selections = every_entry(["/workloads"])
    sizes = statement_sizes(selections)
    limit = 1300  # the largest statement (the region guard) is ~1,250 characters
    plan, problems = plan_library(selections, size_limit=limit)
    assert problems == []
    policies = plan["policies"]
    # Every statement exactly once; every document valid and within the limit.
    packed = [sid for p in policies for sid in p["statements"]]
    assert sorted(packed) == sorted(sizes)
    for policy in policies:
        validate_scp(policy["document"])
        assert policy["size"] == len(minify(policy["document"])) <= limit
        assert policy["target"] == "/workloads"
    # No fewer documents could hold the statements (the lower bound is the total size).
    wrapper = len(minify({"Version": "2012-10-17", "Statement": []}))
    assert len(policies) == math.ceil(sum(sizes.values()) / (limit - wrapper))
    assert [p["name"] for p in policies] == [f"lz-workloads-{n}" for n in range(1, len(policies) + 1)]
    # Deterministic: the same selections (targets written differently) give the same plan.
    again = plan_library(copy.deepcopy(every_entry(["/workloads/"])), size_limit=limit)
    assert again == (plan, [])


def test_other_scps_on_the_target_count_and_too_many_is_refused_with_the_numbers():
    selections = every_entry(["/workloads"])
    others = [dict(name=f"inline-{n}", targets=["/workloads"]) for n in range(7)]
    others.append(dict(name="retiring", targets=["/workloads"], state="absent"))  # does not count
    needed = len(plan_library(selections, size_limit=2000)[0]["policies"])
    assert needed > 2
    plan, problems = plan_library(selections, others, size_limit=2000)
    total = sum(statement_sizes(selections).values())
    assert plan["policies"] == []
    assert problems == [
        f"landing_zone_scp_library: target /workloads: the {len(statement_sizes(selections))} library statements"
        f" ({total} characters) need {needed} SCPs of at most 2000 characters, but only 2 of the 10 SCPs a target may"
        " have are free (8 taken: FullAWSAccess, inline-0, inline-1, inline-2, inline-3, inline-4, inline-5,"
        " inline-6)"
    ]
    # Larger SCPs need fewer of them: 2 of 3,000 characters fit next to FullAWSAccess and 7 inline SCPs.
    plan, problems = plan_library(selections, others, size_limit=3000)
    assert problems == []
    assert len(plan["policies"]) == 2
    assert plan["targets"]["/workloads"]["attached"] == 10


def test_a_statement_larger_than_the_size_limit_is_refused_with_its_size():
    selections = [dict(name="allow_regions", params=REGIONS, targets=["/"]), dict(name="deny_all", targets=["/x"])]
    size = statement_sizes(selections)["DenyOutsideAllowedRegions"]
    plan, problems = plan_library(selections, size_limit=1000)
    assert problems == [
        f"landing_zone_scp_library[allow_regions]: statement DenyOutsideAllowedRegions is {size} characters;"
        f" an SCP holding only it is {size + 39} characters, over the size limit of 1000"
    ]
    assert [p["name"] for p in plan["policies"]] == ["lz-x-1"]


def test_selection_problems_are_all_listed():
    selections = [
        dict(name="deny_all", targets=["/a", "/a/"]),  # the same target twice is one target
        dict(name="deny_all", targets=["/a"]),
        dict(name="no_such_entry", targets=["/"]),
        dict(name="deny_root_user", targets="/a"),
        dict(name="deny_root_user", targets=["/a/b/c/d/e/f"]),
    ]
    plan, problems = plan_library(selections)
    assert problems[0] == "landing_zone_scp_library[deny_all]: deny_all is selected twice for target /a"
    assert problems[1].startswith("landing_zone_scp_library[no_such_entry]: name: 'no_such_entry' is not in")
    assert problems[2] == ("landing_zone_scp_library[deny_root_user]: targets: must be a list of '/', OU paths or"
                           " accounts, got '/a'")
    assert problems[3].startswith("landing_zone_scp_library[deny_root_user]: targets: OU path '/a/b/c/d/e/f'")
    assert [p["name"] for p in plan["policies"]] == ["lz-a-1"]


def test_names_are_deterministic_and_fit_the_name_limit():
    assert policy_name("lz", "/", 1) == "lz-root-1"
    assert policy_name("lz", "/workloads/prod", 2) == "lz-workloads-prod-2"
    assert policy_name("lz", "123456789012", 1) == "lz-123456789012-1"
    first, second = "/" + "/".join(["a" * 40] * 4), "/" + "/".join(["a" * 40] * 3 + ["b" * 40])
    assert len(policy_name("lz", first, 1)) <= MAX_NAME_LENGTH
    assert policy_name("lz", first, 1) != policy_name("lz", second, 1)
    assert policy_name("lz", first, 1) == policy_name("lz", first, 1)


# --- the preflight ------------------------------------------------------------------

SETTINGS = dict(
    landing_zone_project="acme",
    landing_zone_email_pattern="{owner}+{project}-{account}@{domain}",
    landing_zone_email_tokens=dict(owner="platform", domain="example.com"),
    landing_zone_organizational_units=["/workloads/prod"],
)
HOSTS = dict(
    management=dict(account_id="123456789012", account_email="root@example.com", account_wave=0),
    production=dict(account_ou="/workloads/prod", account_wave=1),
)


def preflight(**settings):
    return build_plan(copy.deepcopy(HOSTS), ["management"], dict(copy.deepcopy(SETTINGS), **settings))[1]


def test_the_preflight_accepts_a_good_library_and_names_every_bad_selection():
    assert preflight(landing_zone_scp_library=every_entry(["/", "/workloads", "production"])) == []
    inline = [dict(name=f"inline-{n}", document={"Version": "2012-10-17", "Statement": {
        "Effect": "Deny", "Action": f"svc{n}:Act", "Resource": "*"}}, targets=["/workloads"]) for n in range(8)]
    inline.append(dict(name="lz-root-1", document={"Version": "2012-10-17", "Statement": {
        "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}, targets=["/"]))
    problems = preflight(
        landing_zone_scp_library=[
            dict(name="allow_regions", params=dict(regions=["mars-1"]), targets=["/workloads"]),
            dict(name="deny_all", targets=["/nowhere", "nobody"]),
        ] + every_entry(["/workloads"])[:2],
        landing_zone_service_control_policies=inline,
        landing_zone_scp_size_limit=260,
    )
    assert "all: landing_zone_scp_library[allow_regions]: params.regions: 'mars-1' is not a region name such as" \
           " 'eu-west-1'" in problems
    assert "all: landing_zone_scp_library[deny_all]: target '/nowhere' is not in landing_zone_organizational_units" \
           in problems
    assert "all: landing_zone_scp_library[deny_all]: target 'nobody' is neither an OU path, an account id nor an" \
           " account host" in problems
    assert "all: landing_zone_service_control_policies[lz-root-1]: the name looks like an SCP packed from the" \
           " library (lz-<target>-<n>); rename it" in problems
    full = [p for p in problems if "SCPs a target may have" in p]
    assert len(full) == 1 and full[0].startswith("all: landing_zone_scp_library: target /workloads: the ")
    assert "only 1 of the 10 SCPs a target may have are free (9 taken: FullAWSAccess, inline-0," in full[0]
