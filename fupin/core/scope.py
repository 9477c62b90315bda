"""Data scope (数据权限): one queryset layer that every list, page, API call, export and count goes through.

Each scoped model names, in ``scope_field``, the path to a 12-digit region code; a user sees the rows whose code
starts with the prefix of the region the account is bound to.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        prefix = user_scope_prefix(user)
        if prefix is None:
            return self.none()
        if prefix == "":
            return self
        return self.filter(**{f"{self.model.scope_field}__startswith": prefix})


def user_scope_prefix(user) -> str | None:
    """'' means everything; None means nothing (anonymous or unbound accounts)."""
    if user is None or not user.is_authenticated:
        return None
    if user.is_superuser and user.region_id is None:
        return ""
    if user.region_id is None:
        return None
    return user.scope_prefix


def in_scope(user, code: str) -> bool:
    prefix = user_scope_prefix(user)
    return prefix is not None and code.startswith(prefix)
