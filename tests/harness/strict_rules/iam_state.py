"""IAM state moto drops: a console password that must be changed at first sign-in.

CreateLoginProfile with ``PasswordResetRequired=true`` makes a login profile
whose GetLoginProfile reads ``PasswordResetRequired: true`` until the user
signs in and sets a password of their own (IAM API Reference,
CreateLoginProfile: "Specifies whether the user is required to set a new
password on next sign-in").  moto 5.2 ignores the parameter and reads
false.  After moto made the profile, this rule sets the flag with moto's
UpdateLoginProfile (which honours it), in the caller's account, with the
same password: moto then holds what IAM would.
"""

from tests.harness.strict_aws import Rule


def _true(value):
    return str(value).strip().lower() == "true"


class IamStateRules(Rule):
    name = "iam_state"

    def after(self, request, answer):
        if not (request.is_("iam", "CreateLoginProfile") and answer and answer[0] == 200):
            return None
        params = request.params
        if not _true(params.get("PasswordResetRequired")):
            return None
        iam = self.caller_client("iam", request)
        iam.update_login_profile(UserName=params["UserName"], Password=params["Password"],
                                 PasswordResetRequired=True)
        return None
