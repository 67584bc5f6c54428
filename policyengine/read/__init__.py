"""Reading: a file's bytes checked and parsed as safe YAML into a ``Document``
with its source map (``_source``, ``_safe_yaml``, ``_plain_values``,
``_yaml_parsers``, ``_source_map``, ``_source_problems``), and checked against
its JSON Schema (``_schema``).

Hands to the next phases located plain data: every later problem can say the
line and column it comes from.
"""
