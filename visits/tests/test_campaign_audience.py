"""Visit campaigns for residence areas: whom they cover, and who sees them (visits.selectors)."""

from django.urls import reverse

from conftest import make_retiree
from core.addressing import Audience
from visits import selectors, services
from visits.models import VisitCampaign


def _open(office, audience, today):
    return services.visit_campaign_create(
        user=office,
        title="重阳慰问",
        kind="double_ninth",
        target="all",
        starts_on=today,
        ends_on=today,
        audience=audience,
    )


def test_a_campaign_for_the_north_area_covers_its_residents_of_every_branch(office, branch_a, branch_b, today):
    make_retiree(branch_a, "甲北", residence_area="north")
    make_retiree(branch_a, "甲东", residence_area="east")
    make_retiree(branch_b, "乙北", residence_area="north")
    campaign = _open(office, Audience.chosen(areas=["north"]), today)
    names = sorted(r.name for r in selectors.campaign_targets(user=office, campaign=campaign))
    assert names == ["乙北", "甲北"]
    rows = {row["branch"]: row["total"] for row in selectors.campaign_progress(user=office, campaign=campaign)}
    assert rows == {branch_a: 1, branch_b: 1}


def test_a_campaign_for_a_branch_and_an_area_covers_their_union(office, branch_a, branch_b, today):
    make_retiree(branch_a, "甲外")
    make_retiree(branch_b, "乙东", residence_area="east")
    make_retiree(branch_b, "乙外")
    campaign = _open(office, Audience.chosen(branches=[branch_a], areas=["east"]), today)
    assert sorted(r.name for r in selectors.campaign_targets(user=office, campaign=campaign)) == ["乙东", "甲外"]


def test_a_secretary_sees_an_area_campaign_with_their_own_residents_only(
    login, office, secretary_a, secretary_b, branch_a, branch_b, today
):
    make_retiree(branch_a, "甲东", residence_area="east")
    make_retiree(branch_b, "乙外")
    campaign = _open(office, Audience.chosen(areas=["east"]), today)
    html = login(secretary_a).get(campaign.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "甲东" in html and "发送对象: 东家属区" in html
    assert login(secretary_b).get(campaign.get_absolute_url()).status_code == 404  # no East resident in B


def test_the_campaign_form_opens_a_campaign_for_an_area(login, office, branch_a, today):
    make_retiree(branch_a, "甲东", residence_area="east")
    response = login(office).post(
        reverse("visits:campaign_create"),
        {
            "title": "春节慰问",
            "kind": "spring_festival",
            "target": "all",
            "starts_on": today,
            "ends_on": today,
            "areas": ["east"],
        },
    )
    assert response.status_code == 302
    campaign = VisitCampaign.objects.get()
    assert list(campaign.areas.values_list("code", flat=True)) == ["east"] and not campaign.all_branches
