# SPDX-License-Identifier: GPL-3.0-or-later
#
# A few lines of TAP for the deploy checks: each check is a function that raises
# AssertionError with a message saying what is wrong; run() numbers them and exits 1 when
# one failed.
import sys
import traceback


def run(checks):
    print(f"1..{len(checks)}", flush=True)
    failed = 0
    for number, check in enumerate(checks, 1):
        name = check.__name__.replace("_", " ")
        try:
            check()
        except AssertionError as error:
            failed += 1
            print(f"not ok {number} - {name}")
            for line in str(error).splitlines() or ["assertion failed"]:
                print(f"# {line}")
        except Exception:  # a broken check is a failure too, with its traceback
            failed += 1
            print(f"not ok {number} - {name}")
            for line in traceback.format_exc().splitlines():
                print(f"# {line}")
        else:
            print(f"ok {number} - {name}")
        sys.stdout.flush()
    sys.exit(1 if failed else 0)


def bail_out(reason):
    print(f"Bail out! {reason}", flush=True)
    sys.exit(1)
