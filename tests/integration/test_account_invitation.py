"""org_account's invite: an existing standalone account joins the organization by handshake.

Through the strict layer's emulated handshakes (tests/harness/strict_rules/handshakes.py):
the invitation, its acceptance with a profile of the standalone account's
credentials, the OrganizationAccountAccessRole made there, and what the rest
of the landing zone needs: the management account assumes that role through
the strict STS rule.  The end state is read back with boto3.
"""

import configparser
import json
import time

import pytest

from tests.harness.awsproxy import FaultConfig
from tests.harness.awsproxy import RecordingProxy
from tests.harness.clients import through
from tests.harness.lost_answers import FirstAnswerLost
from tests.harness.motoserver import MotoServer
from tests.harness.playbook import AnsibleRunner
from tests.harness.strict_aws import StrictConfig
from tests.harness.strict_rules.handshakes import handshake_rule
from tests.harness.strict_rules.handshakes import standalone_credentials
from tests.integration.conftest import AwsReader

MODULE = "awsorg.landing_zone.org_account"
MANAGEMENT = "123456789012"
STANDALONE = "444455556666"
ROLE = "OrganizationAccountAccessRole"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"


@pytest.fixture(scope="module")
def policy_aware_moto(tmp_path_factory):
    """A moto server of this module's own that knows AWS managed policies (AdministratorAccess), behind a proxy.

    The session's moto does not load them; the member role of an invited account gets AdministratorAccess.
    """
    log = tmp_path_factory.mktemp("invitation") / "moto.log"
    with MotoServer(log_path=str(log), load_managed_policies=True) as moto:
        proxy = RecordingProxy(moto.url).start()
        try:
            yield moto, proxy
        finally:
            proxy.stop()


@pytest.fixture
def stack(policy_aware_moto, tmp_path):
    """A fresh organization with a /data OU; the standalone account's credentials as the AWS profile ``standalone``."""
    moto, proxy = policy_aware_moto
    moto.reset()
    proxy.reset()
    proxy.forget_aws_state()
    proxy.configure(FaultConfig())
    proxy.configure_strict(StrictConfig(enabled=True))
    aws = AwsReader(moto.url)
    client = aws.client("organizations")
    client.create_organization(FeatureSet="ALL")
    root_id = client.list_roots()["Roots"][0]["Id"]
    ou_id = client.create_organizational_unit(ParentId=root_id, Name="data")["OrganizationalUnit"]["Id"]
    handshake_rule(proxy).standalone(STANDALONE, name="data-lake", email="data-lake@example.com")
    credentials = standalone_credentials(moto.url, STANDALONE)
    profiles = configparser.ConfigParser()
    profiles["standalone"] = dict(aws_access_key_id=credentials["AccessKeyId"],
                                  aws_secret_access_key=credentials["SecretAccessKey"],
                                  aws_session_token=credentials["SessionToken"])
    with open(tmp_path / "credentials", "w", encoding="utf-8") as handle:
        profiles.write(handle)
    (tmp_path / "config").write_text("[profile standalone]\nregion = us-east-1\n", encoding="utf-8")
    profile_files = dict(AWS_SHARED_CREDENTIALS_FILE=tmp_path / "credentials", AWS_CONFIG_FILE=tmp_path / "config")
    ansible = AnsibleRunner(proxy.url, tmp_path, extra_env=profile_files)
    return dict(proxy=proxy, aws=aws, client=client, root_id=root_id, ou_id=ou_id, ansible=ansible, moto=moto,
                credentials=credentials)


def args(**extra):
    return dict(dict(account_id=STANDALONE, name="data-lake", ou="/data", tags={"owner": "data"}, invite=True), **extra)


def failed(result):
    return [r["status"] for r in result["_run"].results if r["task"] == "module under test"] == ["failed"]


def writes(proxy):
    return [f"{c['service']}:{c['action']}" for c in proxy.mutating_calls()]


def handshakes(proxy):
    return handshake_rule(proxy).handshakes()


def test_without_invite_the_account_is_refused_with_a_hint(stack):
    result = stack["ansible"].run_module(MODULE, dict(account_id=STANDALONE, name="data-lake"))
    assert failed(result), result
    assert "invite=true" in result["msg"] and "account_invite: true" in result["msg"]
    assert writes(stack["proxy"]) == [] and handshakes(stack["proxy"]) == []


