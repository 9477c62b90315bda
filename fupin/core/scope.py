"""Data scope (数据权限): one queryset layer that every list, page, API call, export and count goes through.

Each scoped model names, in ``scope_field``, the path to a 12-digit region code; a user sees the rows whose code
starts with the prefix of the region the account is bound to. Models whose rows some roles must not browse at all
(department accounts see their own data sets, not the registry) list those roles in ``hidden_from_roles``.
"""

from django.db import models
from django.db.models import CharField, Lookup


def code_range(prefix: str) -> tuple[str, str]:
    """Inclusive bounds of the 12-digit region codes under a prefix ('' for all of them). Every test of "the codes
    under a prefix" is this range rather than LIKE, so an ordinary index serves it on every database (SQLite's
    case-insensitive LIKE and PostgreSQL's non-C collations can't use one) and in DuckDB."""
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


@CharField.register_lookup
class InRegion(Lookup):
    """``code__in_region=prefix``: the 12-digit code lies under the prefix (``code_range``)."""

    lookup_name = "in_region"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = str(self.rhs)
        if not prefix:
            return "1 = 1", []
        return f"({lhs} BETWEEN %s AND %s)", [*lhs_params, *code_range(prefix)]


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        prefix = user_scope_prefix(user)
        if prefix is None or getattr(user, "role", None) in getattr(self.model, "hidden_from_roles", ()):
            return self.none()
        return self.in_region(prefix)

    def in_region(self, prefix: str):
        """The rows under a region's code prefix (a filter's 区划; ``''`` keeps every row)."""
        if prefix == "":
            return self
        return self.filter(**{f"{self.model.scope_field}__in_region": prefix})


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
