# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The one home of the input rules every layer shares: account ids, regions, emails, names.

Nothing here calls AWS: every check runs before the first write.  The
``*_problem`` functions return what is wrong (or None), so the controller's
preflight can collect every problem at once while a module raises on the
first; the ``check_*`` functions raise SpecError with a message that names
the option and the value.

Every pattern is matched with ``fullmatch``: a ``$`` anchor would let a
trailing newline through.
"""

import re
import unicodedata

# ASCII digits only: Python's \d also matches other scripts' digits, which AWS refuses.
ACCOUNT_ID = re.compile(r"[0-9]{12}")
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}")
REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]{1,2}")
# CreateAccount's input constraints, from the Organizations API model
# (https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html):
# Email 6-64 characters matching [^\s@]+@[^\s@]+\.[^\s@]+; AccountName 1-50
# characters of [\u0020-\u007E].
EMAIL = re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+")
EMAIL_LENGTH = (6, 64)
ACCOUNT_NAME = re.compile(r"[\x20-\x7e]{1,50}")
# IAM role names: 1-64 of [\w+=,.@-] (IAM API Reference, CreateRole RoleName).
# IAM's \w is ASCII letters, digits and underscore (re.ASCII): Python's would also take "é".
ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
# IAM ARNs, in any partition (aws, aws-cn, aws-us-gov, ...):
# arn:<partition>:iam::<account id>:role/<path/><name> ("IAM ARNs",
# https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns).
# The group ``account_id`` is the account the role or principal lives in.
_PARTITION = r"aws[a-z-]*"
_IAM_PATH_AND_NAME = r"(?:[\w+=,.@-]+/)*[\w+=,.@-]{1,64}"
ROLE_ARN = re.compile(rf"arn:{_PARTITION}:iam::(?P<account_id>[0-9]{{12}}):role/{_IAM_PATH_AND_NAME}", re.ASCII)
# A principal a trust policy names: an account's root, an IAM user or an IAM role.
IAM_PRINCIPAL_ARN = re.compile(
    rf"arn:{_PARTITION}:iam::(?P<account_id>[0-9]{{12}}):(?:root|(?:user|role)/{_IAM_PATH_AND_NAME})", re.ASCII
)
# STS RoleSessionName: 2-64 of [\w+=,.@-]
# (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html).
ROLE_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)


def role_arn_account_id(value):
    """The account id in an IAM role ARN of any partition, or None when ``value`` is not one."""
    match = ROLE_ARN.fullmatch(value) if isinstance(value, str) else None
    return match.group("account_id") if match else None


def is_account_id(value):
    return value is not None and ACCOUNT_ID.fullmatch(str(value)) is not None


def email_problem(value):
    """What is wrong with ``value`` as an account's email, or None."""
    low, high = EMAIL_LENGTH
    if not isinstance(value, str) or not (low <= len(value) <= high and EMAIL.fullmatch(value)):
        return f"{value!r} is not a valid email address (name@domain.tld, {low}-{high} characters)"
    return None


def account_name_problem(value):
    """What is wrong with ``value`` as an account name, or None."""
    if not isinstance(value, str) or not ACCOUNT_NAME.fullmatch(value):
        return f"{value!r} must be 1 to 50 printable ASCII characters, no control characters or newlines"
    return None


class SpecError(ValueError):
    """Bad input or a refused change; the message names the option and the value."""


def check_account_id(field, value):
    if not is_account_id(value):
        raise SpecError(f"{field}: must be a 12-digit AWS account id, got {value!r}")
    return str(value)


def check_organization_id(field, value):
    if value is None or not ORGANIZATION_ID.fullmatch(str(value)):
        raise SpecError(f"{field}: must be an organization id like o-abcd123456, got {value!r}")
    return str(value)


def check_region(field, value):
    if not value or not REGION.fullmatch(str(value)):
        raise SpecError(f"{field}: must be an AWS region like us-east-1, got {value!r}")
    return str(value)


def regions_of(module, field="regions"):
    """The ``regions`` option, checked and without duplicates; the module's region when empty."""
    regions = module.params.get(field) or [module.region]
    checked = []
    for index, region in enumerate(regions):
        check_region(f"{field}[{index}]" if module.params.get(field) else "region", region)
        if region not in checked:
            checked.append(region)
    return checked


