"""The inventory's policies of every type: the tag-policy and AI opt-out builders, the role's items, the preflight's refusals.

The refusals come from the preflight's plan (inventory/plan.py), each naming
the host, the variable and the value, before any write.
tests/integration/test_policy_inventory.py converges the same variables.
"""

import copy

import pytest

from ansible_collections.awsorg.landing_zone.plugins.filter.org_policies import org_policy_runs
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import PolicyInventoryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import ai_opt_out_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import enabled_policy_types
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import rcp_selections
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_inventory import tag_policy_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import validate_document
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan

SETTINGS = dict(landing_zone_project="acme", landing_zone_organizational_units=["/workloads"])
HOSTS = dict(
    mgmt=dict(account_id="123456789012", account_email="root@example.com"),
    app=dict(account_email="app@example.com", account_ou="/workloads"),
)
RCP_DOC = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}


def problems_of(**settings):
    return build_plan(copy.deepcopy(HOSTS), ["mgmt"], dict(SETTINGS, **settings))[1]


# --- the builders -------------------------------------------------------------------------


def test_tag_policy_from_required_tags_is_a_valid_tag_policy_with_assign():
    document = tag_policy_document({"CostCenter": ["100", 200], "Owner": None}, enforced_for=["secretsmanager:*"])
    assert document == {"tags": {
        "costcenter": {"tag_key": {"@@assign": "CostCenter"}, "tag_value": {"@@assign": ["100", "200"]},
                       "enforced_for": {"@@assign": ["secretsmanager:*"]}},
        "owner": {"tag_key": {"@@assign": "Owner"}, "enforced_for": {"@@assign": ["secretsmanager:*"]}},
    }}
    validate_document("TAG_POLICY", document)


@pytest.mark.parametrize("required, message", [
    ({}, "must map at least one tag key"),
    ({"CostCenter": "100"}, "required_tags.CostCenter: must be a list of allowed values"),
    ({"CostCenter": ["1"], "costcenter": ["2"]}, "differs from another key only in case"),
])
def test_tag_policy_refuses_what_aws_would(required, message):
    with pytest.raises(PolicyInventoryError, match=message):
        tag_policy_document(required)


def test_ai_opt_out_opts_every_service_out_and_children_cannot_opt_back_in():
    document = ai_opt_out_document()
    assert document["services"]["default"]["opt_out_policy"] == {
        "@@assign": "optOut", "@@operators_allowed_for_child_policies": ["@@none"]}
    validate_document("AISERVICES_OPT_OUT_POLICY", document)


def test_one_org_policy_run_per_type_hosts_become_account_ids_and_unknown_accounts_wait():
    hostvars = {"app": {"account_id": "210987654321"}, "new": {}}
    policies = [dict(type="RESOURCE_CONTROL_POLICY", name="r", document=RCP_DOC, targets=["/", "app"]),
                dict(type="RESOURCE_CONTROL_POLICY", name="later", document=RCP_DOC, targets=["new"])]
    runs = org_policy_runs(policies, hostvars, {"required_tags": {"Env": ["prod"]}}, True)
    assert [run["type"] for run in runs] == ["RESOURCE_CONTROL_POLICY", "TAG_POLICY", "AISERVICES_OPT_OUT_POLICY"]
    assert runs[0]["policies"] == [dict(name="r", policy=RCP_DOC, targets=["/", "210987654321"], purge_targets=True,
                                        state="present")]
    assert runs[1]["policies"][0]["name"] == "lz-tag-policy" and runs[1]["policies"][0]["targets"] == ["/"]
    assert runs[2]["policies"][0]["targets"] == ["/"]


