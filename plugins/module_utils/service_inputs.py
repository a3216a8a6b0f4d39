# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Input checks shared by the organization-wide service and IAM Identity Center modules.

Nothing here calls AWS: every check runs before the first write and raises
SpecError with a message that names the option and the value.
"""

import re

ACCOUNT_ID = re.compile(r"^\d{12}$")
ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d{1,2}$")


class SpecError(ValueError):
    """Bad input or a refused change; the message names the option and the value."""


def check_account_id(field, value):
    if value is None or not ACCOUNT_ID.match(str(value)):
        raise SpecError(f"{field}: must be a 12-digit AWS account id, got {value!r}")
    return str(value)


def check_organization_id(field, value):
    if value is None or not ORGANIZATION_ID.match(str(value)):
        raise SpecError(f"{field}: must be an organization id like o-abcd123456, got {value!r}")
    return str(value)


def check_region(field, value):
    if not value or not REGION.match(str(value)):
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
