"""hostile.py - the sandbox attacks again, from Python through os and ctypes.

`python3 hostile.py MODE [ARG]`: exit 3 when the attack was blocked, 0 when it worked. Attacks
on forbidden system calls are expected never to return (the sandbox kills the program)."""
import ctypes
import os
import socket
import sys

BLOCKED, WORKED = 3, 0
libc = ctypes.CDLL(None, use_errno=True)
arg = sys.argv[2] if len(sys.argv) > 2 else ""


def read():
    found = False
    for path in (arg, "/etc/shadow"):
        try:
            with open(path) as f:
                data = f.read(65536)
            print(path, len(data), "bytes:", data)
            found = found or bool(data)
        except OSError as e:
            print(path, e)
    return WORKED if found else BLOCKED


def env():
    for k, v in os.environ.items():
        print("env", k, v)
        if arg in v:
            return WORKED
    return BLOCKED


def write():
    worked = False
    for path in (arg, "/etc/pwned", "/usr/pwned", "/box/pwned"):
        try:
            with open(path, "w") as f:
                f.write("pwned")
            worked = True
        except OSError as e:
            print(path, e)
    return WORKED if worked else BLOCKED


def setuid():
    try:
        os.setuid(0)
        return WORKED
    except OSError as e:
        print(e)
        return BLOCKED


def kill_all():
    try:
        os.kill(-1, 9)
    except OSError as e:
        print(e)
    return BLOCKED


def connect():
    try:
        socket.create_connection(("127.0.0.1", int(arg)), timeout=2)
        return WORKED
    except OSError as e:
        print(e)
        return BLOCKED


def netlink():
    socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
    return WORKED


def unshare():
    return WORKED if libc.unshare(0x10000000) == 0 else BLOCKED  # CLONE_NEWUSER


def ptrace():
    return WORKED if libc.ptrace(0, 0, None, None) == 0 else BLOCKED  # PTRACE_TRACEME


def mount():
    r = libc.mount(b"none", b"/tmp", b"tmpfs", ctypes.c_ulong(0), None)
    return WORKED if r == 0 else BLOCKED


def fork_bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass


MODES = {f.__name__: f for f in (read, env, write, setuid, kill_all, connect, netlink, unshare,
                                  ptrace, mount, fork_bomb)}

if __name__ == "__main__":
    sys.exit(MODES[sys.argv[1]]())
