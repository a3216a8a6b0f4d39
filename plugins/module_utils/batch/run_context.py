# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The run context: what the items converged by one module run share.

A module run converges one item (the task's own options) or, with
``accounts``, many (account_batch.py, on a thread pool).  Converge code that
reads something every item needs (the organization's root, OU tree and
account list) asks the context for it instead of guessing from the module
object whether it is part of a batch: ``once(name, build)`` builds a value
once per run and hands the same one to every item.

The context also answers what only matters when several items run together:
``batch`` (are there other items?), ``first_claim`` (which item named a key
first: two entries must not create one account twice) and ``items`` (every
item that enrolled, for checks across the whole batch before any write).

Everything here is safe to call from the batch's worker threads.
"""

import threading


class RunContext:
    """What one module run's items share; ``RunContext()`` for a run of one item, ``RunContext(batch=True)`` for many."""

    def __init__(self, batch=False):
        self.batch = batch
        # Re-entrant: a value built by ``once`` may itself ask for another one.
        self._lock = threading.RLock()
        self._values = {}
        self._claims = {}
        self._items = {}

    def once(self, name, build):
        """``build()`` the first time ``name`` is asked for; the same value afterwards.

        Built under the context's lock, so two worker threads never read the
        same thing from AWS twice.
        """
        with self._lock:
            if name not in self._values:
                self._values[name] = build()
            return self._values[name]

    def first_claim(self, kind, key, item):
        """The item that claimed ``key`` of ``kind`` first: ``item`` itself, unless another one did before."""
        with self._lock:
            return self._claims.setdefault(kind, {}).setdefault(key, item)

    def enrol(self, item):
        """Count ``item`` among the run's items (once, however often it enrols)."""
        with self._lock:
            self._items[id(item)] = item

    def items(self):
        """Every enrolled item, in the order they enrolled."""
        with self._lock:
            return list(self._items.values())
