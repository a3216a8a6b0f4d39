# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Local files that may hold something sensitive: written atomically, private by default.

``write_file_atomic`` writes a temporary file in the same directory (so the
final rename never crosses a file system), gives it its mode before any byte
is written, fsyncs it, then renames it over the target: a reader sees the old
content or the new one, never half a file, and a crash leaves no partial
target behind.
"""

import os
import tempfile


def write_file_atomic(path, data: bytes, mode=0o600):
    """Replace ``path`` with ``data``; the file has ``mode`` from its first byte on."""
    path = os.path.abspath(os.path.expanduser(path))
    directory = os.path.dirname(path)
    fd, tmp_path = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory)
    try:
        # fchmod is not subject to the umask, so the mode is exactly ``mode``.
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            fd = None
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if fd is not None:
            os.close(fd)
        if os.path.exists(tmp_path):
            os.unlink(tmp_path)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    # Makes the rename itself durable; some file systems refuse to open a
    # directory for this, which only weakens durability, not atomicity.
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def file_state(path):
    """``(content, mode)`` of the regular file at ``path``, or ``(None, None)`` when there is none."""
    try:
        with open(path, "rb") as handle:
            return handle.read(), os.stat(handle.fileno()).st_mode & 0o7777
    except FileNotFoundError:
        return None, None


def missing_directories(path):
    """The directories that ``path``'s own creation needs, outermost first (``path`` itself included)."""
    missing = []
    path = os.path.abspath(path)
    while not os.path.isdir(path):
        missing.insert(0, path)
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return missing


def make_directory(path, mode):
    """Create ``path`` with exactly ``mode`` (the umask does not apply); its parent must exist."""
    os.mkdir(path, mode)
    os.chmod(path, mode)
