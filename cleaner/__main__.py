"""``python -m cleaner`` runs the CLI."""

from cleaner.cli import main

main()
