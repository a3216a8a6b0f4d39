"""Centralized root access, which moto 5.2 lacks entirely (behaviour 12).

IAM's organization features (IAM API Reference, ListOrganizationsFeatures,
EnableOrganizationsRootCredentialsManagement, EnableOrganizationsRootSessions
and their Disable calls; shapes from botocore's iam model) and sts:AssumeRoot
(STS API Reference, AssumeRoot; botocore's sts model) are answered here, with
state per organization (the enabled features) and per member account (the
root user's credentials: password, access keys, MFA devices, signing
certificates, seeded by tests with ``root_access_rule(proxy).seed(...)``).

moto 5.2 also refuses iam.amazonaws.com in EnableAWSServiceAccess and
RegisterDelegatedAdministrator ("unrecognized service principal"): those
calls for IAM are answered here too, and ListAWSServiceAccessForOrganization
shows IAM's trusted access next to moto's principals.

AWS's refusals emulated:

* the features need the organization in all-features mode
  (OrganizationNotInAllFeaturesModeException) and trusted access for
  iam.amazonaws.com (ServiceAccessNotEnabledException: "Enable trusted access
  for Identity and Access Management in Organizations", the model's
  documentation of EnableOrganizationsRootCredentialsManagement);
* only the management account or IAM's delegated administrator reads or
  disables them (AccountNotManagementOrDelegatedAdministratorException); only
  the management account enables them (CallerIsNotManagementAccountException);
* AssumeRoot "You must use credentials from an Organizations management
  account or a delegated administrator account for IAM"; "You cannot use root
  user credentials to make this call"; the target is a member account; the
  task policy is one of AWS's root-task managed policies; DurationSeconds at
  most 900 (the model's RootDurationSecondsType).  The credential tasks
  (audit, delete, create password) need RootCredentialsManagement, the
  unlock tasks RootSessions ("Centrally manage root access for member
  accounts", IAM User Guide,
  https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html#id_root-user-access-management);
  refused as AccessDenied (403);
* a root session may call only what its task policy allows, on the root user
  only (no UserName): the audit policy cannot delete (AccessDenied, "no
  session policy allows"); an expired session is ExpiredToken.

A root session's calls never reach moto (moto does not know its keys).
"""

import datetime
import re
import secrets
import threading
import time
import uuid
from xml.sax.saxutils import escape

from tests.harness.strict_aws import AwsError
from tests.harness.strict_aws import Caller
from tests.harness.strict_aws import Rule
from tests.harness.strict_aws import answer_json
from tests.harness.strict_aws import json_answer
from tests.harness.strict_rules.org_view import organization_view

IAM_NS = "https://iam.amazonaws.com/doc/2010-05-08/"
STS_NS = "https://sts.amazonaws.com/doc/2011-06-15/"
IAM_PRINCIPAL = "iam.amazonaws.com"
CREDENTIALS_MANAGEMENT = "RootCredentialsManagement"
ROOT_SESSIONS = "RootSessions"
FEATURE_CALLS = {
    "EnableOrganizationsRootCredentialsManagement": (CREDENTIALS_MANAGEMENT, True),
    "EnableOrganizationsRootSessions": (ROOT_SESSIONS, True),
    "DisableOrganizationsRootCredentialsManagement": (CREDENTIALS_MANAGEMENT, False),
    "DisableOrganizationsRootSessions": (ROOT_SESSIONS, False),
    "ListOrganizationsFeatures": (None, None),
}
ORGANIZATIONS_CALLS = ("EnableAWSServiceAccess", "DisableAWSServiceAccess", "RegisterDelegatedAdministrator",
                       "DeregisterDelegatedAdministrator")
# RootDurationSecondsType in botocore's sts model: 0..900, default 900.
MAX_ROOT_SESSION_SECONDS = 900

# AWS's managed task policies (arn:<partition>:iam::aws:policy/root-task/<name>)
# and the IAM actions each allows, on the root user only.  "AWS managed policies
# for IAM": https://docs.aws.amazon.com/IAM/latest/UserGuide/security-iam-awsmanpol.html
# (IAMAuditRootUserCredentials, IAMDeleteRootUserCredentials, ...).
_AUDIT_READS = {"GetLoginProfile", "ListAccessKeys", "GetAccessKeyLastUsed", "ListMFADevices",
                "ListSigningCertificates", "GetAccountSummary"}
