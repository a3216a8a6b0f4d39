# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Offline stand-in for the get-pip script that ansible-test downloads.

ansible-test creates one virtualenv per sanity test without pip, then runs
``~/.ansible/test/cache/get_pip_<version>.py`` (fetched from a host this
project's machines cannot reach) with pip-install arguments such as
``pip==24.2 --no-setuptools --no-wheel``.  ``scripts/sanity.sh`` copies this
file to that path, puts the pip wheel in ``pip-wheels/`` beside it and the
machine's effective pip settings in ``pip-venv.conf`` beside it.

Run as that script, it installs pip from the wheel without touching the
network, then writes the pip settings into the new virtualenv
(``<venv>/pip.conf``, pip's "site" configuration): ansible-test runs the
later ``pip install`` of the test's requirements with a filtered environment
that drops ``PIP_*`` and certificate variables, so without this file pip in
the virtualenv could miss the package index, its certificate or a proxy.
"""

import glob
import os
import shutil
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
WHEEL_DIR = os.path.join(HERE, 'pip-wheels')
PIP_SETTINGS = os.path.join(HERE, 'pip-venv.conf')

# get-pip options that only mean "do not install these too"; pip install
# itself does not know them.
GET_PIP_ONLY_OPTIONS = ('--no-setuptools', '--no-wheel')


def requested_pip_wheel(args):
    """Return the wheel of the pip version named in the arguments (pip==X)."""
    versions = [arg.split('==', 1)[1] for arg in args if arg.startswith('pip==')]
    pattern = 'pip-%s-*.whl' % versions[0] if versions else 'pip-*.whl'
    wheels = sorted(glob.glob(os.path.join(WHEEL_DIR, pattern)))
    if not wheels:
        sys.exit('bootstrap_pip: no wheel matching %s in %s (scripts/sanity.sh puts it there)' % (pattern, WHEEL_DIR))
    return wheels[-1]


def install_pip(args):
    """Install pip into the running interpreter's environment from the wheel."""
    wheel = requested_pip_wheel(args)
    # A pip wheel is importable as it is: run pip from the wheel to install itself.
    sys.path.insert(0, wheel)
    from pip._internal.cli.main import main as pip_main  # pylint: disable=import-outside-toplevel

    pip_args = [arg for arg in args if arg not in GET_PIP_ONLY_OPTIONS]
    return pip_main(['install', '--no-index', '--find-links', WHEEL_DIR] + pip_args)


def copy_pip_settings():
    """Give the virtualenv the pip settings of the machine that runs the tests."""
    if os.path.isfile(PIP_SETTINGS):
        shutil.copyfile(PIP_SETTINGS, os.path.join(sys.prefix, 'pip.conf'))


def main():
    """Entry point, called the way ansible-test calls get-pip."""
    status = install_pip(sys.argv[1:])
    if status == 0:
        copy_pip_settings()
    sys.exit(status)


if __name__ == '__main__':
    main()
