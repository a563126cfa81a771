"""Time allowances in working time: a process's total time (working days, per process and unit) split by its
steps' shares, due times that skip weekends, holidays and the hours outside the office day, and the deadline
bucket an inbox shows (overdue / due today / due soon / in time)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.common.models import VIETNAM

# Fixed-date public holidays (Bộ luật Lao động 2019, art. 112); Tết and the Hùng Kings' day follow the lunar
# calendar and are configured per year (PROCESS_HOLIDAYS).
FIXED_HOLIDAYS = ((1, 1), (4, 30), (5, 1), (9, 2))


@dataclass(frozen=True)
class WorkingCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    day_start: time = time(7, 30)
    day_end: time = time(17, 0)
    zone: ZoneInfo = VIETNAM

    @property
    def hours_per_day(self) -> float:
        return (datetime.combine(date.min, self.day_end) - datetime.combine(date.min, self.day_start)).seconds / 3600

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.holidays and (day.month, day.day) not in FIXED_HOLIDAYS

    def add(self, start: datetime, hours: float) -> datetime:
        """The moment ``hours`` of working time after ``start`` (an aware datetime)."""
        moment = start.astimezone(self.zone)
        remaining = timedelta(hours=hours)
        while True:
            day = moment.date()
            opens = datetime.combine(day, self.day_start, self.zone)
            closes = datetime.combine(day, self.day_end, self.zone)
            if not self.is_working_day(day) or moment >= closes:
                moment = datetime.combine(day + timedelta(days=1), self.day_start, self.zone)
                continue
            moment = max(moment, opens)
            if moment + remaining <= closes:
                return moment + remaining
            remaining -= closes - moment
            moment = datetime.combine(day + timedelta(days=1), self.day_start, self.zone)


def step_hours(total_days: float, steps: list[dict], hours_per_day: float) -> list[float]:
    """Each step's allowance in working hours: a fixed duration, or its share of the whole process time."""
    total = total_days * hours_per_day
    return [s["fixed_hours"] if s.get("fixed_hours") else total * (s.get("time_share_percent") or 0) / 100
            for s in steps]


def bucket_bounds(now: datetime, calendar: WorkingCalendar,
                  soon_hours: float | None = None) -> tuple[datetime, datetime]:
    """(the end of today in the calendar's zone, ``soon_hours`` of working time from now — by default one working
    day): the boundaries of the deadline buckets, for Python and for SQL alike."""
    end_of_today = datetime.combine(now.astimezone(calendar.zone).date() + timedelta(days=1), time(0), calendar.zone)
    return end_of_today, calendar.add(now, calendar.hours_per_day if soon_hours is None else soon_hours)


def deadline_bucket(due: datetime | None, now: datetime, calendar: WorkingCalendar,
                    soon_hours: float | None = None) -> str:
    """overdue / due_today / due_soon / in_time (Quá hạn, Đến hạn hôm nay, Sắp đến hạn, Trong hạn)."""
    if due is None:
        return "in_time"
    if due <= now:
        return "overdue"
    end_of_today, soon = bucket_bounds(now, calendar, soon_hours)
    if due < end_of_today:
        return "due_today"
    if due <= soon:
        return "due_soon"
    return "in_time"


def holidays_from(setting: str) -> frozenset[date]:
    """``2026-02-16,2026-02-17,…`` → dates; a clear error names the entry that is not a date."""
    days = set()
    for item in filter(None, (part.strip() for part in setting.split(","))):
        try:
            days.add(date.fromisoformat(item))
        except ValueError as exc:
            raise ValueError(f"PROCESS_HOLIDAYS: “{item}” is not a date (YYYY-MM-DD)") from exc
    return frozenset(days)
