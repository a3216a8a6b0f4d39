"""Each bad input of issue 14 is refused by the preflight's plan, naming the host, the variable and the value.

tests/integration/test_inventory_bad_input.py runs the same inputs through
playbooks/site.yml against moto and checks that nothing was written.
"""

import copy
import shutil
import subprocess

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.pgp_keys import packet_tag
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.pgp_keys import public_key_data_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.scp_library import exempts_every_role
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import iam_user_name_problem
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.service_inputs import tag_problems
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from tests.harness.gpgkeys import GPG
from tests.harness.gpgkeys import TestKeyring

DENY = {"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}}
SETTINGS = dict(
    landing_zone_project="acme",
    landing_zone_email_pattern="{owner}+{project}-{account}@{domain}",
    landing_zone_email_tokens=dict(owner="platform", domain="example.com"),
    landing_zone_organizational_units=["/security", "/infrastructure", "/workloads/prod"],
    landing_zone_quarantine_ou="/suspended",
    landing_zone_identity_account="security",
    landing_zone_tf_backend_account="shared",
    landing_zone_services=dict(log_archive_account="logs", cloudtrail={}),
    landing_zone_cross_account_roles=[dict(name="admin", require_mfa=True)],
    landing_zone_groups=[dict(name="admins", roles=["admin"], require_mfa=True)],
    landing_zone_users=[dict(name="alice", groups=["admins"]), dict(name="bob", groups=["admins"])],
)
HOSTS = dict(
    mgmt=dict(account_id="123456789012", account_email="root@example.com", account_wave=0),
    security=dict(account_ou="/security", account_wave=1),
    shared=dict(account_ou="/infrastructure", account_wave=1),
    logs=dict(account_ou="/security", account_wave=2),
    production=dict(account_ou="/workloads/prod", account_wave=2, account_tags=dict(env="prod")),
)


def problems_of(hosts=None, **settings):
    merged = dict(copy.deepcopy(SETTINGS), **settings)
    return build_plan(hosts or copy.deepcopy(HOSTS), ["mgmt"], merged)[1]


def with_host(host, **variables):
    hosts = copy.deepcopy(HOSTS)
    hosts[host].update(variables)
    return hosts


def test_the_base_inventory_has_no_problem():
    assert problems_of() == []


@pytest.mark.parametrize("name", ["acme\nproduction", "acme-prod\x07", "acme\tprod", "ácme-prod"])
def test_an_account_name_with_a_control_character_or_a_newline(name):
    problems = problems_of(with_host("production", account_name=name))
    assert problems == [f"production: account_name: {name!r} must be 1 to 50 printable ASCII characters, no control"
                        " characters or newlines"]


def test_more_scps_on_one_account_than_aws_allows():
    policies = [dict(name=f"deny-{n}", document=DENY, targets=["production"]) for n in range(10)]
    problems = problems_of(landing_zone_service_control_policies=policies)
    assert problems == [
        "production: landing_zone_service_control_policies: target production: 11 SCPs would be attached"
        " (FullAWSAccess, " + ", ".join(f"deny-{n}" for n in range(10)) + "); AWS allows at most 10 on one root,"
        " OU or account, FullAWSAccess included"]


def test_an_account_named_by_host_and_by_id_is_one_target():
    hosts = with_host("production", account_id="222222222222")
    policies = [dict(name=f"deny-{n}", document=DENY, targets=["production" if n % 2 else "222222222222"])
                for n in range(10)]
    problems = problems_of(hosts, landing_zone_service_control_policies=policies)
    assert len(problems) == 1 and problems[0].startswith("production: landing_zone_service_control_policies: ")


def test_library_scps_on_a_full_ou_are_refused_without_a_negative_count():
    policies = [dict(name=f"deny-{n}", document=DENY, targets=["/workloads"]) for n in range(10)]
    problems = problems_of(landing_zone_service_control_policies=policies,
                           landing_zone_scp_library=[dict(name="deny_root_user", targets=["/workloads"])])
    assert "all: landing_zone_service_control_policies: target /workloads: 11 SCPs would be attached" in problems[0]
    library = [p for p in problems if p.startswith("all: landing_zone_scp_library:")]
    assert library == [
        "all: landing_zone_scp_library: target /workloads: the 1 library statements (" + library[0].split("(")[1].split(")")[0]
        + ") need 1 SCPs of at most 10240 characters, but none of the 10 SCPs a target may have is free: 11 are taken"
        " already (FullAWSAccess, " + ", ".join(f"deny-{n}" for n in range(10)) + ")"]
    assert not any("only -1 of" in p for p in problems)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """alice's public key (armored and binary), her private key, and a file that is no key."""
    directory = tmp_path_factory.mktemp("keys")
    with TestKeyring() as ring:  # in the system temp dir: gpg-agent's socket path stays short
        alice = ring.generate("alice", email="alice@example.com")
        shutil.copy(alice.public_key_file, directory / "alice.asc")
        (directory / "alice.gpg").write_bytes(subprocess.run(
            [GPG, "--homedir", ring.home, "--batch", "--export", alice.fingerprint], capture_output=True, check=True).stdout)
        (directory / "alice-private.asc").write_text(ring.gpg("--armor", "--export-secret-keys", alice.fingerprint).stdout)
        shutil.copy(ring.generate("expired", expired=True).public_key_file, directory / "expired.asc")
        ring.stop_agent()
    (directory / "notes.txt").write_text("alice's key is on the wiki\n")
    (directory / "broken.asc").write_text("-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all!\n"
                                          "-----END PGP PUBLIC KEY BLOCK-----\n")
    return directory


def _users(key_file):
    return [dict(name="alice", groups=["admins"], pgp_key=str(key_file)), dict(name="bob", groups=["admins"])]


def test_a_public_key_armored_or_binary_passes(keys):
    assert problems_of(landing_zone_users=_users(keys / "alice.asc")) == []
    assert problems_of(landing_zone_users=_users(keys / "alice.gpg")) == []


@pytest.mark.parametrize("file_name, words", [
    ("alice-private.asc", "holds a private key; give the public key only (gpg --armor --export <email>)"),
    ("notes.txt", "is not an OpenPGP public key (gpg --armor --export <email> writes one)"),
    ("broken.asc", "has a broken armored public key block"),
    # What only gpg can tell, when python-gnupg and gpg are there (as the iam_initial_password module needs them).
    ("expired.asc", "expired on 2020-01-02"),
])
def test_a_pgp_key_that_is_private_or_no_public_key(keys, file_name, words):
    problems = problems_of(landing_zone_users=_users(keys / file_name))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"all: landing_zone_users[alice]: pgp_key: GPG public key file '{keys / file_name}'")
    assert words in problems[0]


