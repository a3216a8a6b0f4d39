"""org_organization against moto: create, adopt, policy types, service access."""

MODULE = "awsorg.landing_zone.org_organization"
ARGS = dict(
    enabled_policy_types=["SERVICE_CONTROL_POLICY", "TAG_POLICY"],
    aws_service_access_principals=["cloudtrail.amazonaws.com", "config.amazonaws.com"],
)


def test_check_mode_predicts_then_apply_creates_then_rerun_is_a_noop(ansible, aws, proxy):
    predicted = ansible.run_module(MODULE, ARGS, check=True)
    assert predicted["changed"] is True
    assert predicted["organization"]["management_account_id"] == "123456789012"
    assert predicted["organization"]["enabled_policy_types"] == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    assert proxy.mutating_calls() == []
    assert predicted["diff"]["before"] is None

    created = ansible.run_module(MODULE, ARGS)
    assert created["changed"] is True, created
    org = aws.client("organizations").describe_organization()["Organization"]
    assert created["organization"]["id"] == org["Id"]
    assert org["FeatureSet"] == "ALL"
    root = aws.client("organizations").list_roots()["Roots"][0]
    enabled = sorted(p["Type"] for p in root["PolicyTypes"] if p["Status"] == "ENABLED")
    assert enabled == ["SERVICE_CONTROL_POLICY", "TAG_POLICY"]
    principals = aws.client("organizations").list_aws_service_access_for_organization()
    assert sorted(p["ServicePrincipal"] for p in principals["EnabledServicePrincipals"]) == [
        "cloudtrail.amazonaws.com",
        "config.amazonaws.com",
    ]
    assert created["organization"]["root_id"] == root["Id"]

    proxy.reset()
    for check in (True, False):
        again = ansible.run_module(MODULE, ARGS, check=check)
        assert again["changed"] is False, again
        assert again["organization"]["id"] == org["Id"]
    assert proxy.mutating_calls() == []


def test_adopts_existing_organization_and_purges_only_when_asked(ansible, aws, proxy, organization):
    client = organization["client"]
    client.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    result = ansible.run_module(MODULE, dict(aws_service_access_principals=["config.amazonaws.com"]))
    assert result["changed"] is True
    enabled = {p["ServicePrincipal"] for p in client.list_aws_service_access_for_organization()["EnabledServicePrincipals"]}
    assert enabled == {"guardduty.amazonaws.com", "config.amazonaws.com"}

    purged = ansible.run_module(
        MODULE, dict(aws_service_access_principals=["config.amazonaws.com"], purge_aws_service_access_principals=True)
    )
    assert purged["changed"] is True
    assert purged["diff"]["before"]["aws_service_access_principals"] == ["config.amazonaws.com", "guardduty.amazonaws.com"]
    assert purged["diff"]["after"]["aws_service_access_principals"] == ["config.amazonaws.com"]
    enabled = {p["ServicePrincipal"] for p in client.list_aws_service_access_for_organization()["EnabledServicePrincipals"]}
    assert enabled == {"config.amazonaws.com"}
