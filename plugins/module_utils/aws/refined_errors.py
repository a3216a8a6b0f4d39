# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One error code of a wrapper's answer raised as an exception of its own.

A create call whose first answer was lost is repeated by botocore, and AWS
refuses the repeat because the first try made the thing ("already exists",
"duplicate handshake").  The converge code adopts it then; for that it
catches a narrower exception than the service's error, which the wrappers
get from ``refined_error``.
"""

import functools

from ansible_collections.amazon.aws.plugins.module_utils.botocore import is_boto3_error_code


def refined_error(service_error, codes, refined):
    """Decorator: a ``service_error`` raised for one of ``codes`` is raised again as ``refined`` (its subclass)."""
    codes = list(codes)

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except service_error as e:
                if isinstance(e.exception, is_boto3_error_code(codes, e.exception)):
                    raise refined(message=e.message, exception=e.exception) from e
                raise

        return wrapper

    return decorate
