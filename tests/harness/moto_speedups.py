"""Two of moto 5.2's per-request costs that grow with the organization, taken out of the server process.

Neither changes an answer moto gives; both only change how long it takes.

* Who calls: moto finds the account of a request's access key by walking
  every account's IAM backend, and in each every partition (aws, aws-cn,
  aws-us-gov, the iso ones: ``moto.iam.models.get_account_id_from``).  Asking
  an account for a partition *creates* that backend, so the first request
  signed with a key moto does not hold (the management account's static test
  key, on every one of its calls) builds seven IAM backends per account,
  each with AWS's ~1,000 managed policies when those are loaded (the
  benchmark's moto held 4.4 GB at 101 accounts, 1.6 GB without it), and
  every request costs O(accounts x partitions).  AWS answers in constant
  time.  Here the walk looks only at the backends
  that exist (a key cannot be in one that does not), and a key found once
  is remembered (checked again on use: a reset or a deleted key falls back
  to the walk).
* Which service: for every request, moto lists its own package directory
  and stats each entry (``moto.backends.list_of_moto_modules``), under the
  server's one dispatch lock.  The directory does not change while it runs.

``install()`` is called once in the server process, before it serves:
tests/harness/motoserver.py and bench/moto_server.py.
"""

import threading


def install():
    # pylint: disable=import-outside-toplevel
    from moto import backends
    from moto.iam import models as iam_models

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    iam_models.get_account_id_from = _account_of_key(iam_models.iam_backends, iam_models.DEFAULT_ACCOUNT_ID)


def _account_of_key(iam_backends, default_account_id):
    known = {}  # access key id: (account id, partition) where it was found
    lock = threading.Lock()

    def holds(account_id, partition, access_key):
        # dict's own methods: moto's would create a missing account or partition backend.
        account = dict.get(iam_backends, account_id)
        if account is None or partition not in dict.keys(account):
            return False
        return access_key in dict.__getitem__(account, partition).access_keys

    def get_account_id_from(access_key):
        with lock:
            place = known.get(access_key)
        if place is not None and holds(*place, access_key):
            return place[0]
        for account_id, account in list(dict.items(iam_backends)):
            for partition, backend in list(dict.items(account)):
                if access_key in backend.access_keys:
                    with lock:
                        known[access_key] = (account_id, partition)
                    return account_id
        return default_account_id

    return get_account_id_from
