"""Organizations policy types moto cannot hold, emulated with AWS's request and response shapes.

moto 5.2 creates service control, resource control, tag and AI services
opt-out policies; a backup policy fails inside moto (it lists the type but
has no ARN format for it) and every other type of botocore's ``PolicyType``
enum (chat applications, declarative for EC2, Security Hub, Inspector,
upgrade rollout, Bedrock, S3, Network Security Director, GuardDuty) is
refused as an invalid value.  This rule answers, instead of moto, every
Organizations call about a policy of such a type, with state kept per
organization (moto's organization id):

* EnablePolicyType / DisablePolicyType on the root (PolicyTypeAlreadyEnabledException,
  PolicyTypeNotEnabledException); ListRoots shows the emulated types in each
  root's ``PolicyTypes`` next to moto's;
* CreatePolicy (DuplicatePolicyException for a name the type already has;
  MalformedPolicyDocumentException for content that is not a JSON object;
  ConstraintViolationException POLICY_CONTENT_LIMIT_EXCEEDED past the type's
  size quota), DescribePolicy, UpdatePolicy, DeletePolicy (PolicyInUseException
  while attached), ListPolicies with the type's Filter;
* AttachPolicy (PolicyTypeNotEnabledException when the type is not enabled
  on the root; DuplicatePolicyAttachmentException; ConstraintViolationException
  POLICY_NUMBER_LIMIT_EXCEEDED past the per-target limit), DetachPolicy
  (PolicyNotAttachedException), ListTargetsForPolicy, ListPoliciesForTarget;
* TagResource, UntagResource, ListTagsForResource of those policies.

For every type, moto's and emulated: EnablePolicyType and DisablePolicyType
are asynchronous in AWS ("This is an asynchronous request that Amazon Web
Services performs in the background. Amazon Web Services recommends that you
first use ListRoots to see the status of policy types": EnablePolicyType,
Organizations API Reference; PolicyTypeSummary's Status is ENABLED,
PENDING_ENABLE or PENDING_DISABLE).  moto enables at once; here the root (in
ListRoots and in the Enable/DisablePolicyType answer) shows the type
PENDING_ENABLE (PENDING_DISABLE) for ``StrictConfig.policy_type_change_seconds``
after the call, and AttachPolicy of a policy whose type is still
PENDING_ENABLE is PolicyTypeNotEnabledException ("To attach a policy of the
specified type ... it must be available in the organization and enabled for
that root": PolicyTypeSummary).

Shapes: botocore's organizations service model (``Policy``,
``PolicySummary``, ``PolicyTargetSummary``, ``Root``); the ARN format of
Organizations policies, ``arn:aws:organizations::<management account>:policy/<org id>/<type in lower case>/<policy id>``
(Service Authorization Reference, AWS Organizations resource types).
Limits: "Quotas for AWS Organizations" (orgs_reference_limits.html), kept
here apart from the collection's own table (common/policy_types.py): the
harness plays AWS and does not import the code it tests.
"""

import json
import threading
import uuid

from botocore.exceptions import ClientError

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import answer_json
from tests.harness.strict_aws import json_answer
from tests.harness.strict_aws import json_error

# botocore's PolicyType enum: (size quota in characters, policies of the type per root, OU or account).
_MANAGEMENT = (10000, 10)
POLICY_TYPES = {
    "SERVICE_CONTROL_POLICY": (10240, 10),
    "RESOURCE_CONTROL_POLICY": (5120, 5),
    "TAG_POLICY": _MANAGEMENT,
    "BACKUP_POLICY": _MANAGEMENT,
    "AISERVICES_OPT_OUT_POLICY": (2500, 10),
    "CHATBOT_POLICY": _MANAGEMENT,
    "DECLARATIVE_POLICY_EC2": _MANAGEMENT,
    "SECURITYHUB_POLICY": _MANAGEMENT,
    "SECURITYHUB_CSPM_POLICY": _MANAGEMENT,
    "INSPECTOR_POLICY": _MANAGEMENT,
    "UPGRADE_ROLLOUT_POLICY": _MANAGEMENT,
    "BEDROCK_POLICY": _MANAGEMENT,
    "S3_POLICY": _MANAGEMENT,
    "NETWORK_SECURITY_DIRECTOR_POLICY": _MANAGEMENT,
    "GUARDDUTY_POLICY": _MANAGEMENT,
}
# The types moto 5.2 creates itself (FakePolicy: an ARN format for each).
MOTO_POLICY_TYPES = ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY", "TAG_POLICY", "AISERVICES_OPT_OUT_POLICY")
EMULATED_POLICY_TYPES = tuple(name for name in POLICY_TYPES if name not in MOTO_POLICY_TYPES)

