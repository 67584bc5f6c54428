"""A run's outputs as the ledger stores them: the same from wherever the month was run.

An error located in a policy file names the file as it was loaded: under the
policy folder as the command line spelled it (``policies/pay/2025-07.yaml``,
``./policies/…``, ``/srv/payroll/policies/…``). The ledger stores each such name
relative to the policy folder (``pay/2025-07.yaml``, the ``path`` the provenance
gives the version), so that a month run from another folder, or under another
spelling of the same one, stores the same bytes; facts files are named by no
stored error (their problems are located by record and field).

Replay needs nothing for this: a run stored with relative names is rebuilt
under them (:func:`policyengine.audit._replay.bundle_of` reads the folder off
its errors, here none), and runs stored before, with the folder as spelled,
are rebuilt under that folder and replay as they always did.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..core._packed import Packed
from ..run._bundle import BundleResult

__all__ = ["stored_outputs"]


def stored_outputs(result: BundleResult) -> Packed:
    """``result.outputs_json()`` with every policy file an error names relative to the
    policy folder, hashed and compressed as it is encoded (never whole in memory)."""
    names = relative_names(result)
    errors = result.error_list()
    relative = [_relative(error, names) for error in errors]
    return Packed.streamed(result.outputs_pieces(relative))


def relative_names(result: BundleResult) -> dict[str, str]:
    """Each file of the bundle as it was loaded -> its path inside the policy folder."""
    names = {version.policy.file: version.path for version in result.bundle.versions}
    entities = result.bundle.entities
    if entities is not None:
        names[entities.file] = "entities.yaml"
    return names


def _relative(value: Any, names: Mapping[str, str]) -> Any:
    """``value`` (an error as the document lists it) with the file of every location in
    ``names`` replaced by its relative path."""
    if isinstance(value, list):
        return [_relative(item, names) for item in value]
    if not isinstance(value, dict):
        return value
    found = {key: _relative(item, names) for key, item in value.items()}
    where = found.get("location")
    if isinstance(where, dict) and isinstance(where.get("file"), str):
        found["location"] = {**where, "file": names.get(where["file"], where["file"])}
    return found
