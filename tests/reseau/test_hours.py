import pytest

from reseau import hours


@pytest.mark.parametrize(
    "value,expected",
    [
        ("Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00", 5 * 7 + 3),
        ("Tu-Sa 10:00-18:00", 5 * 8),
        ("Mo,We 14:00-16:30", 5),
        ("Mo-Fr 09:00-17:00; We off", 4 * 8),
        ("Mo-Fr 09:00-12:00; Fr 14:00-16:00", 4 * 3 + 2),  # a later rule replaces Friday
    ],
)
def test_it_counts_weekly_hours_of_the_simple_forms(value, expected):
    assert hours.weekly_hours(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    "value", ["", "24/7", "Mo-Fr 09:00-12:00; PH off", "Mo-Fr 18:00-09:00", "sunrise-sunset"]
)
def test_it_gives_no_figure_for_what_it_cannot_read(value):
    assert hours.weekly_hours(value) is None


def test_it_describes_hours_in_french():
    assert hours.describe("Mo-Tu 09:00-12:00,14:00-17:30") == [
        ("lundi", "9 h – 12 h, 14 h – 17 h 30"),
        ("mardi", "9 h – 12 h, 14 h – 17 h 30"),
    ]
