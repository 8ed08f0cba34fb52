"""Test tooling shared by tests/ and bench/: sheet renderers, robustness specs, scoring."""