def test_enabled_types_are_scps_and_what_the_inventory_uses():
    assert enabled_policy_types() == ["SERVICE_CONTROL_POLICY"]
    assert enabled_policy_types([dict(type="BACKUP_POLICY", name="b")], {"required_tags": {"A": None}}, True,
                                [dict(name="enforce_tls")]) == [
        "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "BACKUP_POLICY", "AISERVICES_OPT_OUT_POLICY"]


def test_rcp_selections_get_the_organization_id_only_where_the_entry_takes_one_and_none_is_given():
    selections = [dict(name="enforce_tls"), dict(name="data_perimeter"),
                  dict(name="confused_deputy_protection", params=dict(organization_id="o-given12345"))]
    filled = rcp_selections(selections, "o-abcdefghij")
    assert filled[0] == dict(name="enforce_tls")
    assert filled[1]["params"] == dict(organization_id="o-abcdefghij")
    assert filled[2]["params"] == dict(organization_id="o-given12345")


# --- the preflight ------------------------------------------------------------------------


def test_a_full_policy_inventory_has_no_problem():
    assert problems_of(
        landing_zone_policies=[dict(type="RESOURCE_CONTROL_POLICY", name="r", document=RCP_DOC, targets=["/workloads", "app"])],
        landing_zone_tag_policy=dict(required_tags={"CostCenter": ["1"]}, targets=["/workloads"]),
        landing_zone_ai_services_opt_out=True,
        landing_zone_rcp_library=[dict(name="enforce_tls", targets=["/"]), dict(name="data_perimeter", targets=["app"])],
    ) == []


def test_bad_type_is_refused_naming_the_policy_and_the_value():
    problems = problems_of(landing_zone_policies=[dict(type="TAGS_POLICY", name="t", document={"tags": {}}, targets=["/"])])
    assert problems == ["all: landing_zone_policies[t]: type: 'TAGS_POLICY' is not an Organizations policy type; one of "
                        + ", ".join(POLICY_TYPES)]


def test_target_not_found_is_refused():
    problems = problems_of(
        landing_zone_policies=[dict(type="RESOURCE_CONTROL_POLICY", name="r", document=RCP_DOC, targets=["/nowhere", "ghost"])],
        landing_zone_tag_policy=dict(required_tags={"A": None}, targets=["/elsewhere"]),
        landing_zone_rcp_library=[dict(name="enforce_tls", targets=["phantom"])],
    )
    assert "all: landing_zone_policies[r]: target '/nowhere' is not in landing_zone_organizational_units" in problems
    assert "all: landing_zone_policies[r]: target 'ghost' is neither an OU path, an account id nor an account host" in problems
    assert "all: landing_zone_tag_policy: target '/elsewhere' is not in landing_zone_organizational_units" in problems
    assert "all: landing_zone_rcp_library[enforce_tls]: target 'phantom' is neither an OU path, an account id nor an account host" in problems


def test_size_over_the_types_limit_is_refused():
    # The AI services opt-out quota is 2,500 characters (common/policy_types.py).
    big = {"services": {f"service{n}": {"opt_out_policy": {"@@assign": "optOut"}} for n in range(80)}}
    problems = problems_of(landing_zone_policies=[dict(type="AISERVICES_OPT_OUT_POLICY", name="big", document=big, targets=["/"])])
    assert len(problems) == 1
    assert problems[0].startswith("all: landing_zone_policies[big]: document: the minified document is ")
    assert problems[0].endswith("characters; the AI services opt-out policy size limit is 2500 characters")


def test_document_of_the_wrong_grammar_and_missing_document_are_refused():
    problems = problems_of(landing_zone_policies=[
        dict(type="RESOURCE_CONTROL_POLICY", name="allow", targets=["/"],
             document={"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
                                                               "Resource": "*"}]}),
        dict(type="TAG_POLICY", name="empty", targets=["/"]),
    ])
    assert any(p.startswith("all: landing_zone_policies[allow]: document: Statement[0]: Effect must be 'Deny'") for p in problems), problems
    assert "all: landing_zone_policies[empty]: needs exactly one of document or file" in problems


def test_too_many_policies_of_a_type_on_one_target_is_refused():
    # 5 RCPs per target, RCPFullAWSAccess included.
    policies = [dict(type="RESOURCE_CONTROL_POLICY", name=f"r{n}", document=RCP_DOC, targets=["app"]) for n in range(5)]
    problems = problems_of(landing_zone_policies=policies)
    assert problems == ["app: landing_zone_policies: target app: 6 policies of type RESOURCE_CONTROL_POLICY would be attached"
                        " (RCPFullAWSAccess, r0, r1, r2, r3, r4); AWS allows at most 5 on one root, OU or account,"
                        " RCPFullAWSAccess included"]


def test_rcp_library_problems_name_the_selection_and_value():
    problems = problems_of(landing_zone_rcp_library=[
        dict(name="perimeter", targets=["/"]),
        dict(name="data_perimeter", params=dict(organization_id="org-1"), targets=["/"]),
    ])
    assert any("landing_zone_rcp_library[perimeter]" in p and "'perimeter' is not in the RCP library" in p for p in problems), problems
    assert any("landing_zone_rcp_library[data_perimeter]" in p and "'org-1'" in p for p in problems), problems


def test_enabled_types_set_by_hand_must_hold_the_types_used():
    problems = problems_of(landing_zone_enabled_policy_types=["SERVICE_CONTROL_POLICY", "TAGS"],
                           landing_zone_ai_services_opt_out=True)
    assert "all: landing_zone_enabled_policy_types: 'TAGS' is not an Organizations policy type; one of " in problems[0]
    assert problems[1] == ("all: landing_zone_enabled_policy_types: ['SERVICE_CONTROL_POLICY', 'TAGS'] leaves out"
                           " AISERVICES_OPT_OUT_POLICY, which the inventory's policies use; add them, or leave the"
                           " variable unset to enable what the policies use")


def test_bad_tag_policy_and_unknown_keys_are_refused():
    problems = problems_of(landing_zone_tag_policy=dict(required_tags={"CostCenter": "100"}, target=["/"]))
    assert any(p.startswith("all: landing_zone_tag_policy") and "target" in p for p in problems), problems
    assert "all: landing_zone_tag_policy: required_tags.CostCenter: must be a list of allowed values (or null for any), got '100'" in problems
