"""The ``policyengine`` command, the last layer: nothing in the library imports it.

``_main`` holds the commands on one policy and the parser, ``_month`` and
``_audit`` the month's and the audit's commands, ``_common`` what they share.
The console script is ``policyengine.cli._main:main``.
"""

from ._main import main

__all__ = ["main"]
