"""{% cards %}: a table's header labels copied onto its cells, for the phone's card layout."""

import pytest
from django.template import Context, Template, TemplateSyntaxError

TABLE = """{% load cards %}{% cards lead="2 3" tail="1" sticky=2 %}<table class="table">
  <thead><tr><th>No.</th><th>Name</th><th class="text-end">Tom &amp; "Jerry"<br>count</th><th></th></tr></thead>
  <tbody>
  {% for row in rows %}<tr>
    <td>{{ forloop.counter }}</td><td class="x">{{ row.0 }}</td><td>{{ row.1 }}</td><td>  </td></tr>
  {% empty %}<tr><td colspan="4">Nothing</td></tr>{% endfor %}
  </tbody>
  <tfoot><tr><th>Total</th><td data-label="Own">2</td><td>9</td><td></td></tr></tfoot>
</table>{% endcards %}"""


def render(rows):
    return Template(TABLE).render(Context({"rows": rows}))


def test_each_cell_gets_its_columns_header_as_label_and_the_lead_columns_are_marked():
    html = render([["张三", 3], ["李四", 6]])
    assert '<table class="table table-cards table-sticky-2">' in html
    assert '<td class="card-tail" data-label="No.">1</td>' in html
    assert '<td class="x card-title" data-label="Name">张三</td>' in html
    # The label is the header's text: tags and line breaks read as a space, quotes escaped.
    assert '<td class="card-lead" data-label="Tom &amp; &quot;Jerry&quot; count">3</td>' in html
    # A column without a header has no label; an empty cell is marked so the card leaves it out.
    assert '<td class="card-empty">  </td>' in html
    # The header is left as it was.
    assert '<th class="text-end">Tom &amp; "Jerry"<br>count</th>' in html


def test_a_cell_with_words_keeps_room_for_them_and_a_date_does_not_need_it():
    html = render([["张三", "街道社区卫生服务中心"], ["李四", "2026-11-29"]])
    label = 'data-label="Tom &amp; &quot;Jerry&quot; count"'
    assert f'<td class="cell-words card-lead" {label}>街道社区卫生服务中心</td>' in html
    assert f'<td class="card-lead" {label}>2026-11-29</td>' in html


def test_a_spanning_cell_and_a_cell_with_its_own_label_are_left_alone():
    assert '<td colspan="4">Nothing</td>' in render([])
    html = render([["张三", 3]])
    assert '<th class="card-tail" data-label="No.">Total</th>' in html  # a row header is a cell too
    assert '<td data-label="Own" class="card-title">2</td>' in html


def test_an_unknown_option_is_refused():
    with pytest.raises(TemplateSyntaxError):
        Template('{% load cards %}{% cards first="1" %}<table></table>{% endcards %}')
