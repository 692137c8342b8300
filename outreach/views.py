from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.access import office_required
from checkins import views as checkins_views

from . import setup


@login_required
def home(request):
    """The starting page: office staff see the coverage dashboard (the first-run checklist while
    the installation has no branch or no retiree), branch workers their call list."""
    if request.user.sees_all_branches:
        if setup.is_empty_installation():
            return first_run(request)
        return checkins_views.dashboard(request)
    return checkins_views.call_list(request)


@office_required
def first_run(request):
    """The steps to get going, with what is done and what is not."""
    steps = setup.first_run_steps(user=request.user)
    done = sum(1 for step in steps if step.done)
    return render(
        request,
        "setup.html",
        {"steps": steps, "done": done, "total": len(steps), "all_done": done == len(steps)},
    )
