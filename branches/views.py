from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from outreach.pagination import paginate
from retirees.selectors import retiree_list

from . import selectors


@login_required
def branch_list(request):
    branches = selectors.branch_list(user=request.user)
    return render(request, "branches/list.html", {"branches": branches})


@login_required
def branch_detail(request, pk):
    branch = selectors.branch_get(user=request.user, pk=pk)
    retirees = retiree_list(user=request.user).filter(branch=branch).active().order_by("name_pinyin", "id")
    return render(request, "branches/detail.html", {"branch": branch, "page": paginate(request, retirees, 50)})