def test_the_key_checks_without_gpg():
    assert public_key_data_problem(b"-----BEGIN PGP PRIVATE KEY BLOCK-----\n...").startswith("holds a private key")
    assert public_key_data_problem(bytes([0x99, 0x00, 0x0d])) is None  # legacy-format Public-Key packet
    assert public_key_data_problem(bytes([0xC6, 0x33])) is None  # new-format Public-Key packet
    assert public_key_data_problem(bytes([0x95, 0x01])).startswith("holds a private key")  # Secret-Key packet
    assert packet_tag(0x41) is None


@pytest.mark.parametrize("name", ["bob smith", "bob/smith", "b" * 65, "bob:smith"])
def test_an_iam_user_name_aws_refuses(name):
    users = [dict(name="alice", groups=["admins"]), dict(name=name, groups=["admins"])]
    problems = problems_of(landing_zone_users=users)
    assert problems == [f"all: landing_zone_users[{name}]: name: {name!r} is not an IAM user name (1 to 64 letters,"
                        " digits and + = , . @ _ -, no spaces)"]
    assert iam_user_name_problem("jane.doe+ops@acme") is None


# (a setting, the inventory that sets it to "no way", the problem's host: variable: key)
BOOLEANS = [
    ("account_close", dict(hosts=with_host("production", account_state="absent", account_close="no way")),
     "production: account_close"),
    ("role require_mfa", dict(landing_zone_cross_account_roles=[dict(name="admin", require_mfa="no way")]),
     "all: landing_zone_cross_account_roles[admin]: require_mfa"),
    ("group require_mfa", dict(landing_zone_groups=[dict(name="admins", roles=["admin"], require_mfa="no way")]),
     "all: landing_zone_groups[admins]: require_mfa"),
    ("member role MFA", dict(landing_zone_member_role_requires_mfa="no way"), "all: landing_zone_member_role_requires_mfa"),
    ("SCP purge_targets", dict(landing_zone_service_control_policies=[
        dict(name="deny", document=DENY, targets=["/security"], purge_targets="no way")]),
     "all: landing_zone_service_control_policies[deny]: purge_targets"),
    ("EBS encryption", dict(landing_zone_baseline=dict(ebs_encryption_by_default="no way")),
     "all: landing_zone_baseline: ebs_encryption_by_default"),
    ("password policy", dict(landing_zone_password_policy=dict(require_symbols="no way")),
     "all: landing_zone_password_policy: require_symbols"),
    ("log bucket TLS", dict(landing_zone_services=dict(log_archive_account="logs", deny_insecure_transport="no way")),
     "all: landing_zone_services: deny_insecure_transport"),
    ("trail enabled", dict(landing_zone_services=dict(log_archive_account="logs", cloudtrail=dict(enabled="no way"))),
     "all: landing_zone_services: cloudtrail.enabled"),
    ("Security Hub", dict(landing_zone_services=dict(log_archive_account="logs", securityhub=dict(auto_enable="no way"))),
     "all: landing_zone_services: securityhub.auto_enable"),
    ("profiles purge", dict(landing_zone_profiles=dict(purge="no way")), "all: landing_zone_profiles: purge"),
    ("assignments purge", dict(landing_zone_identity_center=dict(purge_assignments="no way")),
     "all: landing_zone_identity_center: purge_assignments"),
    ("library opt-in", dict(landing_zone_scp_library=[dict(name="deny_root_user", targets=["/"],
                                                           allow_exempting_every_role="no way")]),
     "all: landing_zone_scp_library[deny_root_user]: allow_exempting_every_role"),
]


