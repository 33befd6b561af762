#!/usr/bin/python3
"""listen.py COMMAND...: opens a TCP socket listening on 127.0.0.1 at a free port,
prints the port on stdout, and executes COMMAND with the socket handed over the
systemd way (fd 3, LISTEN_FDS=1, LISTEN_PID its own pid). The socket listens before
the port is printed, so a client may connect at once: the kernel queues it until
COMMAND accepts. No port is guessed and nothing waits on a timer."""
import os
import socket
import sys

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(listener.getsockname()[1], flush=True)
devnull = os.open(os.devnull, os.O_WRONLY)
os.dup2(devnull, 1)
os.dup2(listener.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_PID"] = str(os.getpid())
os.execvp(sys.argv[1], sys.argv[1:])
