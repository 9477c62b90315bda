"""Who may use the 扶贫资金 pages and API: the money apps' rule (projects/access.py)."""

from fupin.projects.access import money_work

funds_work = money_work
