"""The SCP library: every entry is a valid SCP within the size limit and denies what its doc says."""

import json
import re
from pathlib import Path

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import DEFAULT_SCP_SIZE_LIMIT
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import minify
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import parse_policy
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.policy_documents import validate_scp
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LIBRARY
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import LibraryError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import describe
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import library_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "scp-library.md"
# The parameters an entry cannot be built without.
REQUIRED = {"allow_regions": {"regions": ["eu-west-1"]}}


def document(name, **params):
    return library_document([dict(name=name, params=dict(REQUIRED.get(name, {}), **params))])


def only(name, **params):
    statements = document(name, **params)["Statement"]
    assert len(statements) == 1, statements
    return statements[0]


def as_list(value):
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("name", list(LIBRARY))
def test_every_entry_is_valid_json_a_valid_scp_and_within_the_size_limit(name):
    built = document(name)
    text = minify(built)
    assert parse_policy(text) == built  # valid JSON, round trip
    validate_scp(built)
    assert len(text) <= DEFAULT_SCP_SIZE_LIMIT
    assert all(s["Effect"] == "Deny" for s in built["Statement"])


def test_the_whole_library_fits_in_one_scp_and_statement_ids_are_unique():
    everything = library_document([dict(name=name, params=REQUIRED.get(name)) for name in LIBRARY])
    validate_scp(everything)
    assert len(minify(everything)) <= DEFAULT_SCP_SIZE_LIMIT
    sids = [s["Sid"] for s in everything["Statement"]]
    assert len(sids) == len(set(sids))


def test_deny_root_user_denies_everything_to_the_root_principal_only():
    statement = only("deny_root_user")
    assert statement["Action"] == "*" and statement["Resource"] == "*"
    assert statement["Condition"] == {"StringLike": {"aws:PrincipalArn": "arn:*:iam::*:root"}}


def test_deny_leave_organization_and_deny_all():
    assert only("deny_leave_organization")["Action"] == "organizations:LeaveOrganization"
    deny_all = only("deny_all")
    assert (deny_all["Action"], deny_all["Resource"]) == ("*", "*")
    assert "Condition" not in deny_all


def test_allow_regions_denies_other_regions_except_global_services_and_exempt_roles():
    statement = only(
        "allow_regions",
        regions=["us-east-1", "eu-west-1", "us-east-1"],
        exempt_roles=["OrganizationAccountAccessRole", "arn:aws:iam::*:role/ops/*"],
        extra_global_actions=["ec2:DescribeRegions", "cloudwatch:GetMetricData"],
    )
    assert statement["Condition"]["StringNotEquals"] == {"aws:RequestedRegion": ["eu-west-1", "us-east-1"]}
    assert statement["Condition"]["ArnNotLike"] == {
        "aws:PrincipalArn": ["arn:*:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/ops/*"]
    }
    exempt = statement["NotAction"]
    for global_action in ("iam:*", "organizations:*", "sts:*", "route53:*", "cloudfront:*", "support:*",
                          "cloudwatch:GetMetricData"):
        assert global_action in exempt
    assert len(exempt) == len(set(exempt))  # the extra ec2:DescribeRegions is not listed twice
    # Regional services stay denied outside the regions.
    for regional in ("ec2:RunInstances", "s3:PutObject", "lambda:CreateFunction"):
        assert not any(re.fullmatch(pattern.replace("*", ".*"), regional) for pattern in exempt), regional
    assert "ArnNotLike" not in only("allow_regions")["Condition"]


def test_protect_security_services_covers_the_five_services_each_in_its_statement():
    statements = document("protect_security_services", exempt_roles=["security-admin"])["Statement"]
    by_sid = {s["Sid"]: as_list(s["Action"]) for s in statements}
    assert set(by_sid) == {"ProtectCloudTrail", "ProtectConfig", "ProtectGuardDuty", "ProtectSecurityHub",
                           "ProtectAccessAnalyzer"}
    assert {"cloudtrail:StopLogging", "cloudtrail:DeleteTrail"} <= set(by_sid["ProtectCloudTrail"])
    assert {"config:StopConfigurationRecorder", "config:DeleteConfigurationRecorder",
            "config:DeleteDeliveryChannel"} <= set(by_sid["ProtectConfig"])
    assert {"guardduty:DeleteDetector", "guardduty:DisassociateFromAdministratorAccount"} <= set(
        by_sid["ProtectGuardDuty"])
    assert "securityhub:DisableSecurityHub" in by_sid["ProtectSecurityHub"]
    assert by_sid["ProtectAccessAnalyzer"] == ["access-analyzer:DeleteAnalyzer"]
    for statement in statements:
        assert statement["Condition"] == {"ArnNotLike": {"aws:PrincipalArn": ["arn:*:iam::*:role/security-admin"]}}

    subset = document("protect_security_services", services=["guardduty"])["Statement"]
    assert [s["Sid"] for s in subset] == ["ProtectGuardDuty"]
    assert "Condition" not in subset[0]