TASK_POLICIES = {
    "IAMAuditRootUserCredentials": (CREDENTIALS_MANAGEMENT, _AUDIT_READS),
    "IAMDeleteRootUserCredentials": (CREDENTIALS_MANAGEMENT, _AUDIT_READS | {
        "DeleteLoginProfile", "DeleteAccessKey", "DeactivateMFADevice", "DeleteVirtualMFADevice",
        "DeleteSigningCertificate"}),
    "IAMCreateRootUserPassword": (CREDENTIALS_MANAGEMENT, {"GetLoginProfile", "CreateLoginProfile"}),
    "S3UnlockBucketPolicy": (ROOT_SESSIONS, set()),
    "SQSUnlockQueuePolicy": (ROOT_SESSIONS, set()),
}
_TASK_POLICY_ARN = re.compile(r"^arn:(aws[a-z-]*):iam::aws:policy/root-task/([A-Za-z0-9]+)$")
_TARGET = re.compile(r"^(?:arn:aws[a-z-]*:iam::)?(\d{12})(?::root)?$")


def root_access_rule(proxy):
    """The proxy's root access rule, for tests to seed root credentials and read them back."""
    return next(rule for rule in proxy.strict.rules if rule.name == "root_access")


def _timestamp(when):
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def query_answer(action, namespace, result_xml=None):
    """A whole Query-protocol (IAM, STS) success answer with ``result_xml`` inside ``<ActionResult>``."""
    request_id = str(uuid.uuid4())
    result = f"<{action}Result>{result_xml}</{action}Result>" if result_xml is not None else ""
    body = (f'<{action}Response xmlns="{namespace}">{result}'
            f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>")
    return 200, {"Content-Type": "text/xml", "x-amzn-RequestId": request_id}, body.encode()


def _members(tag, items):
    return f"<{tag}>" + "".join(f"<member>{item}</member>" for item in items) + f"</{tag}>"


def _fields(**values):
    return "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in values.items() if v is not None)


class RootCredentials:
    """One member account's root user credentials."""

    def __init__(self, now):
        self.login_profile = None  # CreateDate, when the root user has a password
        self.access_keys = {}  # id -> dict(Status=, CreateDate=)
        self.mfa_devices = {}  # serial -> EnableDate
        self.certificates = {}  # id -> dict(Status=, UploadDate=)
        self.created = now

    def to_dict(self):
        return dict(password=self.login_profile is not None, access_keys=sorted(self.access_keys),
                    mfa_devices=sorted(self.mfa_devices), signing_certificates=sorted(self.certificates))


class RootAccessRules(Rule):
    name = "root_access"

    def __init__(self, layer):
        super().__init__(layer)
        self._lock = threading.Lock()
        self._features = {}  # organization id -> set of enabled features
        self._credentials = {}  # account id -> RootCredentials
        self._sessions = {}  # access key id -> dict(account_id=, partition=, task=, expires=)
        self._trusted = {}  # organization id -> when trusted access for iam.amazonaws.com was enabled
        self._delegated = {}  # organization id -> IAM's delegated administrator account ids

    def reset(self):
        with self._lock:
            self._trusted.clear()
            self._delegated.clear()
            self._features.clear()
            self._credentials.clear()
            self._sessions.clear()

    # --- for tests -------------------------------------------------------------------------

    def seed(self, account_id, password=True, access_keys=1, mfa_devices=1, signing_certificates=1):
        """Give the root user of ``account_id`` these credentials (as its owner would have made them)."""
        now = datetime.datetime.now(datetime.timezone.utc)
        creds = RootCredentials(now)
        creds.login_profile = now if password else None
        for _key in range(access_keys):
            creds.access_keys["AKIA" + secrets.token_hex(8).upper()] = dict(Status="Active", CreateDate=now)
        for index in range(mfa_devices):
            creds.mfa_devices[f"arn:aws:iam::{account_id}:mfa/root-account-mfa-device{index or ''}"] = now
        for _certificate in range(signing_certificates):
            creds.certificates[secrets.token_hex(12).upper()] = dict(Status="Active", UploadDate=now)
        with self._lock:
            self._credentials[account_id] = creds

    def root_credentials(self, account_id):
        """What the root user of ``account_id`` holds: password (bool), access key ids, MFA serials, certificate ids."""
        with self._lock:
            creds = self._credentials.get(account_id)
            return creds.to_dict() if creds else RootCredentials(None).to_dict()

    def sessions_issued(self):
        """Every AssumeRoot session handed out, oldest first: (account id, task policy name)."""
        with self._lock:
            return [(session["account_id"], session["task"]) for session in self._sessions.values()]

    def features(self, organization_id):
        with self._lock:
            return sorted(self._features.get(organization_id, ()))

    # --- the hooks -----------------------------------------------------------------------------

    def before(self, request):
        session = self._session_of(request.access_key_id)
        if session is not None:
            return self._as_root(request, session)
        if request.is_("iam") and request.action in FEATURE_CALLS:
            return self._feature_call(request)
        if request.is_("sts", "AssumeRoot"):
            return self._assume_root(request)
        if request.is_("organizations", *ORGANIZATIONS_CALLS) and request.params.get("ServicePrincipal") == IAM_PRINCIPAL:
            return self._iam_principal_call(request)
        return None

    def after(self, request, answer):
        """moto's ListAWSServiceAccessForOrganization, with iam.amazonaws.com when its trusted access is on."""
        if not request.is_("organizations", "ListAWSServiceAccessForOrganization") or request.params.get("NextToken"):
            return None
        data = answer_json(answer)
        organization = organization_view(self.layer).organization()
        if data is None or organization is None:
            return None
        with self._lock:
            enabled_at = self._trusted.get(organization["id"])
        if enabled_at is None:
            return None
        data.setdefault("EnabledServicePrincipals", []).append(dict(ServicePrincipal=IAM_PRINCIPAL, DateEnabled=enabled_at))
        return json_answer(data)

    # --- trusted access and delegated administration for iam.amazonaws.com ---------------------

    def _iam_principal_call(self, request):
        """moto 5.2 refuses iam.amazonaws.com as an "unrecognized service principal"; AWS accepts it
        ("AWS Identity and Access Management and AWS Organizations",
        https://docs.aws.amazon.com/organizations/latest/userguide/services-that-can-integrate-iam.html)."""
        organization = organization_view(self.layer).organization()
        caller = request.caller
        if organization is None:
            raise AwsError("AWSOrganizationsNotInUseException",
                           "Your account is not a member of an organization.", 400)
        if caller is None or caller.account_id != organization["master_account_id"]:
            raise AwsError("AccessDeniedException", "You don't have permissions to access this resource.", 400)
        account_id = request.params.get("AccountId")
        with self._lock:
            admins = self._delegated.setdefault(organization["id"], set())
            if request.action == "EnableAWSServiceAccess":
                self._trusted.setdefault(organization["id"], time.time())
            elif request.action == "DisableAWSServiceAccess":
                self._trusted.pop(organization["id"], None)
                self._features.pop(organization["id"], None)  # IAM's features go with its trusted access
            elif request.action == "RegisterDelegatedAdministrator":
                if account_id in admins:
                    raise AwsError("AccountAlreadyRegisteredException",
                                   "The provided account is already a delegated administrator for your organization.")
                if account_id not in organization["accounts"] or account_id == organization["master_account_id"]:
                    raise AwsError("AccountNotFoundException", "You specified an account that doesn't exist.")
                admins.add(account_id)
            elif request.action == "DeregisterDelegatedAdministrator":
                if account_id not in admins:
                    raise AwsError("AccountNotRegisteredException",
                                   "The provided account is not a registered delegated administrator for your"
                                   " organization.")
                admins.discard(account_id)
        return json_answer({})

    def _session_of(self, access_key_id):
        if not access_key_id:
            return None
        with self._lock:
            return self._sessions.get(access_key_id)

    # --- the organization's features ----------------------------------------------------------

    def _organization_checks(self, request):
        """The organization, after the refusals every feature call shares (in the model's order)."""
        organization = organization_view(self.layer).organization()
        caller = request.caller
        if organization is None or caller is None or caller.account_id not in organization["accounts"]:
            raise AwsError("OrganizationNotFoundException",
                           "The request failed because your credentials do not belong to an organization.", 400)
        client = self.moto.client("organizations")
        if client.describe_organization()["Organization"]["FeatureSet"] != "ALL":
            raise AwsError("OrganizationNotInAllFeaturesModeException",
                           "The request failed because your organization does not have all features enabled.", 400)
        if not self.trusted_access(organization):
            raise AwsError("ServiceAccessNotEnabledException",
                           "The request failed because trusted access for IAM is not enabled in Organizations.", 400)
        if not self.is_manager(caller.account_id, organization):
            raise AwsError("AccountNotManagementOrDelegatedAdministratorException",
                           "The request failed because your account is not the management account or the"
                           " delegated administrator for IAM.", 400)
        return organization

    def trusted_access(self, organization):
        with self._lock:
            return organization["id"] in self._trusted

    def is_manager(self, account_id, organization):
        """The management account or IAM's delegated administrator."""
        with self._lock:
            return account_id == organization["master_account_id"] or account_id in self._delegated.get(organization["id"], ())

    def _feature_call(self, request):
        organization = self._organization_checks(request)
        feature, enable = FEATURE_CALLS[request.action]
        if enable and request.caller.account_id != organization["master_account_id"]:
            raise AwsError("CallerIsNotManagementAccountException",
                           "The request failed because your account is not the management account.", 400)
        with self._lock:
            enabled = self._features.setdefault(organization["id"], set())
            if enable:
                enabled.add(feature)
            elif feature:
                enabled.discard(feature)
            features = sorted(enabled)
        result = _fields(OrganizationId=organization["id"]) + _members("EnabledFeatures", features)
        return query_answer(request.action, IAM_NS, result)

    # --- sts:AssumeRoot ------------------------------------------------------------------------

    def _assume_root(self, request):
        params = request.params
        caller = request.caller
        target = _TARGET.match(params.get("TargetPrincipal") or "")
        policy = _TASK_POLICY_ARN.match(params.get("TaskPolicyArn.arn") or "")
        if not target or not policy or policy.group(2) not in TASK_POLICIES:
            raise AwsError("ValidationError", "TargetPrincipal must be a member account id or ARN and TaskPolicyArn"
                           " one of the root-task managed policies.", 400)
        duration = int(params.get("DurationSeconds") or MAX_ROOT_SESSION_SECONDS)
        if not 0 <= duration <= MAX_ROOT_SESSION_SECONDS:
            raise AwsError("ValidationError", f"1 validation error detected: Value '{duration}' at 'durationSeconds'"
                           f" failed to satisfy constraint: Member must have value less than or equal to"
                           f" {MAX_ROOT_SESSION_SECONDS}", 400)
        account_id = target.group(1)
        partition, task = policy.groups()
        denied = AwsError("AccessDenied", f"User: {caller.arn if caller else 'anonymous'} is not authorized to"
                          f" perform: sts:AssumeRoot on resource: arn:{partition}:iam::{account_id}:root", 403)
        organization = organization_view(self.layer).organization()
        if caller is None or caller.kind == "root" or organization is None:
            raise denied
        if account_id == organization["master_account_id"] or account_id not in organization["accounts"]:
            raise denied
        if not self.is_manager(caller.account_id, organization):
            raise denied
        if not self.trusted_access(organization):
            raise denied
        needed = TASK_POLICIES[task][0]
        if needed not in self.features(organization["id"]):
            raise denied
        return self._new_session(account_id, partition, task, duration)

    def _new_session(self, account_id, partition, task, duration):
        key = "ASIA" + secrets.token_hex(8).upper()
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=duration)
        with self._lock:
            self._sessions[key] = dict(account_id=account_id, partition=partition, task=task,
                                       expires=self.layer.clock() + duration)
        arn = f"arn:{partition}:iam::{account_id}:root"
        self.layer.sessions.know(Caller(access_key_id=key, account_id=account_id, arn=arn, principal_arn=arn,
                                        kind="root"))
        credentials = _fields(AccessKeyId=key, SecretAccessKey=secrets.token_urlsafe(30),
                              SessionToken=secrets.token_urlsafe(96), Expiration=_timestamp(expires))
        return query_answer("AssumeRoot", STS_NS, f"<Credentials>{credentials}</Credentials>")

    # --- what a root session does --------------------------------------------------------------

    def _as_root(self, request, session):
        arn = f"arn:{session['partition']}:iam::{session['account_id']}:root"
        if self.layer.clock() >= session["expires"]:
            raise AwsError("ExpiredToken", "The security token included in the request is expired", 403)
        if request.is_("sts", "GetCallerIdentity"):
            return query_answer("GetCallerIdentity", STS_NS,
                                _fields(UserId=session["account_id"], Account=session["account_id"], Arn=arn))
        allowed = TASK_POLICIES[session["task"]][1]
        if not request.is_("iam") or request.action not in allowed or request.params.get("UserName"):
            raise AwsError("AccessDenied", f"User: {arn} is not authorized to perform: {request.service}:"
                           f"{request.action} on resource: {arn} because no session policy allows the"
                           f" {request.service}:{request.action} action", 403)
        with self._lock:
            creds = self._credentials.setdefault(session["account_id"], RootCredentials(None))
            return getattr(self, "_" + request.action)(request, creds)

    @staticmethod
    def _no_such(what):
        return AwsError("NoSuchEntity", f"{what} cannot be found.", 404)

    def _GetLoginProfile(self, request, creds):  # pylint: disable=invalid-name
        if creds.login_profile is None:
            raise self._no_such("Login Profile for the root user")
        profile = _fields(CreateDate=_timestamp(creds.login_profile), PasswordResetRequired="false")
        return query_answer(request.action, IAM_NS, f"<LoginProfile>{profile}</LoginProfile>")

    def _DeleteLoginProfile(self, request, creds):  # pylint: disable=invalid-name
        if creds.login_profile is None:
            raise self._no_such("Login Profile for the root user")
        creds.login_profile = None
        return query_answer(request.action, IAM_NS)

    def _ListAccessKeys(self, request, creds):  # pylint: disable=invalid-name
        keys = [_fields(AccessKeyId=k, Status=v["Status"], CreateDate=_timestamp(v["CreateDate"]))
                for k, v in sorted(creds.access_keys.items())]
        return query_answer(request.action, IAM_NS, _members("AccessKeyMetadata", keys) + "<IsTruncated>false</IsTruncated>")

    def _DeleteAccessKey(self, request, creds):  # pylint: disable=invalid-name
        if creds.access_keys.pop(request.params.get("AccessKeyId"), None) is None:
            raise self._no_such(f"The Access Key with id {request.params.get('AccessKeyId')}")
        return query_answer(request.action, IAM_NS)

    def _ListMFADevices(self, request, creds):  # pylint: disable=invalid-name
        devices = [_fields(SerialNumber=serial, EnableDate=_timestamp(when))
                   for serial, when in sorted(creds.mfa_devices.items())]
        return query_answer(request.action, IAM_NS, _members("MFADevices", devices) + "<IsTruncated>false</IsTruncated>")

    def _DeactivateMFADevice(self, request, creds):  # pylint: disable=invalid-name
        if creds.mfa_devices.pop(request.params.get("SerialNumber"), None) is None:
            raise self._no_such(f"MFA device {request.params.get('SerialNumber')}")
        return query_answer(request.action, IAM_NS)

    def _ListSigningCertificates(self, request, creds):  # pylint: disable=invalid-name
        certificates = [_fields(CertificateId=k, CertificateBody="-----BEGIN CERTIFICATE-----", Status=v["Status"],
                                UploadDate=_timestamp(v["UploadDate"]))
                        for k, v in sorted(creds.certificates.items())]
        return query_answer(request.action, IAM_NS,
                            _members("Certificates", certificates) + "<IsTruncated>false</IsTruncated>")

    def _DeleteSigningCertificate(self, request, creds):  # pylint: disable=invalid-name
        if creds.certificates.pop(request.params.get("CertificateId"), None) is None:
            raise self._no_such(f"The Certificate with id {request.params.get('CertificateId')}")
        return query_answer(request.action, IAM_NS)

    def _GetAccessKeyLastUsed(self, request, creds):  # pylint: disable=invalid-name,unused-argument
        return query_answer(request.action, IAM_NS, "<AccessKeyLastUsed><ServiceName>N/A</ServiceName>"
                            "<Region>N/A</Region></AccessKeyLastUsed>")

    def _GetAccountSummary(self, request, creds):  # pylint: disable=invalid-name
        entries = dict(AccountMFAEnabled=int(bool(creds.mfa_devices)), AccountAccessKeysPresent=int(bool(creds.access_keys)),
                       AccountSigningCertificatesPresent=int(bool(creds.certificates)))
        summary = "".join(f"<entry><key>{k}</key><value>{v}</value></entry>" for k, v in entries.items())
        return query_answer(request.action, IAM_NS, f"<SummaryMap>{summary}</SummaryMap>")

    def _DeleteVirtualMFADevice(self, request, creds):  # pylint: disable=invalid-name
        if request.params.get("SerialNumber") in creds.mfa_devices:
            raise AwsError("DeleteConflict", "MFA device is in use; deactivate it first.", 409)
        return query_answer(request.action, IAM_NS)

    def _CreateLoginProfile(self, request, creds):  # pylint: disable=invalid-name
        if creds.login_profile is not None:
            raise AwsError("EntityAlreadyExists", "Login Profile for the root user already exists.", 409)
        creds.login_profile = datetime.datetime.now(datetime.timezone.utc)
        profile = _fields(CreateDate=_timestamp(creds.login_profile), PasswordResetRequired="true")
        return query_answer(request.action, IAM_NS, f"<LoginProfile>{profile}</LoginProfile>")
