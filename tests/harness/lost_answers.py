"""Writes that happen while their answer is lost: the proxy's ``reset_after`` fault, aimed.

``reset_after`` forwards a call (AWS makes what it asks for) and then resets
the connection, so the client never learns it; botocore sends the call again
by itself (its standard retry mode retries a reset connection).  A test
that wants to see what the collection makes of that repeat needs the first
call lost and the repeat answered:

* ``FirstAnswerLost(proxy, "organizations:CreateOrganizationalUnit")``: the
  first such call loses its answer, every later one goes through;
* ``LostAnswers``: on top of a proxy's fault configuration, a share of the
  calls of some actions lose their answer, never twice in a row for one
  action within ``quiet_seconds``, so that botocore's repeat (within about
  3 seconds: its standard mode sleeps up to 1 then 2 seconds) is answered.
"""

import random
import threading
import time

from tests.harness.awsproxy import FaultConfig


class FirstAnswerLost:
    """Context manager: the first call of ``service:action`` is forwarded and its answer lost.

    ``lost`` holds that call's record once it happened.  The proxy goes back
    to no faults at all, and its ``after_forward`` hook to the one it had.
    """

    def __init__(self, proxy, name):
        self.proxy = proxy
        self.name = name
        self.lost = []
        self._previous_hook = None

    def __enter__(self):
        self._previous_hook = self.proxy.after_forward
        self.proxy.configure(fault_rules={self.name: 1}, fault_kinds=["reset_after"])
        self.proxy.after_forward = self._after_forward
        return self

    def _after_forward(self, call, answer):
        if call["injected"] == "reset_after" and not self.lost:
            self.lost.append(call)
            # Before the connection is reset: botocore's repeat finds no faults.
            self.proxy.configure(FaultConfig())
        return self._previous_hook(call, answer)

    def __exit__(self, *exc):
        self.proxy.after_forward = self._previous_hook
        self.proxy.configure(FaultConfig())


class LostAnswers:
    """A fault decider over the proxy's own: some calls of ``actions`` lose their answer.

    The first call of each action loses its answer (so that each is
    exercised), later ones at ``rate``; after a lost answer the action is
    spared for ``quiet_seconds``.  Every other decision (the other calls,
    and the calls of ``actions`` not lost) is the wrapped decider's.
    """

    def __init__(self, decider, actions, rate, seed, quiet_seconds=10.0, clock=time.monotonic):
        self.inner = decider
        self.config = decider.config
        self.actions = set(actions)
        self.rate = rate
        self.quiet_seconds = quiet_seconds
        self.clock = clock
        self.lost = {}  # action -> how many answers were lost
        self._last_lost = {}
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    @classmethod
    def install(cls, proxy, actions, rate, seed, **kwargs):
        """Put it in front of ``proxy``'s current fault decisions (until the next ``proxy.configure``)."""
        # The proxy reads its decider for each call (RecordingProxy._decider).
        proxy._decider = cls(proxy._decider, actions, rate, seed, **kwargs)  # pylint: disable=protected-access
        return proxy._decider  # pylint: disable=protected-access

    def decide(self, service, action):
        name = f"{service}:{action}"
        if name in self.actions and self._lose(name):
            return "reset_after"
        return self.inner.decide(service, action)

    def _lose(self, name):
        now = self.clock()
        with self._lock:
            last = self._last_lost.get(name)
            if last is not None and now - last < self.quiet_seconds:
                return False
            if name in self.lost and self._random.random() >= self.rate:
                return False
            self._last_lost[name] = now
            self.lost[name] = self.lost.get(name, 0) + 1
            return True

    def latency(self):
        return self.inner.latency()
