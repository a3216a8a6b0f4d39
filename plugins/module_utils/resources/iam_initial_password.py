# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Give an IAM user a console password that only the user can read.

The password is generated here (``secrets``), satisfies the account password
policy, must be changed at first sign-in, and is encrypted to the user's GPG
public key before IAM is called.  The plaintext lives in one local variable:
it is registered as a no_log value (Ansible masks it anywhere it might
surface) and is never put in the result, the diff, a warning or a file.

Order of work: check the options and the key (a bad key fails with nothing
written), read the user and its login profile, then generate, encrypt, call
IAM, and write the encrypted password to ``dest`` last.

A password nobody can read is a locked-out user: when the user has a login
profile but ``dest`` is missing (an earlier run set the password and lost
IAM's answer, or died before writing the file), a new password is set
(UpdateLoginProfile) and written to ``dest``.  Likewise a CreateLoginProfile
that IAM answers with EntityAlreadyExists (botocore repeating a call whose
answer was lost: the first try made the profile) goes on with
UpdateLoginProfile and a new password.
"""

import base64
import contextlib
import os
import secrets
import string

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws import iam
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import OptionsRun
from ansible_collections.awsorg.landing_zone.plugins.module_utils.batch.account_batch import merged_params
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.files import write_file_atomic
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import GPGKeyError
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import encrypt_to
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import load_recipient_key
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.gpg import throwaway_gpg

# The non-alphanumeric characters IAM password policies count as symbols.
SYMBOLS = "!@#$%^&*()_+-=[]{}|'"
CHARACTER_CLASSES = (string.ascii_uppercase, string.ascii_lowercase, string.digits, SYMBOLS)
# Without a custom policy AWS asks for 8 characters and three of the four classes.
AWS_DEFAULT_MINIMUM_LENGTH = 8
MAX_PASSWORD_LENGTH = 128


class InputError(ValueError):
    pass


class PasswordFileNotWritten(Exception):
    """The password is set in IAM but ``dest`` could not be written: ``result`` holds its ciphertext."""

    def __init__(self, result):
        super().__init__(result["msg"])
        self.result = result


def generate_password(policy, length):
    """A random password with every character class, at least as long as the policy asks.

    Using all four classes satisfies any combination of Require* settings.
    """
    minimum = (policy or {}).get("MinimumPasswordLength", AWS_DEFAULT_MINIMUM_LENGTH)
    length = min(max(length, minimum), MAX_PASSWORD_LENGTH)
    characters = [secrets.choice(chars) for chars in CHARACTER_CLASSES]
    alphabet = "".join(CHARACTER_CLASSES)
    characters += [secrets.choice(alphabet) for _position in range(length - len(characters))]
    secrets.SystemRandom().shuffle(characters)
    return "".join(characters)


def validate(params):
    if params["state"] == "present" and not params.get("public_key_file"):
        raise InputError("public_key_file: required when state is present")
    length = params["password_length"]
    if not AWS_DEFAULT_MINIMUM_LENGTH <= length <= MAX_PASSWORD_LENGTH:
        raise InputError(
            f"password_length: {length} is not between {AWS_DEFAULT_MINIMUM_LENGTH} and {MAX_PASSWORD_LENGTH}"
        )
    dest = params.get("dest")
    if dest:
        directory = os.path.dirname(os.path.abspath(dest)) or "."
        if os.path.isdir(dest):
            raise InputError(f"dest: {dest!r} is a directory; give the file to write, e.g. {dest}/<user>.asc")
        if not os.path.isdir(directory):
            raise InputError(f"dest: the directory of {dest!r} does not exist")
        if not os.access(directory, os.W_OK | os.X_OK):
            raise InputError(f"dest: the directory of {dest!r} is not writable")


def _profile_view(user_name, profile, dest=None):
    """What the diff shows; with ``dest``, whether the encrypted password file exists (never its content)."""
    if profile is None:
        view = dict(user_name=user_name, login_profile=False, password_reset_required=None)
    else:
        view = dict(
            user_name=user_name,
            login_profile=True,
            password_reset_required=bool(profile.get("PasswordResetRequired")),
        )
    if dest:
        view["password_file"] = os.path.exists(dest)
    return view


def _result(changed, before, after, **extra):
    result = dict(changed=changed, user_name=after["user_name"], login_profile=after["login_profile"],
                  encrypted_password=None, encrypted_password_base64=None, key_fingerprint=None, dest=None)
    result.update(extra)
    result["diff"] = dict(before=before, after=after)
    return result


def ensure_absent(module, client):
    user_name = module.params["user_name"]
    profile = iam.get_login_profile(client, user_name)
    before = _profile_view(user_name, profile)
    after = _profile_view(user_name, None)
    if profile is None:
        return _result(False, before, after)
    if not module.check_mode:
        iam.delete_login_profile(client, user_name)
    return _result(True, before, after)


def _new_password(module, gpg, key, policy):
    """A new password and its ASCII-armored encryption; the plaintext is registered as a no_log value."""
    password = generate_password(policy, module.params["password_length"])
    module.no_log_values.add(password)
    return password, encrypt_to(gpg, key, password)


def _set_password(module, client, gpg, key, profile):
    """Generate, encrypt, then set the password; return the ASCII-armored ciphertext."""
    user_name = module.params["user_name"]
    policy = iam.get_account_password_policy(client)
    if profile is None:
        password, armored = _new_password(module, gpg, key, policy)
        try:
            iam.create_login_profile(client, user_name, password, password_reset_required=True)
            return armored
        except iam.AnsibleIAMAlreadyExists:
            # The profile exists: most likely made by this very call, whose
            # answer was lost and which botocore sent again.  Nobody has the
            # password it set, so set a new one (a fresh one: the account's
            # password policy may forbid reusing a password).
            pass
    password, armored = _new_password(module, gpg, key, policy)
    iam.update_login_profile(client, user_name, password, password_reset_required=True)
    return armored


def _password_file_lost(params, profile):
    """The initial password is set but the file holding it encrypted is missing: nobody can read it.

    Only while IAM still requires the user to change it at first sign-in
    (PasswordResetRequired): once the user has set a password of their own,
    the missing file hides nothing, and a new password would lock them out
    (an AWX job without a persistent output directory would do so every run).
    """
    return (profile is not None and bool(profile.get("PasswordResetRequired"))
            and bool(params.get("dest")) and not os.path.exists(params["dest"]))


def missing_user(module, client, key):
    """None when the user exists; else the preview of its first password (check mode), or InputError."""
    params = module.params
    user_name = params["user_name"]
    if iam.get_user(client, user_name) is not None:
        return None
    if module.check_mode:
        # A preview: the task before this one (iam_user) predicts the user's creation; the
        # real run creates the user, then sets its first password here.
        after = dict(user_name=user_name, login_profile=True, password_reset_required=True)
        if params.get("dest"):
            after["password_file"] = True
        return _result(True, _profile_view(user_name, None, params.get("dest")), after,
                       key_fingerprint=key.fingerprint)
    raise InputError(
        f"user_name: the IAM user {user_name!r} does not exist; create it first (amazon.aws.iam_user)"
    )


def ensure_present(module, client, gpg, key, user_read=False):
    """``user_read``: missing_user said the user exists (a batch reads every user before its first write)."""
    params = module.params
    user_name = params["user_name"]
    preview = None if user_read else missing_user(module, client, key)
    if preview is not None:
        return preview
    profile = iam.get_login_profile(client, user_name)
    dest = params.get("dest")
    before = _profile_view(user_name, profile, dest)
    lost = _password_file_lost(params, profile)
    if profile is not None and not params["reset"] and not lost:
        return _result(False, before, before, key_fingerprint=key.fingerprint)
    if lost and not params["reset"]:
        module.warn(
            f"{user_name} has a console password but its encrypted password file {dest} is missing, so nobody"
            " can read it; a new password is set (to be changed at first sign-in) and written there"
        )
    after = dict(user_name=user_name, login_profile=True, password_reset_required=True)
    if dest:
        after["password_file"] = True
    if module.check_mode:
        return _result(True, before, after, key_fingerprint=key.fingerprint)
    armored = _set_password(module, client, gpg, key, profile)
    result = _result(
        True,
        before,
        after,
        encrypted_password=armored,
        encrypted_password_base64=base64.b64encode(armored.encode("utf-8")).decode("ascii"),
        key_fingerprint=key.fingerprint,
        dest=params.get("dest"),
    )
    if params.get("dest"):
        try:
            write_file_atomic(params["dest"], armored.encode("utf-8"), mode=0o600)
        except OSError as e:
            # The password is set in IAM already: hand the ciphertext back
            # rather than lose it, so nobody needs a reset.
            result["msg"] = (
                f"IAM user {user_name!r}: the password was set but dest could not be written ({e});"
                " the encrypted password is in encrypted_password"
            )
            raise PasswordFileNotWritten(result) from e
    return result


def run(module):
    params = module.params
    user_name = params["user_name"]
    try:
        validate(params)
        if params["state"] == "absent":
            return ensure_absent(module, module.client("iam"))
        with throwaway_gpg(params["gpg_binary"]) as gpg:
            key = load_recipient_key(
                gpg, params["public_key_file"], expected_uid=params.get("expected_uid"),
                expected_email=params.get("expected_email"),
            )
            return ensure_present(module, module.client("iam"), gpg, key)
    except GPGKeyError as e:
        module.fail_json(msg=f"IAM user {user_name!r}: refusing to set a password: {e}")
    except InputError as e:
        module.fail_json(msg=f"IAM user {user_name!r}: {e}")
    except PasswordFileNotWritten as e:
        module.fail_json(**e.result)


def run_users(module):
    """O(users): every user's options and key, then every user's existence, checked before the first write.

    One IAM client (one AssumeRole) for all of them; each key stays in its own
    throwaway keyring until the run ends.  A password file that cannot be
    written stops the run with the results so far, that user's ciphertext
    included.
    """
    with contextlib.ExitStack() as keyrings:
        users = _checked_users(module, keyrings)
        client = module.client("iam")
        previews, problems = {}, []
        for index, (user, _gpg, key) in enumerate(users):
            if user.params["state"] == "present":
                try:
                    previews[index] = missing_user(user, client, key)
                except InputError as e:
                    problems.append(f"IAM user {user.params['user_name']!r}: {e}")
        if problems:
            module.fail_json(msg="; ".join(problems))

        results = []
        for index, (user, gpg, key) in enumerate(users):
            try:
                if user.params["state"] == "absent":
                    results.append(ensure_absent(user, client))
                else:
                    results.append(previews[index] or ensure_present(user, client, gpg, key, user_read=True))
            except PasswordFileNotWritten as e:
                module.fail_json(msg=e.result["msg"], changed=True, results=results + [e.result])
    diff = dict(before={}, after={})
    for result in results:
        item_diff = result.pop("diff")
        diff["before"][result["user_name"]] = item_diff["before"]
        diff["after"][result["user_name"]] = item_diff["after"]
    return dict(changed=any(r["changed"] for r in results), results=results, diff=diff)


def _checked_users(module, keyrings):
    """``[(OptionsRun, gpg, key)]`` for every element of ``users``; fails naming every bad one, before any call."""
    users, problems, seen = [], [], set()
    for index, overrides in enumerate(module.params["users"]):
        params, errors = merged_params(module, overrides)
        where = f"users[{index}]" if params is None else f"users[{index}] ({params['user_name']})"
        if errors:
            problems.extend(f"{where}: {error}" for error in errors)
            continue
        if params["user_name"] in seen:
            problems.append(f"{where}: user_name: {params['user_name']!r} is listed twice; list each user once")
            continue
        seen.add(params["user_name"])
        try:
            validate(params)
            gpg = key = None
            if params["state"] == "present":
                gpg = keyrings.enter_context(throwaway_gpg(params["gpg_binary"]))
                key = load_recipient_key(gpg, params["public_key_file"], expected_uid=params.get("expected_uid"),
                                         expected_email=params.get("expected_email"))
        except GPGKeyError as e:
            problems.append(f"{where}: refusing to set a password: {e}")
            continue
        except InputError as e:
            problems.append(f"{where}: {e}")
            continue
        users.append((OptionsRun(module, params), gpg, key))
    if problems:
        module.fail_json(msg="; ".join(problems))
    return users
