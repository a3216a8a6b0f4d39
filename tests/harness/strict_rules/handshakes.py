"""Organizations handshakes (invitations), which moto 5.2 lacks entirely.

Answered here with the shapes of botocore's organizations model (``Handshake``,
``HandshakeParty``, ``HandshakeResource``): InviteAccountToOrganization,
ListHandshakesForOrganization, ListHandshakesForAccount, DescribeHandshake,
AcceptHandshake, DeclineHandshake and CancelHandshake, for INVITE handshakes
to an account id (Target Type ACCOUNT).  State per handshake: OPEN until the
invited account answers (the state AWS's own examples of
InviteAccountToOrganization show), then ACCEPTED, DECLINED or CANCELED.

AWS's refusals emulated (Organizations API Reference, each call's Errors):

* only the management account invites, lists the organization's handshakes
  and cancels ("You can only call this operation from the management
  account", InviteAccountToOrganization): AccessDeniedException;
* a second invitation while one is pending: DuplicateHandshakeException ("A
  handshake with the same action and target already exists");
* an account that is a member of an organization already (this one, or one a
  test marks with ``standalone(..., in_organization=True)``):
  HandshakeConstraintViolationException, Reason ALREADY_IN_AN_ORGANIZATION,
  on the invitation and on its acceptance;
* "Only a member account can accept ... Invitation to join (INVITE)"
  (AcceptHandshake): anyone but the invited account gets AccessDeniedException;
* accepting twice: HandshakeAlreadyInStateException; accepting or declining a
  canceled, declined or accepted one: InvalidHandshakeTransitionException;
  an id nobody of the caller's sees: HandshakeNotFoundException.

On acceptance the account really joins moto's organization: the rule asks
the moto server process the harness runs (tests/harness/motoserver.py, route
``JOIN_PATH``) to add it to the root, JoinedMethod INVITED, with the
invitation's tags and without an OrganizationAccountAccessRole (invited
accounts get none: "Creating OrganizationAccountAccessRole for an invited
account",
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html).
"""

import json
import threading
import time
import urllib.error
import urllib.request
import uuid

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import json_answer
from tests.harness.strict_aws import json_error
from tests.harness.strict_rules.org_view import organization_view

# The moto server's harness-only route that adds an invited account to an organization.
JOIN_PATH = "/__harness__/organizations/join"
ACTIONS = ("InviteAccountToOrganization", "ListHandshakesForOrganization", "ListHandshakesForAccount",
           "DescribeHandshake", "AcceptHandshake", "DeclineHandshake", "CancelHandshake")
PENDING = ("REQUESTED", "OPEN")
# "Handshakes that are CANCELED, ACCEPTED, DECLINED, or EXPIRED show up in lists
# for only 30 days"; an invitation expires after 15 days (AWS CLI examples of
# invite-account-to-organization: ExpirationTimestamp 15 days after RequestedTimestamp).
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_Handshake.html
EXPIRY_SECONDS = 15 * 24 * 3600
ACCESS_DENIED = ("You don't have permissions to perform the requested operation. The user or role that is making"
                 " the request must have at least one IAM permissions policy attached that grants the required"
                 " permissions.")


def handshake_rule(proxy):
    """The proxy's handshake rule, for tests to describe standalone accounts and read the handshakes."""
    return next(rule for rule in proxy.strict.rules if rule.name == "handshakes")


def _not_found():
    return AwsError("HandshakeNotFoundException", "We can't find a handshake with the HandshakeId that you specified.")


def _already_in_organization():
    return json_error("HandshakeConstraintViolationException",
                      "The handshake request is invalid because the invited account is already a member of an"
                      " organization.", Reason="ALREADY_IN_AN_ORGANIZATION")


def _invited_account(handshake):
    return next((p["Id"] for p in handshake["Parties"] if p["Type"] == "ACCOUNT"), None)


