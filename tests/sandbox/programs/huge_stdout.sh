# Writes endless output to stdout.
exec yes "flooding the orchestrator with output"
