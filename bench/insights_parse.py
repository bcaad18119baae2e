#!/usr/bin/env python3
"""insights-core's parsers on the same files, parsing alone: each file is
parsed repeatedly for at least 0.2 s; one JSON line per file with the mean
in microseconds. A file the parser rejects is reported with "parsed": false.

    python3 bench/insights_parse.py ntpq|df FILE...
"""

import json
import sys
import time

from insights.core.exceptions import ParseException, SkipComponent
from insights.parsers.df import DiskFree_AL, DiskFree_ALP, DiskFree_LI
from insights.parsers.ntp_sources import NtpqPn
from insights.tests import context_wrap


def parser_for(kind, path):
    if kind == "ntpq":
        return NtpqPn
    name = path.rsplit("/", 1)[-1]
    if "-li" in name or "-ali" in name:
        return DiskFree_LI
    if "-alP" in name:
        return DiskFree_ALP
    return DiskFree_AL


def main():
    kind, files = sys.argv[1], sys.argv[2:]
    for path in files:
        text = open(path, encoding="utf-8", errors="replace").read()
        parser = parser_for(kind, path)
        try:
            parser(context_wrap(text))
            parsed = True
        except (ParseException, SkipComponent, ValueError, IndexError, KeyError):
            parsed = False
        runs, start = 0, time.perf_counter()
        while time.perf_counter() - start < 0.2:
            try:
                parser(context_wrap(text))
            except Exception:
                pass
            runs += 1
        us = (time.perf_counter() - start) * 1e6 / runs
        print(json.dumps({"file": path, "parsed": parsed, "us": round(us, 3)}))


if __name__ == "__main__":
    main()
