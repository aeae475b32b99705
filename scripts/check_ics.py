#!/usr/bin/python3
"""Reads an iCalendar document on stdin with Python's icalendar parser (Debian's
python3-icalendar) and prints what a calendar app would see, as JSON. Exits non-zero if the
document does not parse. Used by the calendar feed's integration test."""

import json
import sys

from icalendar import Calendar

raw = sys.stdin.buffer.read()
calendar = Calendar.from_ical(raw)
if calendar.name != "VCALENDAR":
    sys.exit("not a VCALENDAR")
events = []
for event in calendar.walk("VEVENT"):
    start = event.decoded("DTSTART")
    events.append({
        "uid": str(event["UID"]),
        "summary": str(event["SUMMARY"]),
        "description": str(event["DESCRIPTION"]),
        "start": start.isoformat(),
        "utc": start.utcoffset() is not None and start.utcoffset().total_seconds() == 0,
        "alarms": len(event.walk("VALARM")),
    })
print(json.dumps({"version": str(calendar["VERSION"]), "name": str(calendar.get("X-WR-CALNAME", "")), "events": events}))
