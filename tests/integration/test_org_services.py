"""Organization-wide services against moto: log bucket, organization trail, AWS Config, GuardDuty, Security Hub."""

import json

import pytest

MANAGEMENT = "123456789012"
BUCKET = "acme-security-org-logs"
TRAIL = "acme-organization-trail"
TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/{TRAIL}"
REGIONS = ["us-east-1", "eu-west-1"]


def _member_account(organization, name):
    status = organization["client"].create_account(AccountName=name, Email=f"{name}@example.com")
    return status["CreateAccountStatus"]["AccountId"]


def _tasks(member, check):
    """The four modules as the org_services role runs them, in order."""
    return [
        {"name": "log bucket", "check_mode": check, "awsorg.landing_zone.log_bucket": dict(
            assume_role=dict(account_id=member), name=BUCKET, cloudtrail=dict(trail_name=TRAIL),
            config_delivery=True)},
        {"name": "trail", "check_mode": check, "awsorg.landing_zone.org_cloudtrail": dict(
            name=TRAIL, s3_bucket_name=BUCKET)},
        {"name": "config", "check_mode": check, "awsorg.landing_zone.config_recorder": dict(
            assume_role=dict(account_id=member), regions=REGIONS, s3_bucket_name=BUCKET)},
        {"name": "security services", "check_mode": check, "awsorg.landing_zone.org_security_services": dict(
            admin_account_id=member, assume_role=dict(account_id=member), regions=REGIONS,
            guardduty=dict(finding_publishing_frequency="FIFTEEN_MINUTES"),
            securityhub=dict(auto_enable=True, auto_enable_standards="NONE"))},
    ]


def _results(run):
    return {name: run.one(name) for name in ("log bucket", "trail", "config", "security services")}


def _statements(s3):
    return {s["Sid"]: s for s in json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])["Statement"]}


