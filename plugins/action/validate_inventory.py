# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Controller-side inventory validation: no module is shipped, no AWS call is made."""

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.cross_account_grants import (
    inventory_group_policy_problems,
)
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import build_plan
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.plan import module_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import HOST_VARIABLE_NAMES
from ansible_collections.awsorg.landing_zone.plugins.module_utils.inventory.schema import looks_like_host_variable


class ActionModule(ActionBase):
    TRANSFERS_FILES = False
    _VALID_ARGS = frozenset(("accounts_group", "hosts", "management_group", "settings"))

    def run(self, tmp=None, task_vars=None):
        result = super().run(tmp, task_vars)
        args = self._task.args
        accounts_group = args.get("accounts_group", "accounts")
        management_group = args.get("management_group", "management")
        groups = task_vars.get("groups", {})
        hostvars = task_vars.get("hostvars", {})
        # A role run on its own (no preflight play) plans just the hosts it acts on.
        account_hosts = args.get("hosts") or groups.get(accounts_group, [])
        if not account_hosts:
            raise AnsibleActionFail(f"group {accounts_group} is empty: every AWS account is a host in it")

        settings = args.get("settings")
        if settings is None:
            # task_vars hold the raw values: template them, as a module's arguments would be.
            settings = {
                k: self._templar.template(v) for k, v in task_vars.items() if k.startswith("landing_zone_")
            }
        account_hostvars = {host: self._account_vars(hostvars[host]) for host in account_hosts}
        plan, problems = build_plan(account_hostvars, groups.get(management_group, []), settings)
        problems = list(problems) + self._group_policy_problems(settings, account_hosts)
        if problems:
            result.update(
                failed=True,
                problems=problems,
                msg="The inventory has {0} problem(s); nothing was changed:\n- {1}".format(
                    len(problems), "\n- ".join(problems)
                ),
            )
            return result
        # Returned, not set as ansible_facts: Ansible keeps an action's facts in
        # every host's fact cache (run_once: every host of the play) and deep-copies
        # them on each variable look-up of that host (VariableManager.get_vars ->
        # clean_facts), so a plan the size of the organization made every task cost
        # time in the number of accounts, squared across hosts.  The caller keeps
        # them with set_fact (preflight.yml), which Ansible stores without copying.
        result.update(changed=False, plan=plan, params=module_params(plan))
        return result

    @staticmethod
    def _group_policy_problems(settings, account_hosts):
        """Each group's assume-role policy, built as iam_cross_account_group builds it, fits IAM's limit."""
        try:
            return inventory_group_policy_problems(
                settings.get("landing_zone_groups"), settings.get("landing_zone_cross_account_roles"), {}, account_hosts)
        except (AttributeError, KeyError, TypeError):
            return []  # groups or roles of the wrong shape: build_plan named them

    @staticmethod
    def _account_vars(host_vars):
        """The schema's account variables of one host, and any other that looks like a mistyped one.

        Reading through hostvars templates each value once, only the ones
        read; the names alone (the keys) cost nothing.
        """
        names = [name for name in host_vars if name in HOST_VARIABLE_NAMES or looks_like_host_variable(name)]
        return {name: host_vars[name] for name in names}
