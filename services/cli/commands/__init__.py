"""The CLI's commands, one module each with one ``<name>_command(args, settings) -> int``.

``services.cli.arguments.COMMANDS`` names the module of each command; the service
commands (``coordinator``, ``runner``, ``auditor``) share ``serve``.
"""
