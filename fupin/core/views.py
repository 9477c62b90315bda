from django.shortcuts import redirect

from fupin.accounts.models import Role


def home(request):
    """Each role lands where its daily work is: departments on their data sets, everyone else on the overview."""
    if request.user.role == Role.DEPARTMENT:
        return redirect("comparison:index")
    return redirect("registry:dashboard")
