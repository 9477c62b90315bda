"""Account exports: the user list and the login log, with the filters of their pages."""

from fupin.jobs import exports

from . import jobs

user_export = exports.view(jobs.user_export)
login_log_export = exports.view(jobs.login_log_export)
