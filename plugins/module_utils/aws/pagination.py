# -*- coding: utf-8 -*-
# Copyright: Contributors to the awsorg.landing_zone collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Every page of a List call, read the way amazon.aws reads it.

amazon.aws's ``paginated_query_with_retries`` builds the full result of a
botocore paginator and retries the whole listing when a page fails; it is
given the collection's retry policy, so the wrappers that use it do not
retry again around it.
"""

from ansible_collections.amazon.aws.plugins.module_utils.botocore import paginated_query_with_retries

from ansible_collections.awsorg.landing_zone.plugins.module_utils.aws.retries import landing_zone_retry


def all_pages(client, operation, result_key, **params):
    """The items under ``result_key`` of every page of ``operation`` (a botocore paginator name)."""
    result = paginated_query_with_retries(client, operation, retry_decorator=landing_zone_retry, **params)
    return result.get(result_key, [])
