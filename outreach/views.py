from django.contrib.auth.decorators import login_required

from checkins import views as checkins_views


@login_required
def home(request):
    """The starting page: office staff see the coverage dashboard, branch workers their call list."""
    if request.user.sees_all_branches:
        return checkins_views.dashboard(request)
    return checkins_views.call_list(request)
