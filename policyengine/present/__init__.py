"""Presenting: a month's result made into tables for people (``_report``,
``_report_records``), written by the writer its suffix chooses (``_writers`` and
one ``_output_*`` module per format), the printed summary (``_summary``), tables
that line up (``_texttable``) and the progress line (``_progress``).

Hands files and text to the month's run and the command line.
"""
