"""Add up the runs of scripts/test into one closing line: 'N passed, N failed, N skipped'."""

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def main(directory: str) -> int:
    passed = failed = skipped = 0
    for report in sorted(Path(directory).glob("*.xml")):
        for suite in ET.parse(report).getroot().iter("testsuite"):
            total = int(suite.get("tests", 0))
            bad = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skip = int(suite.get("skipped", 0))
            passed += total - bad - skip
            failed += bad
            skipped += skip
    jest = Path(directory) / "jest.json"
    if jest.exists():
        data = json.loads(jest.read_text())
        passed += data.get("numPassedTests", 0)
        failed += data.get("numFailedTests", 0)
        skipped += data.get("numPendingTests", 0)
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
