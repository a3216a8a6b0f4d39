"""AWS Account Management's account name and regions, which moto 5.2 answers "not yet implemented".

Answered here, with the request and response shapes of botocore's account
model (rest-json: ``POST /putAccountName`` and so on, the parameters in the
JSON body): PutAccountName, GetAccountInformation, EnableRegion,
DisableRegion, GetRegionOptStatus, ListRegions (RegionOptStatusContains,
MaxResults, NextToken).  State per account: its name once renamed, and each
opt-in region's status.  Organizations' ListAccounts, DescribeAccount and
ListAccountsForParent show the new name (moto's answer rewritten in
``after``: moto has no call that renames an account).

Regions: the aws partition's regions of botocore's endpoints data; the 17
launched before March 20, 2019 answer ENABLED_BY_DEFAULT and cannot change,
the others start DISABLED ("Enable or disable AWS Regions in your account",
https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html).
An enabled region reads ENABLING, a disabled one DISABLING, for
``StrictConfig.region_change_seconds``, then ENABLED / DISABLED (AWS: minutes
to hours, EnableRegion's RegionName documentation).  The harness keeps its
own list and does not import the collection's (common/opt_in_regions.py):
it plays AWS.

AWS's refusals emulated (Account Management API Reference, the AccountId
parameter of each call, e.g.
https://docs.aws.amazon.com/accounts/latest/reference/API_EnableRegion.html):

* AccountId is only for the management account (or a delegated
  administrator, not emulated) of an organization that trusts
  account.amazonaws.com, naming a member of that organization:
  AccessDeniedException (403) when a member account passes an AccountId, when
  the management account passes its own ("The management account can only be
  managed using the standalone context from the management account", the
  message AWS gives: aws-samples/data-perimeter-helper#8), without trusted
  access ("Your organization must first enable trusted access with AWS
  Account Management.": awslabs/aws-deployment-framework#764), and for an
  account outside the organization;
* a default region in EnableRegion/DisableRegion: ValidationException, reason
  invalidRegionOptTarget (botocore's ValidationExceptionReason); a region
  AWS does not have: ValidationException, fieldValidationFailed;
* EnableRegion while the region is DISABLING, DisableRegion while it is
  ENABLING: ConflictException (409; "you try to enable a Region that is
  currently being disabled", the model's ConflictException);
* an AccountName outside 1-50 characters of ``[ -;=?-~]``: ValidationException.
"""

import datetime
import re
import threading

import botocore.loaders

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import _ask as ask_rule
from tests.harness.strict_aws import answer_json
from tests.harness.strict_aws import json_answer
from tests.harness.strict_aws import json_error
from tests.harness.strict_rules.org_view import organization_view

ACCOUNT_PRINCIPAL = "account.amazonaws.com"
DEFAULT_REGIONS = frozenset((
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ap-south-1", "ap-northeast-1", "ap-northeast-2",
    "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ca-central-1", "eu-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-north-1", "sa-east-1",
))
STATUSES = ("ENABLED", "ENABLING", "DISABLING", "DISABLED", "ENABLED_BY_DEFAULT")
SETTLES_TO = {"ENABLING": "ENABLED", "DISABLING": "DISABLED"}
# The model's AccountName: 1-50 characters of [ -;=?-~]; ListRegions' MaxResults 1-50.
ACCOUNT_NAME = re.compile(r"[ -;=?-~]{1,50}")
MAX_RESULTS = 50
CALLS = ("putAccountName", "getAccountInformation", "enableRegion", "disableRegion", "getRegionOptStatus",
         "listRegions")
_ACCOUNT_LISTINGS = ("ListAccounts", "DescribeAccount", "ListAccountsForParent")


def account_management_rule(proxy):
    """The proxy's account management rule, for tests to read its state."""
    return next(rule for rule in proxy.strict.rules if rule.name == "account_management")


def aws_regions():
    """The aws partition's regions, from botocore's endpoints data."""
    endpoints = botocore.loaders.Loader().load_data("endpoints")
    partition = next(p for p in endpoints["partitions"] if p["partition"] == "aws")
    return sorted(partition["regions"])


