"""The package version (from the installed metadata) and the policy-format version."""

from __future__ import annotations

from importlib import metadata

try:
    ENGINE_VERSION = metadata.version("policyengine")
except metadata.PackageNotFoundError:  # running from a source tree that is not installed
    ENGINE_VERSION = "0+unknown"

#: The policy-file format this engine reads (``format:`` in every policy).
POLICY_FORMAT = 1
