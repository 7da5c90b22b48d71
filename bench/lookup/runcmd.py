#!/usr/bin/env python3
"""Run one command and record its wall time, CPU time and peak RSS (from
wait4's rusage of the child and its descendants), with the epoch times it
started and ended so that server logs can be cut to the run.

    runcmd.py --result FILE [--stdout FILE] [--stderr FILE] -- CMD ARG...
"""
import argparse
import json
import os
import sys
import time


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--result", required=True)
    p.add_argument("--stdout", default=os.devnull)
    p.add_argument("--stderr", default=os.devnull)
    p.add_argument("cmd", nargs=argparse.REMAINDER)
    a = p.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    if not cmd:
        p.error("no command")
    with open(a.stdout, "wb") as out, open(a.stderr, "wb") as err:
        start_epoch = time.time()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.execvp(cmd[0], cmd)
            except OSError as e:
                os.write(2, ("runcmd: %s: %s\n" % (cmd[0], e)).encode())
            os._exit(127)
        _, status, ru = os.wait4(pid, 0)
        wall = time.monotonic() - t0
        end_epoch = time.time()
    rc = os.waitstatus_to_exitcode(status)
    res = dict(cmd=cmd, rc=rc, wall=wall, start=start_epoch, end=end_epoch,
               user=ru.ru_utime, sys=ru.ru_stime, maxrss_kb=ru.ru_maxrss)
    with open(a.result, "w") as f:
        json.dump(res, f)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
