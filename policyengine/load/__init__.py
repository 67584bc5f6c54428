"""Loading: a policy file built into a frozen :class:`~policyengine.model.Policy`
(``_build`` and its steps, ``_names``, ``_embedded``), its rules ordered and a
bundle planned (``_plan``), the files of a policy folder (``_layout``), its versions
(``_policy_versions``, ``_repository_checks``) and its lock file (``_lock``).

Hands to the next phase checked policies and the plan of a month's bundle.
"""
