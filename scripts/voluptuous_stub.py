"""Write a type stub that makes ``voluptuous`` the probatio shim, as at run time.

From 2026.10 Home Assistant registers probatio's voluptuous shim as ``voluptuous``
when ``homeassistant`` is imported, and its types name probatio's classes; the real
voluptuous package is still installed, so without this stub mypy would check the
integration against a module that never runs. Nothing is written when probatio is
absent (older releases run the real voluptuous).

    python scripts/voluptuous_stub.py DIR    writes DIR/voluptuous/__init__.pyi
"""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
import sys


def main() -> int:
    """Write the stub into the folder given on the command line."""
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    package = Path(sys.argv[1]) / "voluptuous"
    if importlib.util.find_spec("probatio") is None:
        return 0
    importlib.import_module("probatio.compat").install_as_voluptuous()
    names = sorted(importlib.import_module("voluptuous").__all__)
    lines = [
        "# Written by scripts/voluptuous_stub.py: voluptuous is probatio's shim here.",
        *(f"from probatio import {name} as {name}" for name in names),
    ]
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.pyi").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
