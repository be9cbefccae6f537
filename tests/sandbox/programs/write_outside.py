# Tries to write outside the work folder: absolute paths, '..', and the host paths given in
# argv (a canary file, the project, the workdir's parent). Prints one line per attempt.
import os, sys
targets = ["/etc/passwd", "/usr/bin/shoal-escaped", "/escaped", "../escaped", "../../escaped",
           "/root/escaped", "/var/escaped"] + sys.argv[1:]
for t in targets:
    try:
        with open(t, "a") as f:
            f.write("escaped\n")
        print("WROTE", t)
    except OSError as e:
        print("refused", t, type(e).__name__)
