"""The zygote: runs INSIDE the grading sandbox, imports torch, numpy, minigrad and IPython's kernel once,
then forks one fresh kernel per notebook (see zygote.py, which starts it and speaks to it).

This file is not imported: zygote.py passes its text to ``python -c`` (autograder/pipeline is hidden
in the sandbox). Protocol: one JSON object a line on stdin, one reply a line on stdout.

    {"op": "fork", ...}  -> {"pid": P}  a child waits, frozen, until
    {"op": "go", "pid": P} -> {"ok": true}  (the grader has put it in its cgroup meanwhile)

Each child C: a user, mount, pid and IPC namespace of its own (the zygote has no capability: those come with
the new user namespace), then forks the kernel G, pid 1 of the new pid namespace (every process it
starts dies with it; G dies with C). G mounts a fresh tmpfs of the disk limit at /dev/shm (its /tmp and
working folder), binds back the course's package folders that lay under /tmp (the old tmpfs held them),
copies the assignment's data files in, hides the other kernels' socket folders and the
zygote's processes, sets its rlimits, then gives up every capability (one more user namespace: the
mounts it made are locked) and starts ipykernel on the connection file.
"""
import ctypes
import gc
import importlib
import json
import os
import resource
import shutil
import signal
import sys

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWIPC = 0x00020000, 0x10000000, 0x20000000, 0x08000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
WRITABLE = "/dev/shm"
libc = ctypes.CDLL(None, use_errno=True)
libc.mount.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_ulong, ctypes.c_char_p]
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]


def _check(result, what):
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source, target, fstype, flags, data=None):
    _check(libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                      flags, data.encode() if data else None), f"mount {target}")


def own_user_namespace(uid, gid):
    _check(libc.unshare(CLONE_NEWUSER), "unshare(user)")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{gid} {gid} 1")


def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def kernel(spec):
    """G: set up the kernel's sandbox, then become ipykernel (never returns)."""
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    sockets = spec["sockets"]
    run = os.path.dirname(sockets)
    # package folders under /tmp are read-only binds on the tmpfs that the next mount covers: hold them
    kept = [(real, os.open(real, os.O_PATH | os.O_DIRECTORY))
            for real in map(os.path.realpath, spec["packages"]) if real.startswith(WRITABLE + "/")]
    mount("tmpfs", WRITABLE, "tmpfs", MS_NOSUID | MS_NODEV, f"size={spec['disk_bytes']},mode=0755")
    for d in ("tmp", "work"):
        os.mkdir(os.path.join(WRITABLE, d), 0o755)
    for d, fd in kept:  # recursive: the trusted folders' covers inside them come along (and stay locked)
        os.makedirs(d, exist_ok=True)
        mount(f"/proc/self/fd/{fd}", d, None, MS_BIND | MS_REC)
        os.close(fd)
        if not os.statvfs(d).f_flag & os.ST_RDONLY:
            raise OSError(f"{d} is writable after binding it back")
    work = os.path.join(WRITABLE, "work")
    data = os.path.join(sockets, "data")
    if os.path.isdir(data):
        for name in sorted(os.listdir(data)):
            shutil.copyfile(os.path.join(data, name), os.path.join(work, name))
    # only this kernel's socket folder stays visible
    fd = os.open(sockets, os.O_PATH | os.O_DIRECTORY)
    mount("tmpfs", run, "tmpfs", MS_NOSUID | MS_NODEV, "size=65536,mode=0755")
    os.mkdir(os.path.join(run, os.path.basename(sockets)))
    mount(f"/proc/self/fd/{fd}", sockets, None, MS_BIND)
    os.close(fd)
    mount("tmpfs", run, "tmpfs", MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, "size=65536,mode=0755")
    # the zygote's pid namespace shows its processes in /proc: cover them
    me = os.readlink("/proc/self")
    for entry in os.listdir("/proc"):
        if entry.isdigit() and entry != me:
            try:
                mount("tmpfs", f"/proc/{entry}", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV, "size=4096,mode=0555")
            except OSError:
                pass  # gone meanwhile
    for name, value in spec["rlimits"].items():
        resource.setrlimit(getattr(resource, name), (value, value))
    own_user_namespace(spec["uid"], spec["gid"])  # no capability left over the mounts above
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.chdir(work)
    os.environ.clear()
    os.environ.update(spec["env"])
    null = os.open(os.devnull, os.O_RDWR)
    for std in (0, 1, 2):
        os.dup2(null, std)
    import random

    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    sys.argv = ["ipykernel_launcher", "-f", spec["connection_file"], "--HistoryManager.enabled=False"]
    from ipykernel import kernelapp

    kernelapp.launch_new_instance()
    os._exit(0)


