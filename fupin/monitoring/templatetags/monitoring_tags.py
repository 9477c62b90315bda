from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def procedure_label(procedure) -> str:
    """“风险消除程序 #5”: the kind's label from the procedures engine, which knows the monitoring kinds."""
    from fupin.procedures.models import Kind

    return f"{Kind(procedure.kind).label}程序 #{procedure.pk}"
