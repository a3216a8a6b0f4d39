"""The organization as the STS and SCP rules need it, read from moto and cached.

Who the management account is, which accounts are members, the organization
id (``aws:PrincipalOrgID``), whether service control policies are enabled on
the root, and which deny-all SCP, if any, is attached to an account, to an
OU above it or to the root.

Everything is read from moto in the management account (moto's default
account, where the harness makes the organization) and cached: until an
Organizations write passes through the proxy (``forget``), and never longer
than the layer's ``StrictConfig.organization_view_seconds``, for the writes
tests make straight to moto.  One view is shared by the rules of a layer
(``organization_view(layer)``).
"""

import json
import threading

from tests.harness.strict_rules.policy_eval import is_deny_all

SCP = "SERVICE_CONTROL_POLICY"


def organization_view(layer):
    """The layer's one view (made on first use)."""
    view = getattr(layer, "_organization_view", None)
    if view is None:
        with _MAKE_LOCK:
            view = getattr(layer, "_organization_view", None)
            if view is None:
                view = OrganizationView(layer)
                layer._organization_view = view  # pylint: disable=protected-access
    return view


_MAKE_LOCK = threading.Lock()


def _pages(client, operation, key, **params):
    found = []
    for page in client.get_paginator(operation).paginate(**params):
        found.extend(page.get(key, []))
    return found


class OrganizationView:
    def __init__(self, layer):
        self.layer = layer
        self._lock = threading.Lock()
        self._cache = {}  # key -> (read at, value)
        self._generation = 0

    def forget(self):
        with self._lock:
            self._cache.clear()
            self._generation += 1

    @property
    def ttl(self):
        """Seconds a value read from moto is used for (read on each use: ``configure`` may change it)."""
        return self.layer.config.organization_view_seconds

    def _cached(self, key, read):
        now = self.layer.clock()
        ttl = self.ttl
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and now - hit[0] < ttl:
                return hit[1]
            generation = self._generation
        value = read()
        with self._lock:
            if generation == self._generation:  # no write passed while we read
                self._cache[key] = (now, value)
        return value

    @property
    def _client(self):
        return self.layer.moto.client("organizations")

    # --- the organization ----------------------------------------------------

    def organization(self):
        """dict(id, master_account_id, root_id, policy types enabled, member account ids), or None."""
        return self._cached("organization", self._read_organization)

    def _read_organization(self):
        client = self._client
        try:
            described = client.describe_organization()["Organization"]
        except client.exceptions.AWSOrganizationsNotInUseException:
            return None
        roots = client.list_roots()["Roots"]
        root = roots[0] if roots else {}
        enabled = {t["Type"] for t in root.get("PolicyTypes", []) if t.get("Status") == "ENABLED"}
        accounts = {a["Id"] for a in _pages(client, "list_accounts", "Accounts")}
        return dict(id=described["Id"], master_account_id=described["MasterAccountId"], root_id=root.get("Id"),
                    enabled_policy_types=enabled, accounts=accounts)

    def org_id_of(self, account_id):
        """The organization id of the account's organization, or None (``aws:PrincipalOrgID`` absent)."""
        organization = self.organization()
        if organization and account_id in organization["accounts"]:
            return organization["id"]
        return None

    # --- service control policies -----------------------------------------------

    def scp_denial(self, account_id):
        """The ARN of a deny-all SCP that applies to a member account, or None.

        None for the management account and for accounts outside the
        organization, and when SCPs are not enabled on the root: "SCPs don't
        affect users or roles in the management account" and "only policy
        types enabled on the root apply" (AWS Organizations User Guide,
        "Service control policies (SCPs)",
        https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html).
        """
        organization = self.organization()
        if not organization or account_id == organization["master_account_id"]:
            return None
        if account_id not in organization["accounts"] or SCP not in organization["enabled_policy_types"]:
            return None
        return self._cached(("scp", account_id), lambda: self._read_denial(account_id))

    def _read_denial(self, account_id):
        for target in self._targets(account_id):
            for policy_id in self._scp_ids(target):
                policy = self._cached(("policy", policy_id), lambda p=policy_id: self._read_policy(p))
                if policy and is_deny_all(policy["document"]):
                    return policy["arn"]
        return None

    def _targets(self, account_id):
        """The account, then each OU above it, then the root."""
        client = self._client
        targets = [account_id]
        child = account_id
        for _depth in range(10):  # the root is at most 5 OUs up (Organizations quotas)
            parents = client.list_parents(ChildId=child)["Parents"]
            if not parents:
                break
            child = parents[0]["Id"]
            targets.append(child)
            if parents[0]["Type"] == "ROOT":
                break
        return targets

    def _scp_ids(self, target):
        summaries = _pages(self._client, "list_policies_for_target", "Policies", TargetId=target, Filter=SCP)
        return [s["Id"] for s in summaries]

    def _read_policy(self, policy_id):
        client = self._client
        try:
            policy = client.describe_policy(PolicyId=policy_id)["Policy"]
        except client.exceptions.PolicyNotFoundException:
            return None
        try:
            document = json.loads(policy.get("Content") or "{}")
        except ValueError:
            document = {}
        return dict(arn=policy["PolicySummary"]["Arn"], document=document)
