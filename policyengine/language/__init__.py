"""The expression language: parsed and checked once (``_expression_parser``,
``_expression_checker``), the kinds of value, the operator table and the function
library (``_value_kinds``, ``_operators``, ``_functions``), the reference evaluator
(``_reference_evaluator``) and the compiler to Python (``_expression_translator``,
``_compiler``), with what both engines share at run time (``_shared_runtime``).

Hands to the next phases a checked ``Expression`` and its compiled function;
``_expressions`` is where the rest of the package imports them from. The language
knows nothing of policies.
"""
