"""Running: a policy's compiled ``Program`` (``_program``), one record at a time
(``_engine``) or a bundle over every record of a month (``_runner``,
``_run_state``, ``_population_frame``, ``_bundle``, ``_bundle_result``,
``_result_rows``), explained (``_trace``); the repository of versions that
resolves a month (``_repository``) and the embedded tests (``_testing``).

Hands to the next phases a frozen ``BundleResult``. Evaluation does no I/O of its
own beyond reading the policy folder.
"""
