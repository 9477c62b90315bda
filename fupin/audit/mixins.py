"""What the audit writer (``audit.services``) reads from a logged model, declared once (docs/audit-log.md)."""

from types import SimpleNamespace

from django.db import models


class AuditedModel(models.Model):
    """A model whose writes go to the audit trail, in the role of NetBox's ``ChangeLoggingMixin``.

    ``audit_region_field`` names the field holding the region code an entry is filed under (and scoped by), and
    ``audit_parent_field`` the foreign key to the record whose history also shows the entry (a member's or a
    check's changes appear in their household's file). Either may be a path through foreign keys
    (``"procedure.village"``). No fields: inheriting it changes no table.
    """

    audit_region_field = "region"
    audit_parent_field = None
    # Fields the trail masks (ID and bank numbers, first 6 and last 4 kept) or hides (health), as snapshot reads them.
    masked_fields: tuple[str, ...] = ()
    hidden_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def _audit_field(self, path: str):
        """The object holding the last field of ``path`` and that field."""
        *links, name = path.split(".")
        holder = self
        for link in links:
            holder = getattr(holder, link)
        return holder, holder._meta.get_field(name)

    @property
    def audit_region_code(self) -> str:
        holder, field = self._audit_field(self.audit_region_field)
        return getattr(holder, field.attname) or ""

    @property
    def audit_parent(self):
        """The parent's model and key only, as a stand-in: neither fetched nor instantiated, so logging tens of
        thousands of rows in a run costs no query per row."""
        if self.audit_parent_field is None:
            return None
        holder, field = self._audit_field(self.audit_parent_field)
        key = getattr(holder, field.attname)
        return None if key is None else SimpleNamespace(_meta=field.related_model._meta, pk=key)
