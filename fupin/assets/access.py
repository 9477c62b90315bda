"""Who may use the 扶贫项目资产 pages and API: the money apps' rule (projects/access.py)."""

from fupin.projects.access import money_work

assets_work = money_work
