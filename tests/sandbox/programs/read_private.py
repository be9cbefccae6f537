# Tries to read the store, the project, /root, another run's folder and the host canary
# (paths in argv): each must be invisible or unreadable. Prints one line per path.
import os, sys
for p in sys.argv[1:]:
    try:
        if os.path.isdir(p):
            print("LISTED", p, os.listdir(p)[:3])
        else:
            with open(p, "rb") as f:
                print("READ", p, len(f.read()))
    except OSError as e:
        print("hidden", p, type(e).__name__)
