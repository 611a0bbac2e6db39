"""GTFS-RT compiled into an immutable overlay over the static timetable arrays (see overlay.py)."""