@pytest.mark.long
def test_invited_without_credentials_waits_then_joins_with_them(stack):
    ansible, proxy, client = stack["ansible"], stack["proxy"], stack["client"]
    preview = ansible.run_module(MODULE, args(), check=True)
    assert preview["changed"] is True and preview["invitation"]["sent"] is True, preview
    assert writes(proxy) == [] and handshakes(proxy) == []

    waiting = ansible.run_module(MODULE, args())
    assert waiting["changed"] is True and waiting["found_by"] == "invited", waiting
    invitation = waiting["invitation"]
    (handshake,) = handshakes(proxy)
    assert (invitation["handshake_id"], invitation["state"], invitation["joined"]) == (handshake["Id"], "OPEN", False)
    assert any(handshake["Id"] in w and STANDALONE in w for w in waiting.get("warnings", [])), waiting
    assert STANDALONE not in {a["Id"] for a in client.list_accounts()["Accounts"]}

    proxy.reset()
    again = ansible.run_module(MODULE, args())
    assert again["changed"] is False and again["invitation"]["handshake_id"] == handshake["Id"], again
    assert writes(proxy) == [] and len(handshakes(proxy)) == 1

    preview = ansible.run_module(MODULE, args(invite_profile="standalone"), check=True)
    assert preview["changed"] is True, preview
    assert (preview["invitation"]["accepted"], preview["invitation"]["member_role_created"]) == (True, True)
    assert preview["account"]["ou_path"] == "/data" and preview["diff"]["before"] is None
    assert writes(proxy) == []

    joined = ansible.run_module(MODULE, args(invite_profile="standalone"), diff=True)
    assert joined["changed"] is True, joined
    assert joined["invitation"]["joined"] is True and joined["invitation"]["member_role_created"] is True
    assert joined["diff"]["before"] is None and joined["account"]["ou_path"] == "/data"
    account = client.describe_account(AccountId=STANDALONE)["Account"]
    assert (account["JoinedMethod"], account["Name"]) == ("INVITED", "data-lake")
    assert client.list_parents(ChildId=STANDALONE)["Parents"][0]["Id"] == stack["ou_id"]
    assert client.list_tags_for_resource(ResourceId=STANDALONE)["Tags"] == [dict(Key="owner", Value="data")]
    assert handshakes(proxy)[0]["State"] == "ACCEPTED"
    assert_member_role(stack)

    proxy.reset()
    rerun = ansible.run_module(MODULE, args(invite_profile="standalone"), diff=True)
    assert rerun["changed"] is False and rerun["found_by"] == "account_id", rerun
    assert writes(proxy) == []


def assert_member_role(stack):
    """The role AWS's guide makes: trusting the management account, AdministratorAccess; assumable through STS."""
    iam = stack["aws"].client("iam", account_id=STANDALONE)  # through moto's own STS, never the proxy
    role = iam.get_role(RoleName=ROLE)["Role"]
    assert role["AssumeRolePolicyDocument"]["Statement"] == [dict(
        Effect="Allow", Principal=dict(AWS=f"arn:aws:iam::{MANAGEMENT}:root"), Action="sts:AssumeRole")]
    assert [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=ROLE)["AttachedPolicies"]] == [ADMIN]
    time.sleep(StrictConfig().new_role_delay_seconds)  # IAM's eventual consistency, as the strict STS rule plays it
    session = through(stack["proxy"], "sts").assume_role(RoleArn=f"arn:aws:iam::{STANDALONE}:role/{ROLE}",
                                                         RoleSessionName="landing-zone")
    assert session["AssumedRoleUser"]["Arn"].startswith(f"arn:aws:sts::{STANDALONE}:assumed-role/{ROLE}/")


def test_a_lost_invitation_answer_is_adopted_not_sent_twice(stack):
    proxy = stack["proxy"]
    with FirstAnswerLost(proxy, "organizations:InviteAccountToOrganization") as lost:
        result = stack["ansible"].run_module(MODULE, args())
    assert lost.lost, "the invitation's answer was not lost"
    (handshake,) = handshakes(proxy)
    assert result["changed"] is True and result["invitation"]["handshake_id"] == handshake["Id"], result
    assert [c["strict"] for c in proxy.calls if c["action"] == "InviteAccountToOrganization"][-1] == \
        "DuplicateHandshakeException"


def test_an_account_of_the_profile_other_than_the_invited_one_is_refused(stack):
    result = stack["ansible"].run_module(MODULE, args(account_id="777788889999", invite_profile="standalone"))
    assert failed(result), result
    assert "has credentials of account 444455556666" in result["msg"]
    assert json.dumps(stack["credentials"]["SecretAccessKey"]) not in json.dumps(result, default=str)


def test_the_organization_role_leaves_a_waiting_account_out_of_the_per_account_work(stack, tmp_path):
    """roles/organization/tasks/account.yml: a host whose account waits for acceptance gets no account id."""
    entries = dict(management=dict(params=dict(account_id=MANAGEMENT)),
                   datalake=dict(params=dict(account_id=STANDALONE, name="data-lake", ou="/data", invite=True)))
    inventory = tmp_path / "hosts.yml"
    inventory.write_text(json.dumps(dict(all=dict(children=dict(
        management=dict(hosts=dict(management=dict(account_id=MANAGEMENT))),
        accounts=dict(hosts=dict(management={}, datalake=dict(account_id=STANDALONE))))))), encoding="utf-8")
    playbook = tmp_path / "accounts.yml"
    role = dict(name="awsorg.landing_zone.organization", tasks_from="account")
    accounts_task = {"name": "accounts", "ansible.builtin.import_role": role}
    ids_task = {"name": "ids", "run_once": True, "ansible.builtin.debug": dict(var="organization_current_account_ids")}
    playbook.write_text(json.dumps([dict(
        hosts="accounts", gather_facts=False, connection="local",
        vars=dict(landing_zone_params=dict(org_account=entries,
                                           account_ids=dict(management=MANAGEMENT, datalake=STANDALONE))),
        tasks=[accounts_task, ids_task],
    )]), encoding="utf-8")
    run = stack["ansible"].run_playbook(playbook, inventory=inventory)
    assert run.rc == 0, run.output[-3000:]
    assert run.one("ids")["organization_current_account_ids"] == dict(management=MANAGEMENT)
    assert "datalake is waiting for acceptance" in run.stdout, run.stdout[-3000:]
