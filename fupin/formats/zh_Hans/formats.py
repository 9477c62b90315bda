# Django's zh-Hans formats leave numbers ungrouped; money and head counts read better as 12,345.
from django.conf.locale.zh_Hans.formats import *  # noqa: F401,F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