@pytest.mark.parametrize("setting, inventory, where", BOOLEANS, ids=[b[0] for b in BOOLEANS])
def test_a_non_boolean_for_a_boolean_setting(setting, inventory, where):
    inventory = dict(inventory)
    problems = problems_of(inventory.pop("hosts", None), **inventory)
    assert problems == [f"{where}: must be true or false, got 'no way'"], setting


def test_yes_as_a_string_is_not_a_boolean_either():
    problems = problems_of(landing_zone_cross_account_roles=[dict(name="admin", require_mfa="yes")])
    assert problems == ["all: landing_zone_cross_account_roles[admin]: require_mfa: must be true or false, got 'yes'"]


def test_the_same_user_listed_twice():
    users = [dict(name="alice", groups=["admins"]), dict(name="bob", groups=["admins"]), dict(name="Alice")]
    assert problems_of(landing_zone_users=users) == [
        "all: landing_zone_users[Alice]: name: 'Alice' is listed twice (also entry 0); list each once (IAM names ignore case)"]


def test_a_user_in_a_group_that_does_not_exist():
    users = [dict(name="alice", groups=["admins", "admin"])]
    assert problems_of(landing_zone_users=users) == [
        "all: landing_zone_users[alice]: groups: 'admin' is not a group of landing_zone_groups"]


