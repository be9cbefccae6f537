# Looks for the orchestrator's API keys (argv[1] is the value reversed, so that the search
# itself does not plant it) in its own environment and in every /proc/*/environ and
# /proc/*/cmdline it can read (/proc/1 is bwrap itself).
import os, sys
secret = sys.argv[1][::-1].encode()
found = [k for k, v in os.environ.items() if secret in v.encode() or "API_KEY" in k]
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    for f in ("environ", "cmdline"):
        try:
            if secret in open(f"/proc/{pid}/{f}", "rb").read():
                found.append(f"/proc/{pid}/{f}")
        except OSError:
            pass
print("found", found)
print("pid1_env", sorted(x.split(b"=")[0].decode() for x in open("/proc/1/environ", "rb").read().split(b"\0") if x))
