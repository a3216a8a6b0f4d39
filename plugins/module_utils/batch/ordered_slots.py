# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""A few slots the items of a batch take in their turn, not in the order their threads get there.

A batch (account_batch.py) converges its items on a thread pool in an order
it chose (org_account's follow-up: lower waves first).  Where the items then
queue for something scarce, such as the organization's five creation slots,
a plain semaphore serves whichever thread arrives first: on a busy machine
the first wave's account can end up in the second round of creations, and
every later wave waits a whole creation longer for it.

``OrderedSlots`` hands its slots out by turn: the item of turn ``k`` takes a
slot only once every earlier turn has taken one or said it needs none
(``pass_turn``).  Every item must do one or the other (the batch passes the
turn when an item's converge ends, whatever happened), and the pool starts
items in turn order, so an earlier turn is always running or done: no item
waits for one that never comes.  ``turn=None`` (a module run of one item)
takes any free slot.
"""

import threading
from contextlib import contextmanager


class OrderedSlots:
    """``capacity`` slots, taken in turn order."""

    def __init__(self, capacity):
        self._free = capacity
        self._passed = set()
        self._next_turn = 0  # the first turn that has neither taken a slot nor passed
        self._condition = threading.Condition()

    @contextmanager
    def slot(self, turn=None):
        """Hold a slot: once one is free and every turn before ``turn`` has taken one or passed."""
        with self._condition:
            self._condition.wait_for(lambda: self._free > 0 and (turn is None or self._next_turn >= turn))
            self._free -= 1
            self._pass(turn)
        try:
            yield
        finally:
            with self._condition:
                self._free += 1
                self._condition.notify_all()

    def pass_turn(self, turn):
        """``turn`` needs no slot (or no longer waits for one): later turns need not wait for it."""
        with self._condition:
            self._pass(turn)

    def _pass(self, turn):
        if turn is None or turn < self._next_turn or turn in self._passed:
            return
        self._passed.add(turn)
        while self._next_turn in self._passed:
            self._passed.remove(self._next_turn)
            self._next_turn += 1
        self._condition.notify_all()
