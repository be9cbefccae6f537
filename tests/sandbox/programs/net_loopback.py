# Tries to reach a TCP server on the host's loopback (port in argv[1]) and an abstract
# unix socket of the host (name in argv[2]); prints what each attempt saw.
import socket, sys
port, abstract = int(sys.argv[1]), sys.argv[2]
for host in ("127.0.0.1", "localhost"):
    try:
        s = socket.create_connection((host, port), timeout=2)
        s.sendall(b"escaped\n")
        print("CONNECTED", host)
    except OSError as e:
        print("blocked", host, type(e).__name__)
try:
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    u.connect("\0" + abstract)
    u.sendall(b"escaped\n")
    print("CONNECTED abstract")
except OSError as e:
    print("blocked abstract", type(e).__name__)
