"""Facts: a record checked against a policy's ``inputs:`` (``_records``, ``_values``,
``_fast_reader``), facts files read by suffix (``_io``, ``_file`` and one module per
format), the record kinds of ``entities.yaml`` and a month's facts checked by kind
(``_record_kinds``, ``_entities_file``, ``_by_kind``), the month's inputs in
canonical form (``_inputs``, ``_canonical``) and example centre data
(``_sample_*``).

Hands to the next phases typed, immutable records, and where each came from.
"""
