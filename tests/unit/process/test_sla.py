"""Working-time arithmetic for SLAs: weekends, holidays and office hours are skipped; PAHT's 10/70/20 %
split; deadline buckets as an inbox shows them."""
from __future__ import annotations

from datetime import date, datetime

import pytest

from services.process.domain.sla import VIETNAM, WorkingCalendar, deadline_bucket, holidays_from, step_hours

CALENDAR = WorkingCalendar(holidays=frozenset({date(2026, 2, 17)}))


def at(day: int, hour: int, minute: int = 0, month: int = 2) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=VIETNAM)


@pytest.mark.parametrize("start, hours, due", [
    (at(16, 9), 2, at(16, 11)),                 # Monday morning, within the day
    (at(16, 16), 2, at(18, 8, 30)),             # over the evening and the holiday (Tuesday 17 Feb, Tết)
    (at(20, 16), 3, at(23, 9, 30)),             # Friday afternoon → Monday
    (at(21, 10), 1, at(23, 8, 30)),             # started on a Saturday
    (at(16, 6), 1, at(16, 8, 30)),              # before the office opens
    (at(29, 16, month=4), 2, at(4, 8, 30, month=5)),  # 30 April and 1 May are holidays every year
])
def test_due_times_skip_time_nobody_works(start, hours, due):
    assert CALENDAR.add(start, hours) == due


def test_a_field_report_splits_its_total_time_10_70_20():
    steps = [{"time_share_percent": 10}, {"time_share_percent": 70}, {"time_share_percent": 20}]
    assert step_hours(5, steps, CALENDAR.hours_per_day) == [4.75, 33.25, 9.5]
    assert step_hours(5, [{"fixed_hours": 4}, {"time_share_percent": 50}], 9.5) == [4, 23.75]


def test_deadline_buckets():
    now = at(16, 9)
    assert deadline_bucket(at(16, 8), now, CALENDAR) == "overdue"
    assert deadline_bucket(at(16, 16), now, CALENDAR) == "due_today"
    assert deadline_bucket(at(18, 9), now, CALENDAR) == "due_soon"
    assert deadline_bucket(at(27, 9), now, CALENDAR) == "in_time"
    assert deadline_bucket(None, now, CALENDAR) == "in_time"


def test_holiday_settings_are_read_or_refused_with_the_bad_entry():
    assert holidays_from("2026-02-16, 2026-02-17") == {date(2026, 2, 16), date(2026, 2, 17)}
    with pytest.raises(ValueError, match="16/02/2026"):
        holidays_from("2026-02-16,16/02/2026")
