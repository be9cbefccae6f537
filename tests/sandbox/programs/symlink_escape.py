# Plants symlinks in the work folder that point out of it (to the host canary in argv[1],
# to /etc, to /) and writes through them; also writes through one the test planted before
# the run ("planted").
import os, sys
canary = sys.argv[1]
for name, target in (("to_canary", canary), ("to_etc", "/etc/shoal-escaped"), ("to_root", "/")):
    try:
        os.symlink(target, name)
    except OSError as e:
        print("symlink refused", name, type(e).__name__)
for path in ("to_canary", "to_etc", "to_root/escaped", "planted"):
    try:
        with open(path, "w") as f:
            f.write("escaped\n")
        print("WROTE", path)
    except OSError as e:
        print("refused", path, type(e).__name__)