def check_unique(field, entries, key):
    """Entries of a list option must not repeat ``key``."""
    seen = set()
    for index, entry in enumerate(entries):
        if entry[key] in seen:
            raise SpecError(f"{field}[{index}].{key}: {entry[key]!r} appears twice")
        seen.add(entry[key])


# S3 general purpose bucket naming rules
# (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
BUCKET_NAME = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_ADDRESS = re.compile(r"\d{1,3}(\.\d{1,3}){3}")
# Reserved by S3 for access points, Object Lambda, directory and table
# buckets, and "-an" for buckets of an account regional namespace ("Bucket
# names can only end with the suffix -an when you create the bucket in your
# account regional namespace", same page): this collection's buckets are
# created in the shared global namespace.
_RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3", "-an")
# DynamoDB table names: 3-255 of [a-zA-Z0-9_.-]
# (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")


def bucket_name_problem(name):
    """Why ``name`` is not a valid general purpose bucket name, or None."""
    if not 3 <= len(name) <= 63:
        return "must be 3 to 63 characters long"
    if not BUCKET_NAME.fullmatch(name):
        return "may only hold lowercase letters, digits, dots and hyphens, and must start and end with a letter or digit"
    if ".." in name:
        return "must not hold two adjacent dots"
    if _IP_ADDRESS.fullmatch(name):
        return "must not look like an IP address"
    if name.startswith(_RESERVED_PREFIXES):
        return f"must not start with {', '.join(_RESERVED_PREFIXES)}"
    if name.endswith(_RESERVED_SUFFIXES):
        return f"must not end with {', '.join(_RESERVED_SUFFIXES)}"
    return None


def table_name_problem(name):
    if not TABLE_NAME.fullmatch(name):
        return "must be 3 to 255 characters of letters, digits, '_', '.' and '-'"
    return None


# IAM user names: 1-64 of [\w+=,.@-]; group names: 1-128 of the same
# (IAM API Reference, CreateUser UserName and CreateGroup GroupName:
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html,
# https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateGroup.html).
# IAM compares names without regard to case: "Bob" and "bob" are one user.
IAM_USER_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
IAM_GROUP_NAME = re.compile(r"[\w+=,.@-]{1,128}", re.ASCII)


def iam_user_name_problem(value):
    """What IAM would refuse in ``value`` as a user name, or None."""
    if not isinstance(value, str) or not IAM_USER_NAME.fullmatch(value):
        return f"{value!r} is not an IAM user name (1 to 64 letters, digits and + = , . @ _ -, no spaces)"
    return None


def iam_group_name_problem(value):
    """What IAM would refuse in ``value`` as a group name, or None."""
    if not isinstance(value, str) or not IAM_GROUP_NAME.fullmatch(value):
        return f"{value!r} is not an IAM group name (1 to 128 letters, digits and + = , . @ _ -, no spaces)"
    return None


# The characters of a description, [\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF] (an em dash or a
# euro sign is refused), in IAM CreateRole
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html: at most 1000 of them) and
# IAM Identity Center CreatePermissionSet
# (https://docs.aws.amazon.com/singlesignon/latest/APIReference/API_CreatePermissionSet.html: 1-700).
# CreateRole's MaxSessionDuration: 3600-43200 seconds.
DESCRIPTION_CHARACTERS = re.compile(r"[\t\n\r\x20-\x7e\xa1-\xff]*")
MAX_ROLE_DESCRIPTION_LENGTH = 1000
MIN_SESSION_DURATION = 3600
MAX_SESSION_DURATION = 43200
# IAM CreateUser and CreateRole Path
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html): 1-512 characters
# matching (\u002F)|(\u002F[\u0021-\u007E]+\u002F): "/" alone, or printable ASCII between slashes.
IAM_PATH = re.compile(r"/|/[\x21-\x7e]+/")
MAX_IAM_PATH_LENGTH = 512


def description_characters_problem(value, service, what):
    """The characters ``service`` would refuse in ``value`` as ``what`` ("a role description"), or None."""
    if DESCRIPTION_CHARACTERS.fullmatch(value):
        return None
    refused = sorted({ch for ch in value if not DESCRIPTION_CHARACTERS.fullmatch(ch)})
    return (f"{value!r} holds {', '.join(repr(ch) for ch in refused)}; {service} takes only printable ASCII,"
            f" Latin-1 letters and signs, tabs and line breaks in {what}")