def test_protect_landing_zone_roles_denies_changes_to_the_listed_roles_except_by_the_exempt_role():
    statement = only("protect_landing_zone_roles", roles=["OrganizationAccountAccessRole", "admin"])
    assert statement["Resource"] == ["arn:*:iam::*:role/OrganizationAccountAccessRole", "arn:*:iam::*:role/admin"]
    for action in ("iam:DeleteRole", "iam:UpdateAssumeRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePolicy",
                   "iam:DetachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"):
        assert action in statement["Action"]
    assert not any(a.startswith(("iam:Get", "iam:List")) for a in statement["Action"])
    assert statement["Condition"] == {
        "ArnNotLike": {"aws:PrincipalArn": ["arn:*:iam::*:role/OrganizationAccountAccessRole"]}
    }


def test_deny_unencrypted_s3_uploads_checks_the_header_value_and_its_presence():
    other, missing = document("deny_unencrypted_s3_uploads")["Statement"]
    header = "s3:x-amz-server-side-encryption"
    assert other["Action"] == missing["Action"] == "s3:PutObject"
    assert other["Condition"] == {
        "Null": {header: "false"},
        "StringNotEquals": {header: ["AES256", "aws:kms", "aws:kms:dsse"]},
    }
    assert missing["Condition"] == {"Null": {header: "true"}}
    relaxed = document("deny_unencrypted_s3_uploads", require_header=False, algorithms=["aws:kms"])["Statement"]
    assert [s["Sid"] for s in relaxed] == ["DenyS3UploadsWithOtherEncryption"]
    assert relaxed[0]["Condition"]["StringNotEquals"] == {header: ["aws:kms"]}


def test_require_imdsv2_on_launch_for_credentials_and_metadata_changes():
    statements = {s["Sid"]: s for s in document("require_imdsv2", exempt_roles=["admin"])["Statement"]}
    assert set(statements) == {"RequireImdsv2OnLaunch", "DenyImdsv1Credentials", "DenyInstanceMetadataOptionsChange"}
    launch = statements["RequireImdsv2OnLaunch"]
    assert launch["Action"] == "ec2:RunInstances"
    assert launch["Condition"] == {"StringNotEquals": {"ec2:MetadataHttpTokens": "required"}}
    assert statements["DenyImdsv1Credentials"]["Condition"] == {"NumericLessThan": {"ec2:RoleDelivery": "2.0"}}
    assert statements["DenyInstanceMetadataOptionsChange"]["Condition"]["ArnNotLike"] == {
        "aws:PrincipalArn": ["arn:*:iam::*:role/admin"]}
    hop = {s["Sid"]: s for s in document("require_imdsv2", max_hop_limit=2)["Statement"]}["LimitImdsHopLimit"]
    assert hop["Condition"] == {"NumericGreaterThan": {"ec2:MetadataHttpPutResponseHopLimit": "2"}}


@pytest.mark.parametrize(
    "selection, message",
    [
        (dict(name="deny_everything"), "scp_library[0]: name: 'deny_everything' is not in the SCP library; known:"),
        (dict(name="deny_all", params=dict(regions=["eu-west-1"])),
         "scp_library[0]: params: unknown parameter 'regions' for deny_all; allowed: none"),
        (dict(name="allow_regions"), "scp_library[0]: params.regions: is required by allow_regions"),
        (dict(name="allow_regions", params=dict(regions=["Europe"])),
         "scp_library[0]: params.regions: 'Europe' is not a region name such as 'eu-west-1'"),
        (dict(name="allow_regions", params=dict(regions="eu-west-1")),
         "scp_library[0]: params.regions: must be a list of strings, got 'eu-west-1'"),
        (dict(name="allow_regions", params=dict(regions=["eu-west-1"], exempt_roles=["bad role"])),
         "scp_library[0]: params.exempt_roles: 'bad role' is not a role name"),
        (dict(name="allow_regions", params=dict(regions=["eu-west-1"], extra_global_actions=["notanaction"])),
         "scp_library[0]: params.extra_global_actions: 'notanaction' is not an IAM action"),
        (dict(name="protect_security_services", params=dict(services=["macie"])),
         "scp_library[0]: params.services: 'macie' is not one of cloudtrail, config, guardduty, securityhub,"
         " access_analyzer"),
        (dict(name="require_imdsv2", params=dict(max_hop_limit=65)),
         "scp_library[0]: params.max_hop_limit: must be between 1 and 64, got 65"),
        (dict(name="deny_unencrypted_s3_uploads", params=dict(require_header="yes")),
         "scp_library[0]: params.require_header: must be true or false, got 'yes'"),
    ],
)
def test_bad_selections_are_refused_naming_the_parameter_and_the_value(selection, message):
    with pytest.raises(LibraryError) as error:
        library_document([selection])
    assert str(error.value).startswith(message), str(error.value)


def test_the_same_entry_twice_in_one_document_is_refused():
    with pytest.raises(LibraryError, match="selected twice"):
        library_document(["deny_all", {"name": "deny_all"}])


def test_the_doc_page_describes_every_entry_and_every_parameter_with_its_default():
    text = DOC.read_text(encoding="utf-8")
    sections = re.split(r"^### ", text, flags=re.M)
    by_name = {section.split()[0]: section for section in sections[1:]}
    for entry in describe():
        section = by_name.get(entry["name"])
        assert section, f"docs/scp-library.md has no section for {entry['name']}"
        assert "Denies" in section
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
