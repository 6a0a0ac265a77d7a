"""The pass/fail counting the Python test scripts share: one line per
check, and at the end the line "N passed, N failed"."""


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}")
        else:
            self.failed += 1
            print(f"FAIL {name}")
            for line in detail.rstrip().splitlines()[-40:]:
                print(f"     {line}")
        return ok
