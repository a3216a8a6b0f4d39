"""meta/runtime.yml's action groups: module_defaults reach the modules each group names, and no other."""

import json

import pytest


def _regions_by_service(ansible, proxy, group):
    play = dict(hosts="localhost", gather_facts=False,
                module_defaults={f"group/awsorg.landing_zone.{group}": {"region": "eu-west-3"}},
                tasks=[{"name": "ours", "awsorg.landing_zone.sso_permission_set": {"permission_sets": []},
                        "check_mode": True},
                       {"name": "amazon.aws's", "amazon.aws.ec2_vpc_net_info": {}}])
    path = ansible.workdir / f"{group}.yml"
    path.write_text(json.dumps([play]))
    proxy.reset()
    run = ansible.run_playbook(path)
    assert run.rc == 0, run.output[-3000:]
    return {call["service"]: call["region"] for call in proxy.calls}


# Long: the aws group makes Ansible resolve amazon.aws's modules (most of its ~45 s); every playbook test
# of make test still runs with the collection's group in module_defaults.
@pytest.mark.long
def test_the_playbooks_group_reaches_ours_and_the_aws_group_amazon_aws_too(ansible, proxy):
    # The harness's AWS_REGION (us-east-1) is what a module the group does not reach uses.
    assert _regions_by_service(ansible, proxy, "modules") == {"sso": "eu-west-3", "ec2": "us-east-1"}
    assert _regions_by_service(ansible, proxy, "aws") == {"sso": "eu-west-3", "ec2": "eu-west-3"}