def _check_bucket(aws, member, organization_id):
    s3 = aws.client("s3", account_id=member)
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert all(s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"].values())
    ownership = s3.get_bucket_ownership_controls(Bucket=BUCKET)["OwnershipControls"]["Rules"][0]
    assert ownership["ObjectOwnership"] == "BucketOwnerEnforced"
    statements = _statements(s3)
    assert statements["DenyInsecureTransport"]["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    # CloudTrail may write for this trail only, under the management account and the organization.
    for sid in ("AWSCloudTrailAclCheck", "AWSCloudTrailWrite", "AWSCloudTrailOrganizationWrite"):
        assert statements[sid]["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        assert statements[sid]["Condition"]["StringEquals"]["aws:SourceArn"] == TRAIL_ARN
    assert statements["AWSCloudTrailWrite"]["Resource"] == f"arn:aws:s3:::{BUCKET}/AWSLogs/{MANAGEMENT}/*"
    assert statements["AWSCloudTrailOrganizationWrite"]["Resource"] == f"arn:aws:s3:::{BUCKET}/AWSLogs/{organization_id}/*"
    # AWS Config may deliver for accounts of the organization only.
    for sid in ("AWSConfigBucketPermissionsCheck", "AWSConfigBucketExistenceCheck", "AWSConfigBucketDelivery"):
        assert statements[sid]["Principal"] == {"Service": "config.amazonaws.com"}
        assert statements[sid]["Condition"]["StringEquals"]["aws:SourceOrgID"] == organization_id
    assert statements["AWSConfigBucketDelivery"]["Resource"] == f"arn:aws:s3:::{BUCKET}/AWSLogs/*/Config/*"


def _check_trail(aws):
    cloudtrail = aws.client("cloudtrail")
    trail = cloudtrail.get_trail(Name=TRAIL)["Trail"]
    assert trail["TrailARN"] == TRAIL_ARN
    assert trail["S3BucketName"] == BUCKET
    assert trail["IsOrganizationTrail"] is True
    assert trail["IsMultiRegionTrail"] is True
    assert trail["LogFileValidationEnabled"] is True
    assert trail["IncludeGlobalServiceEvents"] is True
    assert cloudtrail.get_trail_status(Name=TRAIL)["IsLogging"] is True


def _check_config(aws, member):
    for region in REGIONS:
        config = aws.client("config", account_id=member, region=region)
        recorder, = config.describe_configuration_recorders()["ConfigurationRecorders"]
        assert "/aws-service-role/config.amazonaws.com/" in recorder["roleARN"]
        assert recorder["recordingGroup"]["allSupported"] is True
        # Global resources (IAM) are recorded in the first region only.
        assert recorder["recordingGroup"]["includeGlobalResourceTypes"] is (region == REGIONS[0])
        channel, = config.describe_delivery_channels()["DeliveryChannels"]
        assert channel["s3BucketName"] == BUCKET
        assert channel["configSnapshotDeliveryProperties"]["deliveryFrequency"] == "TwentyFour_Hours"
        status, = config.describe_configuration_recorder_status()["ConfigurationRecordersStatus"]
        assert status["recording"] is True


def _check_security_services(aws, member):
    for region in REGIONS:
        admins = aws.client("guardduty", region=region).list_organization_admin_accounts()["AdminAccounts"]
        assert [a["AdminAccountId"] for a in admins] == [member]
        guardduty = aws.client("guardduty", account_id=member, region=region)
        detector_id, = guardduty.list_detectors()["DetectorIds"]
        detector = guardduty.get_detector(DetectorId=detector_id)
        assert detector["Status"] == "ENABLED"
        assert detector["FindingPublishingFrequency"] == "FIFTEEN_MINUTES"
        securityhub = aws.client("securityhub", account_id=member, region=region)
        assert securityhub.describe_hub()["HubArn"] == f"arn:aws:securityhub:{region}:{member}:hub/default"
        configuration = securityhub.describe_organization_configuration()
        assert configuration["AutoEnable"] is True
        assert configuration["AutoEnableStandards"] == "NONE"


@pytest.mark.long
def test_services_converge_read_back_and_rerun_is_a_noop(ansible, aws, proxy, organization):
    member = _member_account(organization, "security")
    organization_id = organization["client"].describe_organization()["Organization"]["Id"]

    predicted = _results(ansible.run_tasks(_tasks(member, check=True)))
    assert proxy.mutating_calls() == []
    for name, result in predicted.items():
        assert result["changed"] is True, (name, result.get("msg"))
    assert predicted["log bucket"]["diff"]["before"] is None
    assert "AWSCloudTrailOrganizationWrite" in predicted["log bucket"]["bucket"]["policy_statement_ids"]
    assert predicted["log bucket"]["trail_arn"] == TRAIL_ARN
    assert predicted["trail"]["trail"]["arn"] is None
    assert predicted["security services"]["guardduty"]["us-east-1"]["admin_account_id"] == member
    assert predicted["security services"]["diff"]["before"]["guardduty"]["us-east-1"]["admin_account_id"] is None

    applied = _results(ansible.run_tasks(_tasks(member, check=False)))
    for name, result in applied.items():
        assert result["changed"] is True, (name, result.get("msg"))
        assert result["changes"] == predicted[name]["changes"], name
    assert applied["trail"]["trail"]["arn"] == TRAIL_ARN
    assert applied["log bucket"]["organization_id"] == organization_id
    # Delegation first, then what the administrator configures.
    changes = applied["security services"]["changes"]
    assert changes.index(f"designate {member} as the GuardDuty delegated administrator in us-east-1") < changes.index(
        f"enable GuardDuty (a detector) in {member} in us-east-1")
    assert changes.index(f"designate {member} as the Security Hub delegated administrator in us-east-1") < next(
        i for i, c in enumerate(changes) if c.startswith("set Security Hub auto-enable"))

    _check_bucket(aws, member, organization_id)
    _check_trail(aws)
    _check_config(aws, member)
    _check_security_services(aws, member)
    services = organization["client"].list_aws_service_access_for_organization()["EnabledServicePrincipals"]
    assert {"cloudtrail.amazonaws.com", "guardduty.amazonaws.com", "securityhub.amazonaws.com"} <= {
        s["ServicePrincipal"] for s in services}

    proxy.reset()
    again = ansible.run_tasks(_tasks(member, check=True) + _tasks(member, check=False))
    for entry in again.results:
        assert entry["status"] == "ok" and entry["result"]["changed"] is False, entry
    assert len(again.results) == 8
    assert proxy.mutating_calls() == []


def test_bad_input_and_conflicts_fail_before_any_write(ansible, aws, proxy, organization):
    member = _member_account(organization, "security")
    other = _member_account(organization, "audit")
    # Out-of-band state the modules must refuse to fight with.
    aws.client("guardduty").enable_organization_admin_account(AdminAccountId=other)
    iam = aws.client("iam", account_id=member)
    role = iam.create_role(RoleName="config-recorder", AssumeRolePolicyDocument="{}")["Role"]
    aws.client("config", account_id=member).put_configuration_recorder(
        ConfigurationRecorder={"name": "legacy", "roleARN": role["Arn"]})

    tasks = [
        {"name": "bad bucket", "ignore_errors": True, "awsorg.landing_zone.log_bucket": dict(
            assume_role=dict(account_id=member), name="Bad_Bucket", config_delivery=True)},
        {"name": "bad trail", "ignore_errors": True, "awsorg.landing_zone.org_cloudtrail": dict(
            name="my--trail", s3_bucket_name=BUCKET)},
        {"name": "second recorder", "ignore_errors": True, "awsorg.landing_zone.config_recorder": dict(
            assume_role=dict(account_id=member), s3_bucket_name=BUCKET)},
        {"name": "other administrator", "ignore_errors": True, "awsorg.landing_zone.org_security_services": dict(
            admin_account_id=member, assume_role=dict(account_id=member), guardduty={})},
        {"name": "role elsewhere", "ignore_errors": True, "awsorg.landing_zone.org_security_services": dict(
            admin_account_id=member, assume_role=dict(account_id=other), securityhub={})},
    ]
    run = ansible.run_tasks(tasks)
    messages = {name: run.one(name).get("msg", "") for name in [t["name"] for t in tasks]}
    assert [r["status"] for r in run.results] == ["failed"] * len(tasks), messages
    assert messages["bad bucket"].startswith("name: 'Bad_Bucket'")
    assert messages["bad trail"].startswith("name: 'my--trail' must not hold adjacent")
    assert messages["second recorder"].startswith(
        "recorder_name: us-east-1 already has the configuration recorder 'legacy'")
    assert messages["other administrator"].startswith(
        f"admin_account_id: GuardDuty in us-east-1 already has the delegated administrator {other}")
    assert messages["role elsewhere"].startswith(f"assume_role: must reach the delegated administrator {member}")
    assert proxy.mutating_calls() == []
    assert aws.client("s3", account_id=member).list_buckets()["Buckets"] == []
