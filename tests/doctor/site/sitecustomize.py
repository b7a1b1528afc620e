"""Makes the real cookbook and SDK importable for the scripts `tests/doctor.rs` runs.

Python imports `sitecustomize` at start-up from `PYTHONPATH`, so a legacy script runs as
`python3 legacy_launch.py`, unchanged, and fails the way it fails for users: the traceback that
`fwmigrate doctor` then reads is Python's own. `FWMIGRATE_DOCTOR_SITE` (JSON) names the
cookbook release folder, the unpacked `fireworks-ai` wheel, the other real packages and the
folder of the differential test's helpers (`tests/differential/sources.py`), which stub every
other third-party import. Without it, nothing happens.
"""

import json
import os
import sys
from pathlib import Path

_site = os.environ.pop("FWMIGRATE_DOCTOR_SITE", None)
if _site:
    _site = json.loads(_site)
    sys.path.insert(0, _site["helpers"])
    import sources

    sys.path.remove(_site["helpers"])
    sources.activate(
        Path(_site["cookbook"]),
        Path(_site["sdk"]),
        {name: Path(folder) for name, folder in _site["extra"].items()},
    )
