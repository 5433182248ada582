#!/usr/bin/env python3
"""Runs the end-to-end scenarios (tests/e2e/test_*.py), each in a fresh
temporary folder. Arguments: words; only the scenarios whose names hold one
run. Prints "ok - NAME (seconds)" / "not ok - NAME: why" and ends with
"N passed, N failed" (exit status 1 if any failed, 77 if not root)."""
import importlib
import os
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from lib import Failure, PIDCAP, NETPEER  # noqa: E402

# The features, in the order they build on each other.
MODULES = ["test_attribution", "test_command", "test_output", "test_events", "test_filters",
           "test_local", "test_tls",
           "test_wireshark", "test_wireshark_gui", "test_top"]
# What does not depend on the kernel, left out of the kernel tests
# (tests/run.sh kernel, run inside each kernel's VM): Wireshark's window.
NOT_KERNEL = {"test_wireshark_gui"}


def scenarios(only):
    for name in MODULES:
        if os.environ.get("E2E_KERNEL_ONLY") and name in NOT_KERNEL:
            continue
        module = importlib.import_module(name)
        for attr, fn in list(vars(module).items()):
            if attr.startswith("test_") and callable(fn) and fn.__module__ == name and \
                    (not only or any(word in attr for word in only)):
                yield attr, fn


def main():
    if os.geteuid() != 0:
        print("skipped: end-to-end tests need root")
        return 77
    for tool in (PIDCAP, NETPEER):
        if not os.access(tool, os.X_OK):
            print("not ok - setup: %s is not built" % tool)
            print("0 passed, 1 failed")
            return 1
    passed = failed = 0
    for name, fn in scenarios(sys.argv[1:]):
        tmp = tempfile.mkdtemp(prefix="pidcap-e2e-")
        t0 = time.time()
        try:
            fn(tmp)
            passed += 1
            print("ok - %s (%.1fs)" % (name, time.time() - t0), flush=True)
        except Failure as e:
            failed += 1
            print("not ok - %s: %s" % (name, e), flush=True)
        except Exception:
            failed += 1
            print("not ok - %s: %s" % (name, traceback.format_exc().strip().replace("\n", "\n# ")),
                  flush=True)
        finally:
            subprocess.run(["rm", "-rf", tmp])
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
