"""`python -m equitrack.cli`, as the `equitrack` command."""

from equitrack.cli import app

app()