@pytest.mark.parametrize("ou", ["/suspended", "/suspended/old"])
def test_a_present_account_in_the_quarantine_ou(ou):
    problems = problems_of(with_host("production", account_ou=ou),
                           landing_zone_organizational_units=["/security", "/infrastructure", "/suspended/old"])
    assert problems == [f"production: account_ou: {ou!r} is landing_zone_quarantine_ou, where retired accounts go; a"
                        " present account there is blocked by the quarantine's deny-all SCP, its own baseline included."
                        " Give it another OU, or retire it with account_state: absent"]


def test_a_retired_account_may_sit_in_the_quarantine_ou():
    assert problems_of(with_host("production", account_ou="/suspended", account_state="absent")) == []


@pytest.mark.parametrize("host, variable", [
    ("security", "landing_zone_identity_account"),
    ("shared", "landing_zone_tf_backend_account"),
    ("logs", "landing_zone_services.log_archive_account"),
])
def test_an_account_with_a_job_retired_while_still_named(host, variable):
    problems = problems_of(with_host(host, account_state="absent"))
    assert f"{host}: account_state: is 'absent', but {host} is still {variable}; name another account there before" \
           " retiring this one" in problems
    assert len(problems) == 1, problems


def test_the_log_archive_account_must_be_a_host():
    problems = problems_of(landing_zone_services=dict(log_archive_account="log-archive"))
    assert problems == ["all: landing_zone_services: log_archive_account: 'log-archive' is not a host in group accounts"]


@pytest.mark.parametrize("tags, words", [
    (dict(owner=dict(team="platform")), "'owner': a tag value must be a string, number or boolean, got a mapping"
                                        " {'team': 'platform'}"),
    (dict(owners=["alice", "bob"]), "'owners': a tag value must be a string, number or boolean, got a list"
                                    " ['alice', 'bob']"),
    ({"aws:createdBy": "me"}, "'aws:createdBy': tag keys starting with 'aws:' are reserved by AWS"),
    ({"AWS:team": "x"}, "'AWS:team': tag keys starting with 'aws:' are reserved by AWS"),
    (dict(owner=None), "'owner': a tag value must be a string, number or boolean, got NoneType None"),
])
def test_account_tags_aws_would_refuse_or_store_as_a_python_repr(tags, words):
    problems = problems_of(with_host("production", account_tags=tags))
    assert problems == [f"production: account_tags: {words}"]


def test_numbers_and_booleans_in_tags_are_stored_as_before():
    hosts = with_host("production", account_tags=dict(cost=42, shared=True, note="a b_c.d:e/f=g+h-i@j"))
    plan, problems = build_plan(hosts, ["mgmt"], copy.deepcopy(SETTINGS))
    assert problems == []
    assert plan["production"]["tags"] == dict(cost="42", shared="True", note="a b_c.d:e/f=g+h-i@j")
    assert tag_problems({"k": "x" * 257}) and tag_problems({"k" * 129: "x"}) and tag_problems({"k": "a,b"})


def test_users_and_roles_tags_follow_the_same_rules():
    problems = problems_of(landing_zone_users=[dict(name="alice", groups=["admins"], tags={"aws:x": "1"})],
                           landing_zone_cross_account_roles=[dict(name="admin", tags=dict(team=["a"]))])
    assert sorted(problems) == [
        "all: landing_zone_cross_account_roles[admin]: tags: 'team': a tag value must be a string, number or boolean,"
        " got a list ['a']",
        "all: landing_zone_users[alice]: tags: 'aws:x': tag keys starting with 'aws:' are reserved by AWS",
    ]


@pytest.mark.parametrize("pattern", ["*", "arn:aws:iam::*:role/*", "arn:aws:iam::123456789012:role/*"])
def test_exempt_roles_that_match_every_role_need_the_opt_in(pattern):
    selection = dict(name="allow_regions", params=dict(regions=["us-east-1"], exempt_roles=[pattern]), targets=["/"])
    problems = problems_of(landing_zone_scp_library=[selection])
    assert problems == [
        f"all: landing_zone_scp_library[allow_regions]: params.exempt_roles: {pattern!r} matches every role, so"
        " allow_regions's statements would apply to no role at all; name the roles to exempt, or set"
        " allow_exempting_every_role: true on this selection to mean it"]
    assert problems_of(landing_zone_scp_library=[dict(selection, allow_exempting_every_role=True)]) == []