class AccountManagementRules(Rule):
    name = "account_management"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._regions = aws_regions()
        self._names = {}  # account id -> its new name
        self._changes = {}  # account id -> {region: (status, when it was asked)}

    def reset(self):
        with self._lock:
            self._names.clear()
            self._changes.clear()

    # --- for tests -------------------------------------------------------------------

    def region_status(self, account_id, region):
        with self._lock:
            return self._status(account_id, region)

    # --- the hooks ------------------------------------------------------------------------

    def before(self, request):
        if request.service != "account" or not request.action.startswith("REST.POST."):
            return None
        call = request.action.rsplit(".", 1)[-1]
        if call not in CALLS:
            return None
        account_id = self._target(request, call)
        return getattr(self, "_" + call)(request.params, account_id)

    def after(self, request, answer):
        """Organizations' account listings with the new names; the rules after this one see them too."""
        if not request.is_("organizations", *_ACCOUNT_LISTINGS) or not answer or answer[0] != 200:
            return None
        if answer[1].get("Content-Encoding") not in (None, "", "identity"):
            return None
        with self._lock:
            names = dict(self._names)
        data = answer_json(answer)
        if not names or data is None:
            return None
        accounts = [data["Account"]] if "Account" in data else data.get("Accounts", [])
        renamed = [account for account in accounts if account.get("Id") in names]
        if not renamed:
            return None
        for account in renamed:
            account["Name"] = names[account["Id"]]
        replaced = json_answer(data)
        # The layer keeps the first rule's replacement: hand ours to the rules after this one
        # (organizations.py shows PENDING_CLOSURE in the same listings).
        rules = self.layer.rules
        for rule in rules[rules.index(self) + 1:]:
            again = ask_rule(rule, rule.after, request, replaced)
            if again is not None:
                return again
        return replaced

    # --- who may act on which account --------------------------------------------------------

    def _target(self, request, call):
        """The account the call acts on, after AWS's AccountId rules."""
        caller = request.caller
        account_id = request.params.get("AccountId")
        if account_id is None:
            return caller.account_id if caller else None
        organization = organization_view(self.layer).organization()
        action = call[0].upper() + call[1:]

        def denied(reason):
            arn = caller.arn if caller else "anonymous"
            return AwsError("AccessDeniedException",
                            f"User: {arn} is not authorized to perform: account:{action} ({reason})", 403)

        if caller is None or organization is None or caller.account_id != organization["master_account_id"]:
            raise denied("Only the management account or a delegated administrator of the organization may"
                         " specify an AccountId")
        if account_id == organization["master_account_id"]:
            raise denied("The management account can only be managed using the standalone context from the"
                         " management account")
        if not self._trusted(organization):
            raise denied("Your organization must first enable trusted access with AWS Account Management.")
        if account_id not in organization["accounts"]:
            raise denied(f"Account {account_id} is not a member of your organization")
        return account_id

    def _trusted(self, organization):  # pylint: disable=unused-argument
        listed = self.moto.client("organizations").list_aws_service_access_for_organization()
        return any(p["ServicePrincipal"] == ACCOUNT_PRINCIPAL for p in listed["EnabledServicePrincipals"])

    # --- the account's name -------------------------------------------------------------------

    def _putAccountName(self, params, account_id):  # pylint: disable=invalid-name
        name = params.get("AccountName")
        if not isinstance(name, str) or not ACCOUNT_NAME.fullmatch(name):
            return json_error("ValidationException", "1 validation error detected: Value at 'accountName' failed to"
                              " satisfy constraint: Member must satisfy regular expression pattern: [ -;=?-~]+",
                              400, reason="fieldValidationFailed")
        with self._lock:
            self._names[account_id] = name
        organization_view(self.layer).forget()
        return json_answer({})

    def _getAccountInformation(self, params, account_id):  # pylint: disable=invalid-name,unused-argument
        account = self.moto.client("organizations").describe_account(AccountId=account_id)["Account"]
        with self._lock:
            name = self._names.get(account_id, account.get("Name"))
        created = account.get("JoinedTimestamp") or datetime.datetime.now(datetime.timezone.utc)
        return json_answer(dict(AccountId=account_id, AccountName=name, AccountCreatedDate=created.isoformat(),
                                AccountState=account.get("State") or "ACTIVE"))

    # --- regions --------------------------------------------------------------------------------

    def _status(self, account_id, region):
        """The region's status now (call with the lock held): a change settles after region_change_seconds."""
        if region in DEFAULT_REGIONS:
            return "ENABLED_BY_DEFAULT"
        status, since = self._changes.get(account_id, {}).get(region, ("DISABLED", None))
        if status in SETTLES_TO and self.layer.clock() - since >= self.config.region_change_seconds:
            status = SETTLES_TO[status]
            self._changes[account_id][region] = (status, since)
        return status

    def _region(self, params, changing):
        region = params.get("RegionName")
        if region not in self._regions:
            return None, json_error("ValidationException", f"The Region {region!r} is not a valid Region.", 400,
                                    reason="fieldValidationFailed")
        if changing and region in DEFAULT_REGIONS:
            return None, json_error("ValidationException", f"{region} is enabled by default and cannot be"
                                    " enabled or disabled.", 400, reason="invalidRegionOptTarget")
        return region, None

    def _change(self, params, account_id, wanted):
        region, refusal = self._region(params, changing=True)
        if refusal:
            return refusal
        settling = {"ENABLED": "ENABLING", "DISABLED": "DISABLING"}[wanted]
        opposite = {"ENABLED": "DISABLING", "DISABLED": "ENABLING"}[wanted]
        with self._lock:
            status = self._status(account_id, region)
            if status == opposite:
                raise AwsError("ConflictException", f"The Region {region} is {status}; wait until that"
                               " finishes before changing it again.", 409)
            if status not in (wanted, settling):
                self._changes.setdefault(account_id, {})[region] = (settling, self.layer.clock())
        return json_answer({})

    def _enableRegion(self, params, account_id):  # pylint: disable=invalid-name
        return self._change(params, account_id, "ENABLED")

    def _disableRegion(self, params, account_id):  # pylint: disable=invalid-name
        return self._change(params, account_id, "DISABLED")

    def _getRegionOptStatus(self, params, account_id):  # pylint: disable=invalid-name
        region, refusal = self._region(params, changing=False)
        if refusal:
            return refusal
        with self._lock:
            status = self._status(account_id, region)
        return json_answer(dict(RegionName=region, RegionOptStatus=status))

    def _listRegions(self, params, account_id):  # pylint: disable=invalid-name
        wanted = params.get("RegionOptStatusContains") or STATUSES
        if any(status not in STATUSES for status in wanted):
            return json_error("ValidationException", "RegionOptStatusContains: unknown status", 400,
                              reason="fieldValidationFailed")
        limit = params.get("MaxResults") or MAX_RESULTS
        if not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
            return json_error("ValidationException", f"MaxResults must be 1-{MAX_RESULTS}", 400,
                              reason="fieldValidationFailed")
        start = int(params.get("NextToken") or 0)
        with self._lock:
            regions = [dict(RegionName=region, RegionOptStatus=self._status(account_id, region))
                       for region in self._regions]
        regions = [r for r in regions if r["RegionOptStatus"] in wanted]
        page = dict(Regions=regions[start:start + limit])
        if start + limit < len(regions):
            page["NextToken"] = str(start + limit)
        return json_answer(page)