class HandshakeRules(Rule):
    name = "handshakes"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._handshakes = {}  # id -> dict(handshake=, organization_id=, management=, tags=)
        self._standalone = {}  # account id -> dict(name=, email=, in_organization=)

    def reset(self):
        with self._lock:
            self._handshakes.clear()
            self._standalone.clear()

    # --- for tests -------------------------------------------------------------

    def standalone(self, account_id, name=None, email=None, in_organization=False):
        """Describe a standalone account (its name and email when it joins), or one of another organization."""
        with self._lock:
            self._standalone[account_id] = dict(name=name or f"standalone-{account_id}",
                                                email=email or f"standalone-{account_id}@example.com",
                                                in_organization=in_organization)

    def handshakes(self):
        with self._lock:
            return [dict(entry["handshake"]) for entry in self._handshakes.values()]

    # --- routing -----------------------------------------------------------------

    def before(self, request):
        if request.service != "organizations" or request.action not in ACTIONS:
            return None
        if request.caller is None:
            raise AwsError("AccessDeniedException", ACCESS_DENIED, 403)
        return getattr(self, "_" + request.action)(request)

    def _organization(self):
        organization = organization_view(self.layer).organization()
        if organization is None:
            raise AwsError("AWSOrganizationsNotInUseException",
                           "Your account is not a member of an organization.")
        return organization

    def _management_only(self, request):
        organization = self._organization()
        if request.caller.account_id != organization["master_account_id"]:
            raise AwsError("AccessDeniedException", ACCESS_DENIED, 403)
        return organization

    def _entry(self, request, handshake_id):
        """The handshake, if the caller is one of its parties (the sender's management account or the invited account)."""
        with self._lock:
            entry = self._handshakes.get(handshake_id)
        caller = request.caller.account_id
        if entry is None or caller not in (entry["management"], _invited_account(entry["handshake"])):
            raise _not_found()
        return entry

    def _in_an_organization(self, account_id, organization):
        with self._lock:
            marked = (self._standalone.get(account_id) or {}).get("in_organization")
        return bool(marked) or account_id in organization["accounts"]

    # --- the calls -------------------------------------------------------------

    def _InviteAccountToOrganization(self, request):  # pylint: disable=invalid-name
        organization = self._management_only(request)
        target = request.params.get("Target") or {}
        if target.get("Type") != "ACCOUNT" or not target.get("Id"):
            raise AwsError("InvalidInputException",
                           "The harness emulates invitations of an account id only (Target Type ACCOUNT).")
        account_id = target["Id"]
        if self._in_an_organization(account_id, organization):
            return _already_in_organization()
        with self._lock:
            if any(_invited_account(e["handshake"]) == account_id and e["organization_id"] == organization["id"]
                   and e["handshake"]["State"] in PENDING for e in self._handshakes.values()):
                raise AwsError("DuplicateHandshakeException",
                               "A handshake with the same action and target already exists.")
            handshake = self._new_handshake(organization, account_id, request.params.get("Notes"))
            self._handshakes[handshake["Id"]] = dict(handshake=handshake, organization_id=organization["id"],
                                                     management=organization["master_account_id"],
                                                     tags=list(request.params.get("Tags") or []))
        return json_answer({"Handshake": handshake})

    def _new_handshake(self, organization, account_id, notes):
        handshake_id = "h-" + uuid.uuid4().hex[:32]
        now = time.time()
        resources = [
            dict(Type="ORGANIZATION", Value=organization["id"], Resources=[
                dict(Type="MASTER_EMAIL", Value=f"{organization['master_account_id']}@example.com"),
                dict(Type="MASTER_NAME", Value="master"),
                dict(Type="ORGANIZATION_FEATURE_SET", Value="ALL"),
            ]),
            dict(Type="ACCOUNT", Value=account_id),
        ]
        if notes:
            resources.append(dict(Type="NOTES", Value=notes))
        return dict(
            Id=handshake_id,
            Arn=f"arn:aws:organizations::{organization['master_account_id']}:handshake/{organization['id']}/invite/{handshake_id}",
            Parties=[dict(Id=organization["id"], Type="ORGANIZATION"), dict(Id=account_id, Type="ACCOUNT")],
            State="OPEN",
            RequestedTimestamp=now,
            ExpirationTimestamp=now + EXPIRY_SECONDS,
            Action="INVITE",
            Resources=resources,
        )

    def _listing(self, request, keep):
        action_type = (request.params.get("Filter") or {}).get("ActionType")
        with self._lock:
            found = [dict(e["handshake"]) for e in self._handshakes.values()
                     if keep(e) and action_type in (None, e["handshake"]["Action"])]
        start = int(request.params.get("NextToken") or 0)
        size = int(request.params.get("MaxResults") or 20)
        page = dict(Handshakes=found[start:start + size])
        if start + size < len(found):
            page["NextToken"] = str(start + size)
        return json_answer(page)

    def _ListHandshakesForOrganization(self, request):  # pylint: disable=invalid-name
        organization = self._management_only(request)
        return self._listing(request, lambda e: e["organization_id"] == organization["id"])

    def _ListHandshakesForAccount(self, request):  # pylint: disable=invalid-name
        caller = request.caller.account_id
        return self._listing(request, lambda e: _invited_account(e["handshake"]) == caller)

    def _DescribeHandshake(self, request):  # pylint: disable=invalid-name
        entry = self._entry(request, request.params.get("HandshakeId"))
        with self._lock:
            return json_answer({"Handshake": dict(entry["handshake"])})

    def _answer(self, entry, new_state):
        """Move the handshake to ``new_state`` (ACCEPTED, DECLINED or CANCELED) as AWS allows."""
        state = entry["handshake"]["State"]
        if state == new_state:
            raise AwsError("HandshakeAlreadyInStateException", f"The specified handshake is already {new_state}.")
        if state not in PENDING:
            raise AwsError("InvalidHandshakeTransitionException",
                           f"You can't perform the operation on the handshake in its current state ({state}).")
        return dict(entry["handshake"], State=new_state)

    def _AcceptHandshake(self, request):  # pylint: disable=invalid-name
        entry = self._entry(request, request.params.get("HandshakeId"))
        account_id = _invited_account(entry["handshake"])
        if request.caller.account_id != account_id:
            raise AwsError("AccessDeniedException", ACCESS_DENIED, 403)
        accepted = self._answer(entry, "ACCEPTED")
        organization = self._organization()
        if self._in_an_organization(account_id, organization):
            return _already_in_organization()
        self._join(entry, account_id)
        with self._lock:
            entry["handshake"] = accepted
        organization_view(self.layer).forget()
        return json_answer({"Handshake": accepted})

    def _DeclineHandshake(self, request):  # pylint: disable=invalid-name
        entry = self._entry(request, request.params.get("HandshakeId"))
        if request.caller.account_id != _invited_account(entry["handshake"]):
            raise AwsError("AccessDeniedException", ACCESS_DENIED, 403)
        with self._lock:
            entry["handshake"] = self._answer(entry, "DECLINED")
            return json_answer({"Handshake": dict(entry["handshake"])})

    def _CancelHandshake(self, request):  # pylint: disable=invalid-name
        entry = self._entry(request, request.params.get("HandshakeId"))
        if request.caller.account_id != entry["management"]:
            raise AwsError("AccessDeniedException", ACCESS_DENIED, 403)
        with self._lock:
            entry["handshake"] = self._answer(entry, "CANCELED")
            return json_answer({"Handshake": dict(entry["handshake"])})

    # --- the account joins moto's organization -------------------------------------------

    def _join(self, entry, account_id):
        with self._lock:
            known = dict(self._standalone.get(account_id) or {})
        body = json.dumps(dict(management_account_id=entry["management"], account_id=account_id,
                               name=known.get("name") or f"standalone-{account_id}",
                               email=known.get("email") or f"standalone-{account_id}@example.com",
                               tags=entry["tags"])).encode()
        request = urllib.request.Request(self.moto.url + JOIN_PATH, data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                answer.read()
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise AwsError("StrictLayerError", f"the moto server's {JOIN_PATH} route (tests/harness/motoserver.py)"
                                               f" refused the join: {error} {detail}") from error
        except urllib.error.URLError as error:
            raise AwsError("StrictLayerError", f"the moto server's {JOIN_PATH} route (tests/harness/motoserver.py)"
                                               f" did not answer: {error}") from error


def standalone_credentials(moto_url, account_id, role_name="standalone-admin"):
    """Credentials of a standalone account, for tests: moto's STS hands out a session in any account.

    Asked of moto directly (never through the proxy, whose STS rule would
    refuse a role that does not exist): the account's own administrator, as
    a profile on the controller would hold.
    """
    import boto3  # pylint: disable=import-outside-toplevel
    sts = boto3.client("sts", endpoint_url=moto_url, region_name="us-east-1", aws_access_key_id="testing",
                       aws_secret_access_key="testing")
    return sts.assume_role(RoleArn=f"arn:aws:iam::{account_id}:role/{role_name}",
                           RoleSessionName="standalone")["Credentials"]
