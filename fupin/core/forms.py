"""Form helpers shared by every app's views."""

from django.core.exceptions import PermissionDenied, ValidationError


def add_errors(form, exc: ValidationError | PermissionDenied) -> None:
    """Show a service's refusal on the form: field errors beside their field, the rest at the top of the form."""
    if isinstance(exc, PermissionDenied) or not hasattr(exc, "error_dict"):
        for message in getattr(exc, "messages", [str(exc)]):
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
