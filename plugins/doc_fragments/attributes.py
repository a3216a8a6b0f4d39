# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)


class ModuleDocFragment:
    # Every module of the collection: check mode predicts, diff shows before/after.
    DOCUMENTATION = r"""
options: {}
attributes:
  check_mode:
    description: Can run in check_mode and return changed status prediction without modifying the target.
    support: full
  diff_mode:
    description: Will return details on what has changed (or possibly needs changing in check_mode), when in diff mode.
    support: full
  platform:
    description: Target OS/families that can be operated against.
    support: N/A
    platforms: aws
"""

    # The controller-side actions (validate_inventory, controller_files): no module is shipped.
    CONTROLLER = r"""
options: {}
attributes:
  platform:
    support: full
    platforms: controller
    description: Runs on the controller, in the Ansible process; no module is shipped and no AWS call is made.
"""
