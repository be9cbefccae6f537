# Lists the network interfaces the sandbox can see (only loopback is allowed).
import os, socket
print("interfaces", sorted(name for _, name in socket.if_nameindex()))
print("proc_net_dev", sorted(l.split(":")[0].strip() for l in open("/proc/net/dev").readlines()[2:]))
