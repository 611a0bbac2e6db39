"""Service-day activity: which service_id runs on which date, from calendar.txt and calendar_dates.txt."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def service_activity(calendar: pd.DataFrame, calendar_dates: pd.DataFrame,
                     service_ids: list[str]) -> tuple[dt.date, np.ndarray]:
    """Return (first day, bool matrix [n_services, n_days]) covering every date of the feed.

    One day is added before and after the feed so that yesterday's and tomorrow's service of
    any queried date can be looked up without bounds checks in the common case.
    """
    idx = {s: i for i, s in enumerate(service_ids)}
    dates: list[pd.Timestamp] = []
    cal = calendar.dropna(subset=["start_date", "end_date"]) if len(calendar) else calendar
    if len(cal):
        dates += [cal["start_date"].min(), cal["end_date"].max()]
    cd = calendar_dates.dropna(subset=["date"]) if len(calendar_dates) else calendar_dates
    if len(cd):
        dates += [cd["date"].min(), cd["date"].max()]
    if not dates:
        return dt.date(2000, 1, 1), np.zeros((len(service_ids), 1), bool)
    first = (min(dates) - pd.Timedelta(days=1)).date()
    last = (max(dates) + pd.Timedelta(days=1)).date()
    n_days = (last - first).days + 1
    active = np.zeros((len(service_ids), n_days), bool)
    weekday_of_day = (np.arange(n_days) + first.weekday()) % 7
    for row in cal.itertuples(index=False):
        i = idx.get(row.service_id)
        if i is None:
            continue
        runs = np.array([int(getattr(row, w)) == 1 if getattr(row, w) == getattr(row, w) else False for w in WEEKDAYS])
        a = (row.start_date.date() - first).days
        b = (row.end_date.date() - first).days
        days = np.arange(max(a, 0), min(b, n_days - 1) + 1)
        active[i, days] = runs[weekday_of_day[days]]
    for row in cd.itertuples(index=False):
        i = idx.get(row.service_id)
        if i is None or row.exception_type != row.exception_type:
            continue
        d = (row.date.date() - first).days
        active[i, d] = int(row.exception_type) == 1
    return first, active