def role_description_problem(value):
    """What IAM would refuse in ``value`` as a role description, or None."""
    if not isinstance(value, str):
        return f"must be a string, got {value!r}"
    if len(value) > MAX_ROLE_DESCRIPTION_LENGTH:
        return f"{value!r} is {len(value)} characters; IAM allows at most {MAX_ROLE_DESCRIPTION_LENGTH}"
    return description_characters_problem(value, "IAM", "a role description")


def iam_path_problem(value):
    """What IAM would refuse in ``value`` as a user or role path, or None."""
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_IAM_PATH_LENGTH or not IAM_PATH.fullmatch(value):
        return (f"{value!r} is not an IAM path: '/' alone, or printable ASCII characters (no spaces) between a"
                f" leading and a trailing '/', at most {MAX_IAM_PATH_LENGTH} characters")
    return None


def role_name_problem(value):
    """What IAM would refuse in ``value`` as a role name, or None."""
    if not isinstance(value, str) or not ROLE_NAME.fullmatch(value):
        return f"{value!r} is not an IAM role name (1 to 64 letters, digits and + = , . @ _ -)"
    return None


def region_problem(value):
    if not isinstance(value, str) or not REGION.fullmatch(value):
        return f"{value!r} is not an AWS region like us-east-1"
    return None


# Tags of accounts, OUs and policies (AWS Organizations API Reference, Tag:
# https://docs.aws.amazon.com/organizations/latest/APIReference/API_Tag.html):
# a key of 1-128 and a value of 0-256 Unicode letters, separators and digits
# and _ . : / = + - @.  Keys starting with "aws:" (in any case) are AWS's own
# (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
TAG_KEY_LENGTH = (1, 128)
# At most 50 tags on one resource: IAM CreateRole and CreateUser Tags, "Maximum number of 50 items"
# (https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html); Organizations TagResource
# refuses a request past "the maximum allowed number of tags for a resource"
# (https://docs.aws.amazon.com/organizations/latest/APIReference/API_TagResource.html), 50 per
# resource ("Tags attached per resource: 50 user-defined tags", Tag Editor service quotas,
# https://docs.aws.amazon.com/tag-editor/latest/userguide/reference.html).
MAX_TAGS = 50
TAG_VALUE_LENGTH = 256
_TAG_PUNCTUATION = "_.:/=+-@"
RESERVED_TAG_PREFIX = "aws:"


def _tag_text_ok(text):
    # \p{L}\p{Z}\p{N}: Python's str methods cover letters and digits; the
    # separators are the Unicode spaces (category Z*), not tabs or newlines.
    return all(ch.isalnum() or ch in _TAG_PUNCTUATION or unicodedata.category(ch).startswith("Z") for ch in text)


def tag_value_text(value):
    """The text stored for a tag value (a number or boolean as Python prints it); None for a mapping, list or null."""
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def tag_problems(tags):
    """Every problem of a tags mapping, each naming the key and the value."""
    if not isinstance(tags, dict):
        return [f"must be a mapping of tag keys to values, got {type(tags).__name__} {tags!r}"]
    problems = []
    if len(tags) > MAX_TAGS:
        problems.append(f"{len(tags)} tags, more than the {MAX_TAGS} AWS allows on one resource")
    low, high = TAG_KEY_LENGTH
    for key, value in tags.items():
        if not isinstance(key, str) or not low <= len(key) <= high or not _tag_text_ok(key):
            problems.append(f"{key!r}: a tag key must be {low}-{high} letters, digits, spaces and {_TAG_PUNCTUATION}")
            continue
        if key.lower().startswith(RESERVED_TAG_PREFIX):
            problems.append(f"{key!r}: tag keys starting with {RESERVED_TAG_PREFIX!r} are reserved by AWS")
            continue
        text = tag_value_text(value)
        if text is None:
            kind = "a mapping" if isinstance(value, dict) else "a list" if isinstance(value, (list, tuple)) else \
                type(value).__name__
            problems.append(f"{key!r}: a tag value must be a string, number or boolean, got {kind} {value!r}")
        elif len(text) > TAG_VALUE_LENGTH or not _tag_text_ok(text):
            problems.append(f"{key!r}: the value {text!r} must be at most {TAG_VALUE_LENGTH} letters, digits, spaces"
                            f" and {_TAG_PUNCTUATION}")
    return problems
