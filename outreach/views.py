from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render

from retirees.choices import Category, ResidenceArea, Status
from retirees.models import Retiree


@login_required
def home(request):
    """The starting page: the user's scope at a glance and a search box."""
    active = Retiree.objects.visible_to(request.user).filter(status=Status.ACTIVE)
    totals = active.aggregate(
        total=Count("id"),
        lixiu=Count("id", filter=Q(category=Category.LIXIU)),
        family_area=Count("id", filter=Q(residence_area__in=[ResidenceArea.EAST, ResidenceArea.NORTH])),
        dependent=Count("id", filter=Q(care_level="dependent")),
    )
    return render(request, "home.html", {"totals": totals})
