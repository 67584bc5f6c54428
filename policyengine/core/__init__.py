"""Support every phase shares: exact numbers and the engine's decimal context
(``_numbers``), the month (``_period``) and "did you mean" (``_suggest``).

Beside them at the top level, and public: the error tree (:mod:`policyengine.errors`),
the registry of error codes (:mod:`policyengine.codes`) and the versions
(:mod:`policyengine.version`). Nothing here knows of policies.
"""
