# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Bring an existing standalone account into the organization by handshake (org_account's ``invite``).

The management account invites the account (InviteAccountToOrganization);
the invitation is a handshake that only the invited account can accept
(AcceptHandshake, "Only a member account can accept ... Invitation to join
(INVITE)", https://docs.aws.amazon.com/organizations/latest/APIReference/API_AcceptHandshake.html).
With ``invite_profile`` (an AWS CLI profile with credentials of that
account) it is accepted from here, and the account gets the
OrganizationAccountAccessRole that invited accounts lack ("member accounts
that you invite to join your organization do not automatically get an
administrator role created",
https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_accounts_create-cross-account-role.html),
so that the rest of the landing zone reaches it through the member role.
Without credentials the invitation stays open and the account is reported
as waiting for acceptance.

Never a second invitation: a pending one (REQUESTED or OPEN) is adopted,
and so is the one a lost InviteAccountToOrganization answer made (botocore
repeats the call; AWS refuses the repeat with DuplicateHandshakeException).
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code
from ansible_collections.amazon.aws.plugins.module_utils.tagging import ansible_dict_to_boto3_tag_list

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import organizations as org
from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.sts import get_caller_identity
from ansible_collections.awsorg.landing_zone.plugins.module_utils.resources import org_account_reads as reads

# Handshake states (botocore's HandshakeState): REQUESTED and OPEN await the
# invited account's answer; ACCEPTED stays listed for 30 days
# (https://docs.aws.amazon.com/organizations/latest/APIReference/API_Handshake.html).
PENDING_STATES = ("REQUESTED", "OPEN")
ACCEPTED = "ACCEPTED"
# The policy AWS gives the role of a created account, and the guide tells to
# attach to the role made by hand in an invited one (the guide above, step
# "Attach permissions policies": AdministratorAccess).
ADMINISTRATOR_ACCESS = "arn:{partition}:iam::aws:policy/AdministratorAccess"
# Marks the member role this module made, so that a run after a partial
# failure finishes it, while a role of the same name someone else made is
# left alone.
MEMBER_ROLE_DESCRIPTION = "Administrator access from the organization's management account (awsorg.landing_zone invitation)"
# After AcceptHandshake, how long to look for the new member in the organization.
READ_BACK_ATTEMPTS = 10
READ_BACK_DELAY = 2.0


def validate(module):
    """The invitation options, before any AWS call."""
    params = module.params
    if params.get("invite_profile") and not params.get("invite"):
        module.fail_json(msg="invite_profile: only used with invite=true (it accepts the invitation)")
    if params.get("invite") and not params.get("account_id"):
        module.fail_json(msg="invite: needs account_id, the id of the standalone account to invite")


def refusal(account_id):
    """Why an account outside the organization is not invited, and how to ask for it."""
    return (
        f"account_id: there is no account {account_id} in this organization; this module creates accounts"
        " from name and email, and invites an existing account only when asked: set invite=true (inventory:"
        " account_invite: true), and invite_profile to accept the invitation with credentials of that account"
        " (account_invite_profile)"
    )


# --- the handshakes -----------------------------------------------------------


def _invites(handshake, account_id):
    return handshake.get("Action", "INVITE") == "INVITE" and any(
        party.get("Type") == "ACCOUNT" and party.get("Id") == account_id for party in handshake.get("Parties", [])
    )


def invitations_of(client, account_id, context=None):
    """The organization's invitations of ``account_id`` (ListHandshakesForOrganization, INVITE only).

    With ``context``, the run's one listing, shared by every invited account
    of a batch; without it, a fresh one (after a refused invitation).
    """
    handshakes = (reads.invitations(context, client) if context is not None
                  else org.list_handshakes_for_organization(client, "INVITE"))
    return [h for h in handshakes if _invites(h, account_id)]


def _pending(handshakes):
    return next((h for h in handshakes if h.get("State") in PENDING_STATES), None)


def _invite(module, client, account_id):
    """Send the invitation; adopt the one a lost first try made."""
    tags = module.params.get("tags")
    try:
        return org.invite_account(client, account_id, ansible_dict_to_boto3_tag_list(tags) if tags else None)
    except org.AnsibleOrganizationsDuplicateHandshake:
        # botocore's repeat of a call whose answer was lost, or an invitation
        # made since this run listed them: the pending one is this run's.
        handshake = org.read_back(lambda: _pending(invitations_of(client, account_id)))
        if handshake is None:
            raise
        return handshake


def _description(handshake, sent):
    return dict(handshake_id=handshake.get("Id"), state=handshake.get("State"), sent=sent, accepted=False,
                member_role_created=False, joined=False, changed=sent)


# --- acting in the invited account -------------------------------------------------


def _in_account(module, service):
    """A client with the credentials of ``invite_profile`` (never the caller's keys)."""
    return module.caller_client(service, profile_name=module.params["invite_profile"], aws_access_key_id=None,
                                aws_secret_access_key=None, aws_session_token=None)


def _check_profile(module, account_id):
    """The profile must hold credentials of the invited account, not of another one."""
    owner = get_caller_identity(_in_account(module, "sts"))["Account"]
    if owner != account_id:
        module.fail_json(
            msg=(
                f"invite_profile: the profile {module.params['invite_profile']!r} has credentials of account"
                f" {owner}, not of the invited account {account_id}"
            )
        )


def _accept(module, handshake_id):
    try:
        return org.accept_handshake(_in_account(module, "organizations"), handshake_id)
    except org.AnsibleOrganizationsError as e:
        # HandshakeAlreadyInStateException: accepted already (a lost answer, or someone in the account).
        already = is_boto3_error_code("HandshakeAlreadyInStateException", e.exception)
        if e.exception is not None and isinstance(e.exception, already):
            return dict(Id=handshake_id, State=ACCEPTED)
        raise


def member_role_trust(partition, management_account_id):
    """The trust of the role AWS makes in a created account: the management account (any principal it allows)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:{partition}:iam::{management_account_id}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }


def ensure_member_role(module, client, context):
    """The member role in the invited account, made with ``invite_profile``'s credentials; True when it changes."""
    params = module.params
    iam_client = _in_account(module, "iam")
    role_name = params["role_name"]
    partition = module.partition()
    policy_arn = ADMINISTRATOR_ACCESS.format(partition=partition)
    role = iam.get_role(iam_client, role_name)
    if role is not None and role.get("Description") != MEMBER_ROLE_DESCRIPTION:
        return False  # someone's own role of that name: left as it is
    attached = iam.list_attached_role_policies(iam_client, role_name) if role is not None else []
    if role is not None and policy_arn in attached:
        return False
    if module.check_mode:
        return True
    if role is None:
        trust = member_role_trust(partition, reads.management_account_id(context, client))
        try:
            iam.create_role(iam_client, role_name, trust, Description=MEMBER_ROLE_DESCRIPTION)
        except iam.AnsibleIAMAlreadyExists:
            pass  # a lost answer: the first try made it
    iam.attach_role_policy(iam_client, role_name, policy_arn)
    return True


# --- joining -----------------------------------------------------------------------


def _read_member(client, account_id):
    return org.read_back(lambda: org.describe_account(client, account_id), attempts=READ_BACK_ATTEMPTS,
                         delay=READ_BACK_DELAY)


def join(module, client, context):
    """Bring ``account_id`` (not a member) into the organization: ``(account or None, invitation)``.

    ``account`` is the new member as DescribeAccount shows it, or None while
    it is not one (no credentials to accept, or check mode).  ``invitation``
    describes the handshake: its id and state, whether this run sent it,
    accepted it (predicted in check mode) and made the member role, and
    whether the account is a member now (``joined``).
    """
    account_id = module.params["account_id"]
    if module.params.get("invite_profile"):
        _check_profile(module, account_id)  # before anything is sent
    handshakes = invitations_of(client, account_id, context)
    handshake = _pending(handshakes)
    if handshake is None and any(h.get("State") == ACCEPTED for h in handshakes):
        # Accepted, maybe moments ago: the account shows up in the organization.
        account = _read_member(client, account_id)
        if account is not None:
            accepted = next(h for h in handshakes if h.get("State") == ACCEPTED)
            return account, dict(_description(accepted, False), accepted=True, joined=True)
    sent = handshake is None
    if sent:
        handshake = dict(Id=None, State="OPEN") if module.check_mode else _invite(module, client, account_id)
    invitation = _description(handshake, sent)

    if not module.params.get("invite_profile"):
        which = handshake["Id"] or "(sent by the real run)"
        module.warn(
            f"account {account_id} ({module.params.get('name') or 'no name given'}) is waiting for acceptance"
            f" of the invitation {which}: accept it in that account, or give invite_profile"
            " (account_invite_profile) to accept it from here; the account gets no other work until it joins"
        )
        return None, invitation

    if module.check_mode:
        role_changes = ensure_member_role(module, client, context)
        return None, dict(invitation, accepted=True, member_role_created=role_changes, changed=True)
    accepted = _accept(module, handshake["Id"])
    role_changes = ensure_member_role(module, client, context)
    account = _read_member(client, account_id)
    if account is None:
        raise org.AnsibleOrganizationsError(
            message=f"The invitation {handshake['Id']} was accepted but account {account_id} is not in the"
            " organization yet; run the task again"
        )
    return account, dict(invitation, state=accepted.get("State") or ACCEPTED, accepted=True, joined=True,
                         member_role_created=role_changes, changed=True)


def finish_member(module, client, account, context):
    """An invited member with ``invite_profile``: its member role, if a run before did not make it (None otherwise)."""
    if not module.params.get("invite_profile") or account.get("JoinedMethod") != "INVITED":
        return None
    _check_profile(module, account["Id"])
    created = ensure_member_role(module, client, context)
    return dict(handshake_id=None, state=None, sent=False, accepted=False, member_role_created=created, joined=True,
                changed=created)
