"""core.db's query helpers: the first rows of each group, and several counts in one query."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from branches.models import Branch
from core.db import counts, first_per_group
from retirees.models import Retiree
from tests.factories import make_retiree


def test_first_per_group_gives_each_group_its_first_rows_and_its_size(db):
    one, two = Branch.objects.create(name="一支部"), Branch.objects.create(name="二支部")
    for name in ["丙", "甲", "乙", "丁"]:
        make_retiree(one, name)
    make_retiree(two, "戊")
    with CaptureQueriesContext(connection) as queries:
        rows = list(first_per_group(Retiree.objects.all(), group=["branch_id"], order_by=["name", "id"], limit=2))
    assert len(queries) == 1
    firsts = {}
    for row in rows:
        firsts.setdefault(row.branch_id, []).append((row.name, row.group_place, row.group_size))
    ordered = sorted(["丙", "甲", "乙", "丁"])[:2]
    assert firsts[one.pk] == [(ordered[0], 1, 4), (ordered[1], 2, 4)]
    assert firsts[two.pk] == [("戊", 1, 1)]


def test_counts_counts_each_queryset_in_one_query(db):
    branch = Branch.objects.create(name="一支部")
    make_retiree(branch, "甲")
    make_retiree(branch, "乙", category="lixiu")
    with CaptureQueriesContext(connection) as queries:
        found = counts(
            everyone=Retiree.objects.all(),
            lixiu=Retiree.objects.filter(category="lixiu"),
            nobody=Retiree.objects.none(),  # somebody who sees nothing
        )
    assert found == {"everyone": 2, "lixiu": 1, "nobody": 0}
    assert len(queries) == 1
