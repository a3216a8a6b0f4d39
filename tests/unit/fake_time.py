"""A clock for the code that waits (assume_role's polling, a member account's readiness)."""


class FakeTime:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self, now=1000.0):
        self.now = now
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
