# Writes one file past the file-size limit; prints the error the write saw.
import sys
try:
    with open("big.bin", "wb") as f:
        for _ in range(64):
            f.write(b"\0" * (1 << 20))
    print("WROTE 64 MB")
except OSError as e:
    print("write failed", e.strerror)
    sys.exit(1)
