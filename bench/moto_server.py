"""moto's server with moto 5.2's ListCreateAccountStatus pagination fixed, for organizations over 123 accounts.

moto answers ListCreateAccountStatus 123 requests a page and hands out
the length of the page (``"123"``) as NextToken instead of the offset of
the next page, so the second page is the first one again and botocore's
paginator stops with "The same next token was received twice".  Any
organization with more than 123 creation requests trips it (AWS pages by
20 and counts on correctly).  The benchmark's 400 accounts do; the tests'
few do not, so only the benchmark starts moto through this file:

    python bench/moto_server.py -H 127.0.0.1 -p PORT     # moto_server's own arguments

``COMMAND`` is that command line for tests/harness/motoserver.py's
``MotoServer(command=...)``.
"""

import sys
from pathlib import Path

COMMAND = (sys.executable, str(Path(__file__).resolve()))


def _fixed(list_create_account_status):
    def fixed(self, **kwargs):
        answer = list_create_account_status(self, **kwargs)
        if answer.get("NextToken"):
            start = int(kwargs.get("NextToken") or 0)
            answer["NextToken"] = str(start + len(answer["CreateAccountStatuses"]))
        return answer

    return fixed


def main():
    # pylint: disable=import-outside-toplevel
    from moto.organizations.models import OrganizationsBackend
    from moto.server import main as moto_main

    # Run as a script: the repository root is not on sys.path.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.harness import moto_speedups

    OrganizationsBackend.list_create_account_status = _fixed(OrganizationsBackend.list_create_account_status)
    moto_speedups.install()
    return moto_main(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
