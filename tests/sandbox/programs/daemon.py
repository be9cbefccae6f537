# Double-forks a setsid daemon that tries to outlive the run: it keeps touching a heartbeat
# file in the work folder; the parent exits at once with status 0. argv[1] is a marker.
import os, sys, time
marker = sys.argv[1]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.closerange(0, 3)
        while True:
            with open("heartbeat", "w") as f:
                f.write(str(time.time()))
            time.sleep(0.1)
    os._exit(0)
time.sleep(0.5)
print("parent leaving", marker)
