"""Who may use the 扶贫小额信贷 pages and API: the money apps' rule (projects/access.py)."""

from fupin.projects.access import money_work

credit_work = money_work