def test_narrow_wildcards_in_exempt_roles_stay_allowed():
    assert not exempts_every_role("admin-*") and not exempts_every_role("arn:aws:iam::*:role/ops/*")
    selection = dict(name="allow_regions", params=dict(regions=["us-east-1"], exempt_roles=["admin-*"]), targets=["/"])
    assert problems_of(landing_zone_scp_library=[selection]) == []


def test_a_region_both_enabled_and_disabled_is_refused_by_the_preflight():
    problems = problems_of(with_host("production", account_opt_out_regions=["af-south-1", "me-south-1"]),
                           landing_zone_opt_in_regions=["af-south-1"])
    assert problems == ["production: account_opt_out_regions: af-south-1 cannot be both enabled and disabled (also in"
                        " account_opt_in_regions, or landing_zone_opt_in_regions)"]
    assert problems_of(with_host("production", account_opt_out_regions=["me-south-1"]),
                       landing_zone_opt_in_regions=["af-south-1"]) == []


def test_an_account_alias_with_a_trailing_newline():
    problems = problems_of(with_host("production", account_alias="myalias\n"))
    assert problems == ["production: account_alias: 'myalias\\n' must be 3-63 lowercase letters, digits and single"
                        " hyphens, starting and ending with a letter or digit"]


@pytest.mark.parametrize("description, refused", [
    ("Engineers \u2014 read only", "'\u2014'"),
    ("Costs in \u20ac", "'\u20ac'"),
])
def test_a_role_description_iam_would_refuse(description, refused):
    problems = problems_of(landing_zone_cross_account_roles=[dict(name="admin", description=description)])
    assert problems == [f"all: landing_zone_cross_account_roles[admin]: description: {description!r} holds {refused};"
                        " IAM takes only printable ASCII, Latin-1 letters and signs, tabs and line breaks in a role"
                        " description"]


def test_a_role_description_longer_than_iam_allows():
    description = "x" * 1001
    problems = problems_of(landing_zone_cross_account_roles=[dict(name="admin", description=description)])
    assert problems == [f"all: landing_zone_cross_account_roles[admin]: description: {description!r} is 1001"
                        " characters; IAM allows at most 1000"]


def test_a_role_description_of_latin_1_and_line_breaks_passes():
    role = dict(name="admin", description="Équipe plateforme: accès\tadmin\r\n" + "x" * 960)
    assert problems_of(landing_zone_cross_account_roles=[role]) == []


@pytest.mark.parametrize("duration", [900, 43201])
def test_a_role_max_session_duration_outside_iams_range(duration):
    problems = problems_of(landing_zone_cross_account_roles=[dict(name="admin", max_session_duration=duration)])
    assert problems == [f"all: landing_zone_cross_account_roles[admin]: max_session_duration: must be an integer"
                        f" 3600-43200, got {duration}"]


@pytest.mark.parametrize("path", ["people/", "/people", "/peo ple/", "/péople/", "//x" + "y" * 510 + "/", "/a/\n"])
def test_a_user_path_iam_would_refuse(path):
    problems = problems_of(landing_zone_users=[dict(name="alice", groups=["admins"], path=path), dict(name="bob")])
    assert problems == [f"all: landing_zone_users[alice]: path: {path!r} is not an IAM path: '/' alone, or printable"
                        " ASCII characters (no spaces) between a leading and a trailing '/', at most 512 characters"]


@pytest.mark.parametrize("path", ["/", "/people/", "/division_abc/subdivision_xyz/"])
def test_a_user_path_iam_takes_passes(path):
    assert problems_of(landing_zone_users=[dict(name="alice", groups=["admins"], path=path), dict(name="bob")]) == []


def _tags(count):
    return {f"key{n}": "v" for n in range(count)}


