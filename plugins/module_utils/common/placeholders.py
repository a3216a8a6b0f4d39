# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Placeholders: the ids of what a ``--check`` preview would create.

A preview (check mode) cannot know the id AWS will give an account, an OU or
an organization the real run creates, yet the tasks after it need one: the
cross-account roles, the baseline, the AWS CLI profiles and the account maps
of a new account; the accounts moved into a new OU.  The creating module's
check-mode result gives each a placeholder, such as
``(new account acme-sandbox)``, and every later step recognises it:

* a module acting inside an account whose id is a placeholder predicts
  "changed" (everything in an account that does not exist yet is created)
  and makes no AWS call for it (batch/modules.py, batch/account_batch.py);
* org_account accepts a placeholder OU as the target of a move;
* the generated files (account map, Terraform map, AWS CLI profiles) show
  the placeholder in their diff.

A placeholder never reaches AWS: outside check mode the modules refuse it as
they refuse any value that is not an id.
"""

PREFIX = "(new "
SUFFIX = ")"


def new_account_id(name):
    """The placeholder id of an account the run would create: ``(new account <name>)``."""
    return f"{PREFIX}account {name}{SUFFIX}"


def new_ou_id(path):
    """The placeholder id of an OU the run would create: ``(new OU /workloads/sandbox)``."""
    return f"{PREFIX}OU {path}{SUFFIX}"


def new_organization_id():
    """The placeholder id of the organization a preview of a new one would create."""
    return f"{PREFIX}organization{SUFFIX}"


def new_root_id():
    """The placeholder id of a new organization's root."""
    return f"{PREFIX}root{SUFFIX}"


def placeholder_ou_path(value):
    """The OU path a placeholder OU or root id stands for (``/`` for the root), else None."""
    if value == new_root_id():
        return "/"
    prefix = f"{PREFIX}OU "
    if isinstance(value, str) and value.startswith(prefix) and value.endswith(SUFFIX):
        return value[len(prefix):-len(SUFFIX)]
    return None


def is_placeholder(value):
    """Whether ``value`` is a placeholder id (of an account, OU, organization or root)."""
    return isinstance(value, str) and value.startswith(PREFIX) and value.endswith(SUFFIX)


def placeholders_in(values):
    """The placeholders among ``values`` (any iterable; None and non-strings are skipped)."""
    return [value for value in values or () if is_placeholder(value)]
