"""Chart geometry (ppsportal/charts.py): scale, empty data, one point, long labels."""

from datetime import date

from django.template.loader import render_to_string
from django.utils import translation

from ppsportal import charts

ONE = (charts.Series("primary", "Minutes"),)
TWO = (charts.Series("targets", "Soft targets"), charts.Series("gaps", "Gaps"))


def test_nice_max_rounds_up_to_one_two_two_and_a_half_or_five():
    assert charts.nice_max(0) == 1
    assert charts.nice_max(0.3) == 0.5
    assert charts.nice_max(7) == 10
    assert charts.nice_max(10) == 10
    assert charts.nice_max(11) == 20
    assert charts.nice_max(23) == 25
    assert charts.nice_max(420) == 500


def test_bars_scale_to_the_largest_value_and_keep_their_ratio():
    chart = charts.bar_chart(
        [charts.BarRow("A", (5,), ("5",)), charts.BarRow("B", (10,), ("10",))], ONE
    )
    a, b = (group.bars[0] for group in chart.groups)
    span = chart.plot_right - chart.plot_left
    assert b.width == round(span, 1)  # 10 is the scale's maximum
    assert a.width == round(span / 2, 1)
    assert [t.text for t in chart.ticks] == ["0", "2.5", "5", "7.5", "10"]
    assert b.text == "10" and b.text_x > b.x + b.width


def test_bars_without_data_are_empty():
    chart = charts.bar_chart([], ONE)
    assert chart.empty and chart.groups == []


def test_a_missing_value_draws_no_bar_and_a_small_one_stays_visible():
    chart = charts.bar_chart(
        [
            charts.BarRow("waiting", (None,), ("not yet",)),
            charts.BarRow("tiny", (0.01,), ("0",)),
            charts.BarRow("big", (1000,), ("1000",)),
        ],
        ONE,
    )
    waiting, tiny, _big = (group.bars[0] for group in chart.groups)
    assert waiting.width == 0 and waiting.text == "not yet"
    assert tiny.width >= 1.5


def test_a_reference_line_widens_the_scale_to_include_it():
    chart = charts.bar_chart([charts.BarRow("A", (10,), ("10",))], ONE, reference=30)
    assert chart.reference.x == chart.plot_right * 0 + round(
        chart.plot_left + (chart.plot_right - chart.plot_left) * 30 / 50, 1
    )
    assert chart.groups[0].bars[0].width < chart.reference.x


def test_two_series_give_two_bars_per_row_below_its_label():
    chart = charts.bar_chart([charts.BarRow("Amsterdam · Standard", (3, 2), ("3", "2"))], TWO)
    group = chart.groups[0]
    targets, gaps = group.bars
    assert group.label_y < targets.y < gaps.y
    assert gaps.width == round(targets.width * 2 / 3, 1)


def test_a_long_label_is_shortened_for_the_picture_and_kept_whole_for_title_and_table():
    name = "Veiligheidsregio Gelderland-Zuid · Enhanced tier (800 and more) " * 3
    chart = charts.bar_chart([charts.BarRow(name, (1,), ("1",))], ONE)
    group = chart.groups[0]
    assert group.label == name
    assert group.short_label.endswith("…")
    assert len(group.short_label) * charts.CHAR_WIDTH <= chart.width


def test_stacked_columns_stack_in_series_order_and_share_one_scale():
    series = (charts.Series("healthy", "H"), charts.Series("at_risk", "R"))
    chart = charts.stacked_columns(["d1", "d2"], [[2, 2], [4, 0]], series)
    first, second = chart.columns
    healthy, risk = first.segments
    assert risk.y + risk.height == healthy.y  # at risk sits on top of healthy
    assert healthy.height == risk.height
    # both columns reach 4 of a scale of 5: same total height
    assert round(healthy.height + risk.height, 0) == round(second.segments[0].height, 0)
    assert chart.y_ticks[0].text == "0"


def test_stacked_columns_without_days_are_empty_and_one_day_is_one_column():
    series = (charts.Series("healthy", "H"),)
    assert charts.stacked_columns([], [], series).empty
    chart = charts.stacked_columns(["today"], [[3]], series)
    assert len(chart.columns) == 1
    assert [t.text for t in chart.x_ticks] == ["today"]


def test_level_steps_put_each_day_on_its_level_and_gaps_break_the_line():
    chart = charts.level_steps(
        ["d1", "d2", "d3", "d4"], [0, 2, None, 1], ["Healthy", "Attention", "At risk"]
    )
    ys = [level.x for level in chart.levels]
    assert ys == sorted(ys)  # drawn top to bottom in the given order
    assert [p.y for p in chart.points] == [ys[0], ys[2], ys[1]]
    assert chart.path.count("M") == 2  # the missing day lifts the pen
    assert chart.points[0].label == "d1: Healthy"


def test_level_steps_with_one_day_draw_one_point_and_without_days_nothing():
    one = charts.level_steps(["today"], [1], ["a", "b"])
    assert len(one.points) == 1 and one.path.startswith("M")
    assert charts.level_steps([], [], ["a", "b"]).empty


def test_runs_join_equal_consecutive_days_and_skip_missing_ones():
    days = [date(2026, 12, d) for d in range(1, 7)]
    values = ["ok", "ok", None, "ok", "bad", "bad"]
    assert charts.runs(days, values) == [
        (days[0], days[1], "ok"),
        (days[3], days[3], "ok"),
        (days[4], days[5], "bad"),
    ]


def test_day_texts_follow_the_readers_language():
    day = date(2026, 12, 3)
    with translation.override("nl"):
        assert charts.day_texts([day]) == (["3 december 2026"], ["3 dec"])
    with translation.override("en-gb"):
        assert charts.day_texts([day]) == (["3 Dec 2026"], ["3 Dec"])


def test_the_svg_is_an_image_with_a_name_and_its_numbers_as_a_table_in_dutch_too():
    chart = charts.bar_chart(
        [
            charts.BarRow("Politie", (12.5,), ("12 minuten",)),
            charts.BarRow("Gemeente", (1234,), ("1.234",)),
        ],
        ONE,
    )
    with translation.override("nl"):
        html = render_to_string(
            "ppsportal/charts/bars.html",
            {"chart": chart, "chart_id": "c", "title": "T", "desc": "D", "label_heading": "Org"},
        )
    assert 'role="img"' in html and 'aria-labelledby="c-title c-desc"' in html
    assert '<title id="c-title">T</title>' in html and '<desc id="c-desc">D</desc>' in html
    assert "<table>" in html and '<th scope="row">Gemeente</th>' in html and ">1.234<" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "," not in svg.replace(", ", "")  # coordinates are never written the Dutch way
    assert "style=" not in html


def test_stacked_columns_show_each_day_and_series_value_in_the_table():
    series = (charts.Series("healthy", "Gezond"), charts.Series("at_risk", "Risico"))
    chart = charts.stacked_columns(["1 dec", "2 dec"], [[2, 1], [4, 0]], series)
    assert chart.table_rows == [("1 dec", [2, 1]), ("2 dec", [4, 0])]
    html = render_to_string(
        "ppsportal/charts/columns.html",
        {"chart": chart, "chart_id": "c", "title": "T", "desc": "D", "label_heading": "Dag"},
    )
    table = html[html.index("<table>") : html.index("</table>")]
    assert '<th scope="col">Dag</th>' in table
    assert '<th scope="col" class="num">Risico</th>' in table
    assert '<th scope="row">2 dec</th><td class="num">4</td><td class="num">0</td>' in table
