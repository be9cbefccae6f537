# Fills the work folder with 4 MB files (each under the file-size limit) forever.
import os
chunk = os.urandom(1 << 20) * 4
i = 0
while True:
    with open(f"fill_{i}.bin", "wb") as f:
        f.write(chunk)
    i += 1