_BY_POLICY_ID = ("DescribePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy", "ListTargetsForPolicy")
_BY_RESOURCE_ID = ("TagResource", "UntagResource", "ListTagsForResource")


PENDING_ENABLE = "PENDING_ENABLE"
PENDING_DISABLE = "PENDING_DISABLE"


def _type_not_enabled():
    return AwsError("PolicyTypeNotEnabledException", "This operation can be performed only for enabled policy types.")


def _not_found():
    return AwsError("PolicyNotFoundException", "We can't find a policy with the PolicyId that you specified.")


def _constraint(reason, message):
    return json_error("ConstraintViolationException", message, Reason=reason)


class _OrganizationState:
    """The emulated policies of one organization."""

    def __init__(self):
        self.enabled = set()  # policy types enabled on the root
        self.policies = {}  # id -> dict(summary=, content=, tags=, targets={target id: target summary})


class PolicyTypeRules(Rule):
    name = "policy_types"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._states = {}  # organization id -> _OrganizationState
        self._changes = {}  # policy type -> (PENDING_ENABLE or PENDING_DISABLE, clock time of the request)

    def reset(self):
        with self._lock:
            self._states.clear()
            self._changes.clear()

    # --- enabling and disabling take a while ----------------------------------------

    def _note_change(self, policy_type, status):
        with self._lock:
            self._changes[policy_type] = (status, self.layer.clock())

    def _pending(self):
        """{policy type: PENDING_ENABLE or PENDING_DISABLE} of the changes still under way."""
        now = self.layer.clock()
        seconds = self.config.policy_type_change_seconds
        with self._lock:
            return {t: status for t, (status, at) in self._changes.items() if now - at < seconds}

    @staticmethod
    def _show_pending(root, pending):
        """The root's PolicyTypes as AWS shows them while the changes ``pending`` are under way."""
        types = [dict(p, Status=PENDING_ENABLE) if pending.get(p.get("Type")) == PENDING_ENABLE else dict(p)
                 for p in root.get("PolicyTypes", [])]
        listed = {p.get("Type") for p in types}
        types += [dict(Type=t, Status=PENDING_DISABLE) for t, status in sorted(pending.items())
                  if status == PENDING_DISABLE and t not in listed]
        root["PolicyTypes"] = types
        return root

    def _moto_policy_type(self, policy_id):
        try:
            return self.moto.client("organizations").describe_policy(PolicyId=policy_id)["Policy"]["PolicySummary"]["Type"]
        except ClientError:
            return None  # moto answers as AWS does

    # --- routing -------------------------------------------------------------

    def _emulated_call(self, request):
        params = request.params
        if request.action in ("EnablePolicyType", "DisablePolicyType", "CreatePolicy"):
            return (params.get("PolicyType") or params.get("Type")) in EMULATED_POLICY_TYPES
        if request.action in ("ListPolicies", "ListPoliciesForTarget"):
            return params.get("Filter") in EMULATED_POLICY_TYPES
        if request.action in _BY_POLICY_ID:
            return self._is_emulated_id(params.get("PolicyId"))
        if request.action in _BY_RESOURCE_ID:
            return self._is_emulated_id(params.get("ResourceId"))
        return False

    def _is_emulated_id(self, policy_id):
        with self._lock:
            return any(policy_id in state.policies for state in self._states.values())

    def before(self, request):
        if request.service != "organizations":
            return None
        if not self._emulated_call(request):
            if request.action == "AttachPolicy":
                pending = self._pending()
                if PENDING_ENABLE in pending.values() and \
                        pending.get(self._moto_policy_type(request.params.get("PolicyId"))) == PENDING_ENABLE:
                    raise _type_not_enabled()
            return None
        organization = self._organization()
        with self._lock:
            state = self._states.setdefault(organization["Id"], _OrganizationState())
        handler = getattr(self, "_" + request.action)
        return handler(request, state, organization)

    def after(self, request, answer):
        if request.service != "organizations" or not answer or answer[0] != 200:
            return None
        if request.action == "ListRoots":
            return self._with_emulated_types(answer)
        if request.action in ("EnablePolicyType", "DisablePolicyType"):
            # moto's types (the emulated ones are answered in before).
            self._note_change(request.params.get("PolicyType"),
                              PENDING_ENABLE if request.action == "EnablePolicyType" else PENDING_DISABLE)
            data = answer_json(answer)
            if data is None or "Root" not in data:
                return None
            return json_answer({"Root": self._show_pending(data["Root"], self._pending())})
        if request.action in ("DeleteOrganizationalUnit", "RemoveAccountFromOrganization"):
            gone = request.params.get("OrganizationalUnitId") or request.params.get("AccountId")
            with self._lock:
                for state in self._states.values():
                    for policy in state.policies.values():
                        policy["targets"].pop(gone, None)
        return None

    # --- reading moto ----------------------------------------------------------

    def _organization(self):
        try:
            return self.moto.client("organizations").describe_organization()["Organization"]
        except ClientError as error:
            raise AwsError("AWSOrganizationsNotInUseException",
                           "Your account is not a member of an organization.") from error

    def _root(self):
        return self.moto.client("organizations").list_roots()["Roots"][0]

    def _target(self, target_id):
        """A PolicyTargetSummary of the root, OU or account, or the error AWS answers for a missing one."""
        org = self.moto.client("organizations")
        try:
            if target_id.startswith("r-"):
                root = next((r for r in org.list_roots()["Roots"] if r["Id"] == target_id), None)
                if root is None:
                    raise AwsError("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
                return dict(TargetId=target_id, Arn=root["Arn"], Name=root["Name"], Type="ROOT")
            if target_id.startswith("ou-"):
                ou = org.describe_organizational_unit(OrganizationalUnitId=target_id)["OrganizationalUnit"]
                return dict(TargetId=target_id, Arn=ou["Arn"], Name=ou["Name"], Type="ORGANIZATIONAL_UNIT")
            account = org.describe_account(AccountId=target_id)["Account"]
            return dict(TargetId=target_id, Arn=account["Arn"], Name=account["Name"], Type="ACCOUNT")
        except ClientError as error:
            raise AwsError("TargetNotFoundException",
                           "We can't find a root, OU, account, or policy with the TargetId that you specified.") from error

    def _with_emulated_types(self, answer):
        data = answer_json(answer)
        if data is None:
            return None
        with self._lock:
            enabled = set().union(*(s.enabled for s in self._states.values())) if self._states else set()
        pending = self._pending()
        if not enabled and not pending:
            return None
        for root in data.get("Roots", []):
            root["PolicyTypes"] = root.get("PolicyTypes", []) + [
                dict(Type=t, Status="ENABLED") for t in POLICY_TYPES if t in enabled]
            self._show_pending(root, pending)
        return json_answer(data)

    # --- the root's policy types ---------------------------------------------------

    def _root_answer(self, state):
        root = self._root()
        root["PolicyTypes"] = root.get("PolicyTypes", []) + [
            dict(Type=t, Status="ENABLED") for t in POLICY_TYPES if t in state.enabled]
        return json_answer({"Root": self._show_pending(root, self._pending())})

    def _EnablePolicyType(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        self._check_root(request)
        policy_type = request.params["PolicyType"]
        with self._lock:
            if policy_type in state.enabled:
                raise AwsError("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
            state.enabled.add(policy_type)
        self._note_change(policy_type, PENDING_ENABLE)
        return self._root_answer(state)

    def _DisablePolicyType(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        self._check_root(request)
        policy_type = request.params["PolicyType"]
        with self._lock:
            if policy_type not in state.enabled:
                raise AwsError("PolicyTypeNotEnabledException",
                               "This operation can be performed only for enabled policy types.")
            state.enabled.discard(policy_type)
            # Disabling a type detaches its policies from every target.
            for policy in state.policies.values():
                if policy["summary"]["Type"] == policy_type:
                    policy["targets"].clear()
        self._note_change(policy_type, PENDING_DISABLE)
        return self._root_answer(state)

    def _check_root(self, request):
        if request.params.get("RootId") != self._root()["Id"]:
            raise AwsError("RootNotFoundException", "We can't find a root with the RootId that you specified.")

    # --- policies ------------------------------------------------------------------

    def _policy(self, state, policy_id):
        policy = state.policies.get(policy_id)
        if policy is None:
            raise _not_found()
        return policy

    @staticmethod
    def _checked_content(policy_type, content):
        try:
            document = json.loads(content)
        except (TypeError, ValueError):
            document = None
        if not isinstance(document, dict):
            raise AwsError("MalformedPolicyDocumentException",
                           "The provided policy document doesn't meet the requirements of the specified policy type.")
        if len(content) > POLICY_TYPES[policy_type][0]:
            return _constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "You have exceeded the maximum policy size.")
        return None

    def _CreatePolicy(self, request, state, organization):  # pylint: disable=invalid-name
        params = request.params
        policy_type = params["Type"]
        refusal = self._checked_content(policy_type, params.get("Content"))
        if refusal:
            return refusal
        with self._lock:
            if any(p["summary"]["Type"] == policy_type and p["summary"]["Name"] == params.get("Name")
                   for p in state.policies.values()):
                raise AwsError("DuplicatePolicyException", "A policy with the same name already exists.")
            policy_id = "p-" + uuid.uuid4().hex[:12]
            arn = (f"arn:aws:organizations::{organization['MasterAccountId']}:policy/{organization['Id']}"
                   f"/{policy_type.lower()}/{policy_id}")
            summary = dict(Id=policy_id, Arn=arn, Name=params.get("Name"), Description=params.get("Description", ""),
                           Type=policy_type, AwsManaged=False)
            state.policies[policy_id] = dict(summary=summary, content=params["Content"], targets={},
                                             tags={t["Key"]: t["Value"] for t in params.get("Tags") or []})
        return json_answer({"Policy": dict(PolicySummary=dict(summary), Content=params["Content"])})

    def _DescribePolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["PolicyId"])
            return json_answer({"Policy": dict(PolicySummary=dict(policy["summary"]), Content=policy["content"])})

    def _UpdatePolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        params = request.params
        with self._lock:
            policy = self._policy(state, params["PolicyId"])
        if "Content" in params:
            refusal = self._checked_content(policy["summary"]["Type"], params["Content"])
            if refusal:
                return refusal
        with self._lock:
            for key in ("Name", "Description"):
                if key in params:
                    policy["summary"][key] = params[key]
            if "Content" in params:
                policy["content"] = params["Content"]
            return json_answer({"Policy": dict(PolicySummary=dict(policy["summary"]), Content=policy["content"])})

    def _DeletePolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["PolicyId"])
            if policy["targets"]:
                raise AwsError("PolicyInUseException",
                               "The policy is attached to one or more entities. You must detach it from all roots,"
                               " OUs, and accounts before performing this operation.")
            del state.policies[request.params["PolicyId"]]
        return json_answer({})

    def _ListPolicies(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            found = [dict(p["summary"]) for p in state.policies.values()
                     if p["summary"]["Type"] == request.params["Filter"]]
        return json_answer({"Policies": found})

    # --- attachments ------------------------------------------------------------------

    def _AttachPolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        params = request.params
        target = self._target(params["TargetId"])
        pending = self._pending()
        with self._lock:
            policy = self._policy(state, params["PolicyId"])
            policy_type = policy["summary"]["Type"]
            if policy_type not in state.enabled or pending.get(policy_type) == PENDING_ENABLE:
                raise _type_not_enabled()
            if target["TargetId"] in policy["targets"]:
                raise AwsError("DuplicatePolicyAttachmentException",
                               "The selected policy is already attached to the specified target.")
            attached = sum(1 for p in state.policies.values()
                           if p["summary"]["Type"] == policy_type and target["TargetId"] in p["targets"])
            if attached >= POLICY_TYPES[policy_type][1]:
                return _constraint("POLICY_NUMBER_LIMIT_EXCEEDED",
                                   "You have attached the maximum number of policies to this target.")
            policy["targets"][target["TargetId"]] = target
        return json_answer({})

    def _DetachPolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        params = request.params
        with self._lock:
            policy = self._policy(state, params["PolicyId"])
            if params["TargetId"] not in policy["targets"]:
                raise AwsError("PolicyNotAttachedException", "The policy isn't attached to the specified target.")
            del policy["targets"][params["TargetId"]]
        return json_answer({})

    def _ListTargetsForPolicy(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["PolicyId"])
            targets = [dict(t) for t in policy["targets"].values()]
        return json_answer({"Targets": targets})

    def _ListPoliciesForTarget(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        params = request.params
        self._target(params["TargetId"])
        with self._lock:
            found = [dict(p["summary"]) for p in state.policies.values()
                     if p["summary"]["Type"] == params["Filter"] and params["TargetId"] in p["targets"]]
        return json_answer({"Policies": found})

    # --- tags --------------------------------------------------------------------------

    def _TagResource(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["ResourceId"])
            policy["tags"].update({t["Key"]: t["Value"] for t in request.params.get("Tags") or []})
        return json_answer({})

    def _UntagResource(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["ResourceId"])
            for key in request.params.get("TagKeys") or []:
                policy["tags"].pop(key, None)
        return json_answer({})

    def _ListTagsForResource(self, request, state, organization):  # pylint: disable=invalid-name,unused-argument
        with self._lock:
            policy = self._policy(state, request.params["ResourceId"])
            tags = [dict(Key=k, Value=v) for k, v in sorted(policy["tags"].items())]
        return json_answer({"Tags": tags})
