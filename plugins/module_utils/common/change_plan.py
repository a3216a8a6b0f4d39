# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The plan of a converge: the writes to run, in order, each with the sentence that reports it.

A resource reads everything first and adds one action per write it needs;
check mode stops there and reports ``changes``, a real run calls
``apply()``.  A second run that finds nothing to do has an empty plan, so
``changed=bool(plan.actions)`` is false and nothing is written.
"""


class Plan:
    """Actions to run in order, each with the sentence results report it by."""

    def __init__(self):
        self.actions = []

    def add(self, description, action):
        self.actions.append((description, action))

    @property
    def changes(self):
        return [action[0] for action in self.actions]

    def apply(self):
        for _description, action in self.actions:
            action()
