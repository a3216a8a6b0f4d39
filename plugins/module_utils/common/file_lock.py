# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An exclusive advisory lock on a local file, for read-modify-write cycles.

Many hosts of a play often delegate the same file edit to localhost at once;
each module process takes ``flock`` on ``<dir>/.<name>.lock`` (a separate
file, because the target itself is replaced by rename and a lock on the old
inode would protect nothing), re-reads the target inside the lock and writes
it before letting go.
"""

import contextlib
import errno
import fcntl
import os
import time


class FileLockTimeout(Exception):
    pass


def lock_path_for(path):
    directory, name = os.path.split(path)
    return os.path.join(directory, f".{name}.lock")


@contextlib.contextmanager
def file_lock(path, timeout=120.0, poll=0.05, clock=time.monotonic, sleep=time.sleep):
    """Hold an exclusive lock for ``path`` (its directory must exist)."""
    lock_path = lock_path_for(path)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = clock() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as e:
                if e.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                if clock() >= deadline:
                    raise FileLockTimeout(
                        f"{lock_path} stayed locked by another writer for {timeout:.0f} seconds"
                    ) from e
                sleep(poll)
        yield lock_path
    finally:
        # Closing the descriptor releases the flock.  The lock file stays: removing
        # it would let a waiter lock an unlinked inode while a newcomer locks a new one.
        os.close(fd)