def test_more_account_tags_than_aws_allows():
    problems = problems_of(with_host("production", account_tags=_tags(51)))
    assert problems == ["production: account_tags: 51 tags, more than the 50 AWS allows on one resource"]


def test_more_user_and_role_tags_than_aws_allows():
    problems = problems_of(landing_zone_users=[dict(name="alice", groups=["admins"], tags=_tags(51)), dict(name="bob")],
                           landing_zone_cross_account_roles=[dict(name="admin", tags=_tags(52))])
    assert sorted(problems) == [
        "all: landing_zone_cross_account_roles[admin]: tags: 52 tags, more than the 50 AWS allows on one resource",
        "all: landing_zone_users[alice]: tags: 51 tags, more than the 50 AWS allows on one resource",
    ]


def test_fifty_tags_pass():
    assert problems_of(with_host("production", account_tags=_tags(50)),
                       landing_zone_cross_account_roles=[dict(name="admin", tags=_tags(50))]) == []


def test_an_account_to_close_keeps_room_for_the_close_tag():
    problems = problems_of(with_host("production", account_state="absent", account_close=True, account_tags=_tags(50)))
    assert problems == ["production: account_tags: 50 tags leave no room for 'landing-zone:close-requested', which"
                        " account_close adds before CloseAccount; AWS allows at most 50 on one resource, so keep at"
                        " most 49"]


def test_an_account_to_close_with_49_tags_passes():
    assert problems_of(with_host("production", account_state="absent", account_close=True, account_tags=_tags(49))) == []


def test_an_scp_name_and_description_longer_than_createpolicy_allows():
    name, description = "n" * 129, "d" * 513
    scp = dict(name=name, description=description, document=DENY)
    problems = problems_of(landing_zone_service_control_policies=[scp])
    assert problems == [
        f"all: landing_zone_service_control_policies[{name}]: name: must be 1 to 128 characters, got {name!r}",
        f"all: landing_zone_service_control_policies[{name}]: description: must be at most 512 characters, got 513:"
        f" {description!r}",
    ]


def test_a_policy_name_and_description_longer_than_createpolicy_allows():
    name, description = "n" * 129, "d" * 513
    problems = problems_of(landing_zone_policies=[dict(name=name, description=description, document=DENY)])
    assert problems == [
        f"all: landing_zone_policies[{name}]: name: must be 1 to 128 characters, got {name!r}",
        f"all: landing_zone_policies[{name}]: description: must be at most 512 characters, got 513: {description!r}",
    ]


def test_a_tag_policy_description_longer_than_createpolicy_allows():
    description = "d" * 513
    problems = problems_of(landing_zone_tag_policy=dict(required_tags=dict(Owner=None), description=description))
    assert problems == [f"all: landing_zone_tag_policy: description: must be at most 512 characters, got 513:"
                        f" {description!r}"]


def test_policy_names_and_descriptions_at_createpolicys_limits_pass():
    scp = dict(name="n" * 128, description="d" * 512, document=DENY)
    policy = dict(name="p" * 128, description="d" * 512, document=DENY)
    assert problems_of(landing_zone_service_control_policies=[scp], landing_zone_policies=[policy]) == []


def test_a_backend_bucket_named_with_the_account_id_passes():
    backend = dict(bucket="{project}-tfstate-{account_id}-{region}", lock_table="{project}-{account_id}-lock")
    assert problems_of(landing_zone_tf_backend=backend) == []


def test_a_backend_bucket_too_long_with_a_twelve_digit_account_id():
    pattern = "{project}-" + "s" * 40 + "-{account_id}-{region}"
    problems = problems_of(landing_zone_tf_backend=dict(bucket=pattern))
    name = "acme-" + "s" * 40 + "-000000000000-us-east-1"
    assert problems == [f"all: landing_zone_tf_backend.bucket: {name!r} ({{account_id}} as 000000000000) must be 3 to 63"
                        " characters long"]
