"""The inventory schema is the one source: the role argument specs, the role defaults and the modules agree with it."""

import ast
import pathlib
import re

import pytest
import yaml

from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import module_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import HOST_VARIABLES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import RUN_VARIABLE_PREFIXES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import RUN_VARIABLES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import VARIABLE_NAMES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import all_settings
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import default_of
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import UNSET
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.setting import Derived

ROOT = pathlib.Path(__file__).resolve().parents[2]
ROLES = ROOT / "roles"


def _role_options(role):
    """{option: spec} over every entry point of the role's argument specs."""
    specs = yaml.safe_load((ROLES / role / "meta" / "argument_specs.yml").read_text())["argument_specs"]
    options = {}
    for entry in specs.values():
        options.update(entry.get("options") or {})
    return options


def _role_links():
    """(schema name, Setting, role, option) for every role option the schema says defaults from it."""
    return [(name, setting, role, option) for name, setting in all_settings() for role, option in setting.roles]


@pytest.mark.parametrize("name, setting, role, option", _role_links(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_role_option_of_the_schema_agrees_with_the_role_argument_specs(name, setting, role, option):
    options = _role_options(role)
    assert option in options, f"{role}: no option {option} in meta/argument_specs.yml (the schema's {name} feeds it)"
    spec = options[option]
    assert spec.get("type", "str") == setting.kind, f"{role}.{option}: type {spec.get('type')}, schema {name}: {setting.kind}"
    if spec.get("elements") or setting.elements:
        assert spec.get("elements") == setting.elements, f"{role}.{option}: elements differ from {name}"
    if "default" in spec and setting.default is not UNSET and not isinstance(setting.default, Derived):
        assert spec["default"] == setting.default, f"{role}.{option}: default {spec['default']!r}, {name}: {setting.default!r}"
    if spec.get("choices"):
        assert tuple(spec["choices"]) == setting.choices, f"{role}.{option}: choices differ from {name}"


def test_the_schema_links_every_role_of_the_collection():
    linked = {role for _name, _setting, role, _option in _role_links()}
    assert linked == {p.name for p in ROLES.iterdir() if (p / "meta" / "argument_specs.yml").exists()}


def _default_literal(text, start):
    """The Jinja literal inside ``default(...)`` at ``start`` (just after the parenthesis), or UNSET."""
    depth, end = 1, start
    while depth and end < len(text):
        depth += {"(": 1, ")": -1}.get(text[end], 0)
        end += 1
    argument = text[start:end - 1]
    python = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", re.sub(r"\bnone\b", "None", argument)))
    try:
        return ast.literal_eval(python)
    except (ValueError, SyntaxError):
        return UNSET  # not a literal (another variable, omit, an expression)


def _role_default_literals():
    """(schema name, its default, role, option, the literal the role's defaults/main.yml falls back to)."""
    found = []
    for name, setting, role, option in _role_links():
        defaults_file = ROLES / role / "defaults" / "main.yml"
        value = (yaml.safe_load(defaults_file.read_text()) or {}).get(option)
        if not isinstance(value, str):
            continue
        top, _sep, field = name.rpartition(".")
        reference = rf"\.{re.escape(field)}" if top else rf"\b{re.escape(name)}"
        match = re.search(reference + r"\s*\|\s*default\(", value)
        if match:
            found.append((name, setting, role, option, _default_literal(value, match.end())))
    return found


def test_the_role_defaults_fall_back_to_the_schema_defaults():
    # Where the schema names a default (a role may spell "none" as '' where the schema has none).
    literals = [entry for entry in _role_default_literals() if entry[4] is not UNSET and default_of(entry[1]) is not None]
    assert len(literals) >= 20, literals  # the check reads the role defaults, not nothing
    for name, setting, role, option, literal in literals:
        assert literal == default_of(setting), f"{role}: {option} falls back to {literal!r}, the schema's {name} to {setting.default!r}"


# Not inventory variables: groups and play variables the playbooks make.
_PLAYBOOK_NAMES = {"landing_zone_wave_accounts", "landing_zone_account_jobs", "landing_zone_last_round",
                   "landing_zone_failed_jobs"}


def test_every_landing_zone_variable_the_roles_and_playbooks_read_is_in_the_schema():
    files = list(ROLES.glob("*/defaults/*.yml")) + list(ROLES.glob("*/tasks/*.yml")) + list((ROOT / "playbooks").glob("*.yml"))
    files += list((ROOT / "playbooks" / "stages").glob("*.yml"))
    names = set()
    for path in files:
        names.update(re.findall(r"\blanding_zone_[a-z0-9_]*[a-z0-9]\b", path.read_text()))
    unknown = sorted(n for n in names if n not in VARIABLE_NAMES and n not in RUN_VARIABLES and n not in _PLAYBOOK_NAMES
                     and not n.startswith(RUN_VARIABLE_PREFIXES) and not n.startswith("landing_zone_wave_"))
    assert unknown == [], f"read by the collection but not in inventory/schema.py: {unknown}"


def _module_options(module):
    source = (ROOT / "plugins" / "modules" / f"{module}.py").read_text()
    documentation = ast.literal_eval(re.search(r'DOCUMENTATION = (r""".*?""")', source, re.S).group(1))
    return yaml.safe_load(documentation)["options"]


def test_every_host_variable_feeds_a_documented_option_and_has_a_plan_key():
    plan_keys = [setting.plan for setting in HOST_VARIABLES]
    assert len(set(plan_keys)) == len(plan_keys) and None not in plan_keys
    for setting in HOST_VARIABLES:
        assert setting.name.startswith("account_"), setting.name
        for feed in setting.feeds:
            module, option = feed.split(".")
            assert option in _module_options(module), f"{setting.name} feeds {feed}, which {module} does not document"


def test_the_plan_holds_each_account_module_parameters_and_the_account_id_map():
    hosts = dict(
        mgmt=dict(account_id=123456789012, account_email="root@example.com", account_wave=0),
        dev=dict(account_ou="/workloads", account_tags=dict(env="dev", cost=42), account_alias="acme-development"),
        old=dict(account_id="210987654321", account_state="absent", account_close=True),
    )
    settings = dict(landing_zone_project="acme", landing_zone_email_pattern="aws+{account}@example.com",
                    landing_zone_organizational_units=["/workloads"], landing_zone_baseline={})
    plan, problems = build_plan(hosts, ["mgmt"], settings)
    assert problems == []
    params = module_params(plan)
    assert params["org_account"]["dev"] == {"params": dict(
        name="acme-dev", email="aws+dev@example.com", ou="/workloads", state="present", tags={"env": "dev", "cost": "42"},
        rename=False)}
    assert params["org_account"]["old"] == {"params": dict(
        account_id="210987654321", name="acme-old", email="aws+old@example.com", state="absent", close=True, tags={},
        rename=False)}
    assert params["org_account"]["mgmt"]["params"]["account_id"] == "123456789012"
    # Only a name written in the inventory renames an existing account.
    named, _problems = build_plan(dict(hosts, dev=dict(hosts["dev"], account_name="acme-development")), ["mgmt"], settings)
    assert "rename" not in named["dev"]["params"]["org_account"]
    assert params["account_baseline"] == {"dev": {"account_alias": "acme-development"}, "mgmt": {"account_alias": "acme-mgmt"},
                                          "old": {"account_alias": "acme-old"}}
    assert params["account_ids"] == {"mgmt": "123456789012", "old": "210987654321"}
    assert plan["dev"]["params"]["org_account"] == params["org_account"]["dev"]["params"]


def test_unknown_landing_zone_variables_and_mistyped_account_variables_are_reported_never_dropped():
    hosts = dict(mgmt=dict(account_id="123456789012", account_email="root@example.com", account_wave=0,
                           account_arn="arn:aws:organizations::123456789012:account/o-x/123456789012",
                           account_status="ACTIVE"),  # the organization inventory plugin's facts
                 dev=dict(acount_ou="/workloads", account_emial="dev@example.com", environment="dev"))
    settings = dict(landing_zone_project="acme", landing_zone_email_pattern="aws+{account}@example.com",
                    landing_zone_basline=dict(regions=["us-east-1"]), landing_zone_awx_name="Landing zone",
                    landing_zone_wave=2)
    _plan, problems = build_plan(hosts, ["mgmt"], settings)
    assert sorted(problems) == sorted([
        "all: landing_zone_basline: is not a variable of the landing zone (a typo?), so nothing would read it;"
        " did you mean landing_zone_baseline?",
        "dev: account_emial: is not a per-account variable of the landing zone (a typo?), so nothing would read it;"
        " did you mean account_email?",
        "dev: acount_ou: is not a per-account variable of the landing zone (a typo?), so nothing would read it;"
        " did you mean account_ou?",
    ])


def test_a_key_of_a_mapping_setting_the_schema_does_not_know_is_reported():
    hosts = dict(mgmt=dict(account_id="123456789012", account_email="root@example.com", account_wave=0))
    settings = dict(landing_zone_project="acme", landing_zone_services=dict(log_archive_account="mgmt", cloudtrial={}),
                    landing_zone_identity_center=dict(permission_sets=[dict(name="Admin", sesion_duration="PT1H")]))
    _plan, problems = build_plan(hosts, ["mgmt"], settings)
    assert [p for p in problems if "unknown setting" in p] == [
        "all: landing_zone_services: unknown setting 'cloudtrial'; allowed: log_archive_account, log_bucket, regions,"
        " delegated_admin_account, deny_insecure_transport, cloudtrail, config, guardduty, securityhub",
        "all: landing_zone_identity_center: permission_sets[Admin]: unknown setting 'sesion_duration'; allowed: name,"
        " description, session_duration, relay_state, managed_policy_arns, inline_policy, state, profile_name",
    ]
