from django import template

from .. import access, rules

register = template.Library()


@register.simple_tag
def household_suspects(household, user):
    """The suspects of one household that the user may see, newest first, with their rule names."""
    suspects = list(access.suspects_visible_to(user).filter(household=household).order_by("-created")[:50])
    names = rules.names()
    for suspect in suspects:
        suspect.rule_name = names.get(suspect.rule, suspect.rule)
    return suspects
