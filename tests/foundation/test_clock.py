"""pdgov's one clock: naive Taipei local time, and the Taipei calendar day a run speaks for."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from pdgov import clock


def test_as_of_is_the_taipei_day_whatever_the_form_of_the_logical_date():
    # The nightly run fires at 02:00 Taipei: 18:00 UTC the day before. It speaks for the Taipei day.
    utc_evening = datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    assert clock.as_of(utc_evening) == date(2026, 11, 2)
    assert clock.as_of(utc_evening.astimezone(timezone(timedelta(hours=-5)))) == date(2026, 11, 2)
    assert clock.as_of("2026-11-01T18:00:00+00:00") == date(2026, 11, 2)
    assert clock.as_of(datetime(2026, 11, 1, 15, 59, 59, tzinfo=UTC)) == date(2026, 11, 1)
    # A rendered AS_OF, a date and a naive date-time (taken as Taipei local) stay the day they name.
    assert clock.as_of("2026-11-02") == date(2026, 11, 2)
    assert clock.as_of(date(2026, 11, 2)) == date(2026, 11, 2)
    assert clock.as_of(datetime(2026, 11, 2, 0, 30)) == date(2026, 11, 2)


def test_now_and_local_are_naive_taipei_time():
    now, utc = clock.now(), datetime.now(UTC)
    assert now.tzinfo is None
    assert abs(now - (utc.replace(tzinfo=None) + timedelta(hours=8))) < timedelta(seconds=5)
    assert clock.today() == (utc + timedelta(hours=8)).date()
    assert clock.local(datetime(2026, 11, 1, 18, 0, 5, tzinfo=UTC)) == datetime(2026, 11, 2, 2, 0, 5)
    assert clock.local(datetime(2026, 11, 2, 2, 0)) == datetime(2026, 11, 2, 2, 0)
    assert clock.local(None) is None
