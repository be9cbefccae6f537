# Allocates and touches 16 MB blocks until something stops it.
blocks = []
while True:
    blocks.append(bytearray(16 << 20))
    blocks[-1][::4096] = b"x" * len(range(0, 16 << 20, 4096))
