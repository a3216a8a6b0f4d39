"""The RCP library: every entry a valid RCP within the limits, its behaviour, and its doc page."""

import json
import re
from pathlib import Path

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import SCP_VERSION
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import POLICY_TYPES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import RCP
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_types import validate_rcp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import LIBRARY
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import SERVICES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import describe
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.rcp_library import selection_statements
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import RCP_LIMITS
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_packing import plan_library

DOC = Path(__file__).resolve().parents[2] / "docs" / "rcp-library.md"
ORG = "o-a1b2c3d4e5"


def statements(name, **params):
    if "organization_id" in {p.name for p in LIBRARY[name].params}:
        params.setdefault("organization_id", ORG)
    return selection_statements(dict(name=name, params=params), name)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_entry_is_a_valid_rcp_of_supported_services_within_the_size_limit(name):
    document = {"Version": SCP_VERSION, "Statement": statements(name)}
    validate_rcp(document)
    assert len(minify(document)) <= POLICY_TYPES[RCP].size_limit == 5120
    for statement in document["Statement"]:
        assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
        assert {a.split(":")[0] for a in statement["Action"]} <= set(SERVICES)


def test_the_whole_library_packs_into_one_rcp_beside_rcpfullawsaccess():
    selections = [dict(name=name, params={"organization_id": ORG} if name != "enforce_tls" else {}, targets=["/"])
                  for name in LIBRARY]
    plan, problems = plan_library(selections, size_limit=5120, prefix="lz-rcp", label="landing_zone_rcp_library",
                                  statements_of=selection_statements, limits=RCP_LIMITS)
    assert problems == []
    assert [p["name"] for p in plan["policies"]] == ["lz-rcp-root-1"]
    assert plan["targets"]["/"]["other_policies"] == ["RCPFullAWSAccess"] and plan["targets"]["/"]["limit"] == 5
    assert plan["policies"][0]["description"].startswith("Landing zone RCP library on /")


def test_a_full_target_is_refused_with_the_rcp_numbers():
    others = [dict(name=f"rcp-{n}", targets=["/"]) for n in range(4)]
    _plan, problems = plan_library([dict(name="enforce_tls", targets=["/"])], others, size_limit=5120,
                                   statements_of=selection_statements, limits=RCP_LIMITS, label="lib")
    assert problems and "none of the 5 RCPs a target may have is free" in problems[0], problems
    assert "RCPFullAWSAccess, rcp-0" in problems[0]


def test_data_perimeter_denies_principals_outside_the_organization_but_allowed_accounts():
    statement = statements("data_perimeter", allowed_accounts=["111122223333"])[0]
    condition = statement["Condition"]
    assert condition["StringNotEqualsIfExists"]["aws:PrincipalOrgID"] == ORG
    assert condition["StringNotEqualsIfExists"]["aws:PrincipalAccount"] == ["111122223333"]
    assert condition["BoolIfExists"] == {"aws:PrincipalIsAWSService": "false"}
    assert "sts:AssumeRole" in statement["Action"] and "s3:*" in statement["Action"]


def test_enforce_tls_and_confused_deputy():
    assert statements("enforce_tls", services=["s3"])[0]["Condition"] == {"BoolIfExists": {"aws:SecureTransport": "false"}}
    assert statements("enforce_tls", services=["s3"])[0]["Action"] == ["s3:*"]
    deputy = statements("confused_deputy_protection")[0]["Condition"]
    assert deputy["StringNotEqualsIfExists"] == {"aws:SourceOrgID": ORG}
    assert deputy["Bool"] == {"aws:PrincipalIsAWSService": "true"} and deputy["Null"] == {"aws:SourceAccount": "false"}


@pytest.mark.parametrize("selection, message", [
    (dict(name="nope"), "'nope' is not in the RCP library"),
    (dict(name="data_perimeter", params={}), "organization_id: is required"),
    (dict(name="data_perimeter", params={"organization_id": "org-1"}), "must be one organization id"),
    (dict(name="data_perimeter", params={"organization_id": ORG, "allowed_accounts": ["12"]}), "'12' is not a 12-digit"),
    (dict(name="enforce_tls", params={"services": ["ec2"]}), "'ec2' is not one of"),
])
def test_bad_selections_are_refused_naming_the_parameter(selection, message):
    with pytest.raises(LibraryError, match=re.escape(message)):
        selection_statements(selection, "landing_zone_rcp_library[0]")


def test_the_doc_page_describes_every_entry_and_every_parameter_with_its_default():
    text = DOC.read_text(encoding="utf-8")
    by_name = {section.split()[0]: section for section in re.split(r"^### ", text, flags=re.M)[1:]}
    assert set(by_name) == set(LIBRARY)
    for entry in describe():
        section = by_name[entry["name"]]
        assert "Denies" in section and "Protects:" in section and "Breaks:" in section
        for param in entry["params"]:
            row = next((line for line in section.splitlines() if line.startswith(f"| `{param['name']}` |")), None)
            assert row, f"{entry['name']}: parameter {param['name']} is not in the doc"
            if param["required"]:
                assert "required" in row
            elif param["default"] is None:
                assert "none" in row
            else:
                shown = json.dumps(param["default"]).replace('"', "").replace(", ", ",").replace(",", ", ")
                assert shown.lower() in row.lower().replace("`", ""), (row, shown)
