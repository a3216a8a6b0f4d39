"""file_lock: exclusive between writers, with a timeout that names the lock file."""

import fcntl
import os

import pytest

from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.file_lock import FileLockTimeout
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.file_lock import file_lock
from ansible_collections.awsorg.landing_zone.plugins.module_utils.common.file_lock import lock_path_for


def test_lock_file_sits_beside_the_target(tmp_path):
    target = tmp_path / "config"
    assert lock_path_for(str(target)) == str(tmp_path / ".config.lock")
    with file_lock(str(target)) as lock_path:
        assert os.stat(lock_path).st_mode & 0o777 == 0o600
    assert not target.exists()


def test_a_held_lock_times_out_and_is_free_again_once_released(tmp_path):
    target = str(tmp_path / "credentials")
    with file_lock(target):
        # flock conflicts between two open file descriptions, even in one process.
        other = os.open(lock_path_for(target), os.O_RDWR)
        try:
            with pytest.raises(OSError):
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        finally:
            os.close(other)
        clock = iter(range(100)).__next__
        with pytest.raises(FileLockTimeout, match=r"\.credentials\.lock stayed locked"):
            with file_lock(target, timeout=3, clock=clock, sleep=lambda s: None):
                pass
    with file_lock(target, timeout=0):
        pass
