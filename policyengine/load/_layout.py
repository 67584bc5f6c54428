"""Which files of a policy folder are what: one answer for load, lock, verify, run,
validate and the pytest plugin.

A policy folder::

    <root>/entities.yaml               the record kinds (optional)
    <root>/policies.lock               the published versions (optional)
    <root>/<policy>/<version>.yaml     one version of one policy (``.yml`` too)

Everything else is either ignored or refused, and the two are told apart so
that no version can be used by one command and skipped by another:

- **Ignored**: hidden folders (``.git``) and hidden files that are not YAML
  (``.DS_Store``), and files that are not YAML anywhere (``README.md``,
  ``2026-01.yaml~`` backups).
- **Refused** (a ``stray-policy-file`` problem, reported by every command
  that reads the folder): a YAML file that is not at ``<policy>/<version>``
  — hidden (``commission/.2026-10.yaml``), with the suffix in capitals
  (``2026-10.YAML``), beside ``entities.yaml`` at the top, or in a folder
  below a policy's folder. Such a file looks like a version to the person
  who wrote it; using it silently or skipping it silently would both pay
  from a policy nobody can see in the lock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import attrs

from ..errors import Location, ModelError, PolicyError

#: The suffixes of a policy version file (and of entities.yaml).
POLICY_SUFFIXES = (".yaml", ".yml")
#: The record kinds file, at the top of the policy folder.
ENTITIES_NAME = "entities.yaml"
#: The lock file of published versions, at the top of the policy folder.
LOCK_NAME = "policies.lock"


def is_hidden(name: str) -> bool:
    """A name the layout never reads: a dot-file or dot-folder."""
    return name.startswith(".")


def looks_like_policy(name: str) -> bool:
    """Whether a file's name says YAML, in any case: a version, or a stray one."""
    return name.lower().endswith(POLICY_SUFFIXES)


def is_version_name(name: str) -> bool:
    """Whether a file in a policy's folder is one of its versions."""
    return not is_hidden(name) and name.endswith(POLICY_SUFFIXES)


@attrs.frozen
class Layout:
    """A policy folder read as the layout says: its version files and what it refuses."""

    root: Path
    #: Version files, as paths relative to ``root`` in posix form, sorted.
    versions: tuple[str, ...]
    #: YAML files the layout refuses, relative and sorted (see the module docstring).
    stray: tuple[str, ...]
    #: ``root/entities.yaml`` when it is there.
    entities: Path | None

    def path(self, relative: str) -> Path:
        return self.root / relative

    def problems(self) -> list[PolicyError]:
        """One ``stray-policy-file`` problem per refused file."""
        return [stray_problem(self.root, relative) for relative in self.stray]


def read_layout(root: str | os.PathLike[str]) -> Layout:
    """The version files and stray YAML files under ``root`` (which must be a folder)."""
    top = Path(root)
    versions: list[str] = []
    stray: list[str] = []
    for folder, files in _walk(top):
        depth = len(folder.relative_to(top).parts)
        for name in files:
            if not looks_like_policy(name):
                continue  # not YAML: nothing anyone would mistake for a version
            relative = (folder / name).relative_to(top).as_posix()
            if depth == 0:
                if name != ENTITIES_NAME:
                    stray.append(relative)
            elif depth == 1 and is_version_name(name):
                versions.append(relative)
            else:
                stray.append(relative)
    entities = top / ENTITIES_NAME
    found = entities if entities.is_file() else None
    return Layout(top, tuple(sorted(versions)), tuple(sorted(stray)), found)


def loose_policy_files(top: str | os.PathLike[str]) -> tuple[list[Path], list[PolicyError]]:
    """Every policy file at any depth of a folder that is not a policy folder (``validate``
    and ``test`` of loose files), and a problem for each YAML file refused as in one."""
    root = Path(top)
    found: list[Path] = []
    stray: list[PolicyError] = []
    for folder, files in _walk(root):
        for name in files:
            if not looks_like_policy(name) or name == ENTITIES_NAME:
                continue
            if is_version_name(name):
                found.append(folder / name)
            else:
                stray.append(stray_problem(root, (folder / name).relative_to(root).as_posix()))
    return found, stray


def _walk(top: Path) -> Iterator[tuple[Path, list[str]]]:
    """Each folder and its files, hidden folders left out, in a stable order (links to
    folders are not followed)."""
    for folder, names, files in os.walk(top):
        names[:] = sorted(n for n in names if not is_hidden(n))
        yield Path(folder), sorted(files)


def stray_problem(root: Path, relative: str) -> PolicyError:
    """The ``stray-policy-file`` problem of ``relative``, said in the form of why it is stray."""
    name = relative.rsplit("/", 1)[-1]
    details = {"path": relative}
    if is_hidden(name):
        form = "hidden"
    elif not name.endswith(POLICY_SUFFIXES):
        form, details["suffix"] = "suffix", Path(name).suffix.lower()
    elif "/" not in relative:
        form = "top"
    else:
        form = "nested"
    where = Location(file=str(root / relative))
    return ModelError.from_template("stray-policy-file", form=form, location=where, details=details)
