"""`apilint server`: a language server giving editors apilint's diagnostics and fixes as you type.

command.py (the subcommand) -> app.py (LSP features, pygls) -> scheduler.py (debounce, versions)
-> worker.py (a child process running the engine) -> analysis.py (settings, check, fix-all).
positions.py, convert.py and actions.py turn findings into LSP positions, diagnostics and edits.
"""
