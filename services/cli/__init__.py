"""The ``seamq`` command line: commands, the table that hosts the services, progress, outputs."""
