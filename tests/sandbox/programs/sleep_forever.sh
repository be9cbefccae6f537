# Sleeps forever (with a marker the test looks for afterwards), ignoring SIGTERM and SIGINT.
trap '' TERM INT HUP
exec -a "$1" sleep 100000