def child(spec, go):
    """C: wait for the grader's go, new namespaces, fork G, then wait for it and forward signals."""
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 0)
    os.dup2(null, 1)
    os.setsid()
    if os.read(go, 1) != b"1":
        os._exit(97)
    os.close(go)
    # its own IPC namespace too: no System V shared memory left behind for the next kernel
    _check(libc.unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    with open("/proc/self/setgroups", "w") as f:
        f.write("deny")
    with open("/proc/self/uid_map", "w") as f:
        f.write(f"{spec['uid']} {spec['uid']} 1")
    with open("/proc/self/gid_map", "w") as f:
        f.write(f"{spec['gid']} {spec['gid']} 1")
    pid = os.fork()
    if pid == 0:
        try:
            kernel(spec)
        except BaseException as err:  # noqa: BLE001 -- the grader sees "kernel did not start"
            try:
                with open(os.path.join(spec["sockets"], "zygote-error.txt"), "w") as f:
                    f.write(f"{type(err).__name__}: {err}")
            except OSError:
                pass
        os._exit(98)

    def forward(signum, _frame):
        try:
            os.kill(pid, signal.SIGKILL if signum == signal.SIGTERM else signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(sig, forward)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            status = 0
            break
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF if status else 0)


def main():
    preload = json.loads(sys.argv[1])
    loaded, failed = [], {}
    names = []
    for name in preload:
        if name.endswith(".*"):  # every module of a package
            import pkgutil

            try:
                package = importlib.import_module(name[:-2])
                names += [f"{name[:-2]}.{info.name}" for info in pkgutil.iter_modules(package.__path__)]
            except Exception as err:  # noqa: BLE001
                failed[name] = f"{type(err).__name__}: {err}"[:300]
        else:
            names.append(name)
    for name in names:
        try:
            importlib.import_module(name)
            loaded.append(name)
        except Exception as err:  # noqa: BLE001 -- the kernel imports it itself (and fails) if it needs it
            failed[name] = f"{type(err).__name__}: {err}"[:300]
    # What the kernels inherit from here is never garbage: freeze it, so that a collection in a kernel
    # does not walk torch's ~10^6 objects again and again (ast.parse of one module took 0.17 s).
    gc.collect()
    gc.freeze()
    threads = len(os.listdir("/proc/self/task"))
    reply({"ready": threads == 1, "threads": threads, "loaded": loaded, "failed": failed})
    if threads != 1:
        return
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    waiting = {}
    for line in sys.stdin:
        request = json.loads(line)
        while True:  # reap the children that ended
            try:
                pid, _ = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
        if request["op"] == "fork":
            r, w = os.pipe()
            pid = os.fork()
            if pid == 0:
                os.close(w)
                code = 96
                try:
                    child(request, r)
                except BaseException as err:  # noqa: BLE001
                    try:
                        with open(os.path.join(request["sockets"], "zygote-error.txt"), "w") as f:
                            f.write(f"{type(err).__name__}: {err}")
                    except OSError:
                        pass
                os._exit(code)
            os.close(r)
            waiting[pid] = w
            reply({"pid": pid})
        elif request["op"] == "go":
            w = waiting.pop(request["pid"], None)
            if w is not None:
                os.write(w, b"1")
                os.close(w)
            reply({"ok": w is not None})
        elif request["op"] == "exit":
            break


main()
