"""Runs Lethe's Flower App on a local federation: one SuperLink and N SuperNodes as separate processes on 127.0.0.1
(free ports, FLWR_HOME in a temporary directory, runtime dependency installation off), then `flwr run`; stops every
process it started, children included, by process group, also on failure or Ctrl-C. Prints a path on
its last line: the report's path (out/unlearning/report.json) when a client is forgotten, else the history's.

Usage: python integrations/flower/federation.py EXPERIMENT.json [--out DIR] [--leave PARTITION:ROUND] [--unlearn-client K]
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BIN = os.path.dirname(sys.executable)


def wait_for(port, proc, timeout=60):
    """Until something listens on 127.0.0.1:`port`; fails if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the SuperLink exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def descendants(pid):
    """Every process below `pid`, read from /proc."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def with_home(home):
    """The processes whose environment holds FLWR_HOME=`home`."""
    needle = f"FLWR_HOME={home}".encode() + b"\0"
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read():
                        found.append(int(entry))
            except OSError:
                continue
    return found


def _zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False


class Processes:
    """The processes started, each the leader of its own process group, stopped together."""

    def __init__(self, logs):
        self.logs = logs  # FLWR_HOME of this federation: every process it starts inherits it
        self.started = []

    def start(self, name, args, env):
        log = open(os.path.join(self.logs, f"{name}.log"), "w")
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        self.started.append((name, proc, log))
        return proc

    def stop(self):
        # The runtime detaches some of its children into sessions of their own: find every descendant first, and
        # any process started with this federation's FLWR_HOME that was already handed to init.
        family = set(with_home(self.logs))
        for _, proc, _ in self.started:
            family |= descendants(proc.pid)
        for _, proc, _ in self.started:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for pid in family:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        for _, proc, log in self.started:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # children left in the group
            except ProcessLookupError:
                pass
            log.close()
        time.sleep(0.5)
        for pid in family:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in with_home(self.logs):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            family.add(pid)
        deadline = time.monotonic() + 10
        while any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid in family) and time.monotonic() < deadline:
            time.sleep(0.1)
        return family


def run(experiment, out, clients, leave=None, unlearn_client=None, timeout=600):
    """The federation on Flower for `experiment` (a path); the server writes into `out`, and with `unlearn_client`
    a second run on the same federation forgets that client into `out`/unlearning. Returns `out`."""
    home = tempfile.mkdtemp(prefix="lethe-flwr-")
    env = {
        **os.environ,
        "FLWR_HOME": home,
        "FLWR_DISABLE_UPDATE_CHECK": "1",
        "PYTHONUNBUFFERED": "1",
        "PATH": BIN + os.pathsep + os.environ.get("PATH", ""),  # the runtime starts flower-superexec and the apps
    }
    port = free_port()  # the SuperLink's one HTTP port: its Runtime, Control and Fleet APIs
    with open(os.path.join(home, "config.toml"), "w") as f:
        f.write(f'[superlink]\ndefault = "lethe"\n\n[superlink.lethe]\naddress = "127.0.0.1:{port}"\ninsecure = true\n')
    procs = Processes(home)
    try:
        link = procs.start("superlink", [
            os.path.join(BIN, "flower-superlink"), "--insecure", "--isolation", "subprocess",
            "--host", "127.0.0.1", "--port", str(port), "--disable-runtime-dependency-installation",
        ], env)
        wait_for(port, link)
        for k in range(clients):
            node_config = f"partition-id={k} num-partitions={clients}"
            if leave and leave[0] == k:
                node_config += f" leave-at-round={leave[1]}"
            procs.start(f"supernode-{k}", [
                os.path.join(BIN, "flower-supernode"), "--insecure", "--superlink", f"127.0.0.1:{port}",
                "--isolation", "subprocess", "--host", "127.0.0.1", "--port", str(free_port()),
                "--node-config", node_config,
            ], env)
        runs = [(f"experiment-file='{os.path.abspath(experiment)}' out-dir='{os.path.abspath(out)}'", "history.json")]
        if unlearn_client is not None:
            runs.append((
                f"experiment-file='{os.path.abspath(experiment)}' out-dir='{os.path.abspath(out)}/unlearning' "
                f"unlearn-client={unlearn_client} history-dir='{os.path.abspath(out)}'",
                os.path.join("unlearning", "unlearning.json"),
            ))
        for i, (config, result) in enumerate(runs):
            flwr = procs.start(f"flwr-run-{i}", [os.path.join(BIN, "flwr"), "run", HERE, "lethe", "--stream", "--run-config", config], env)
            try:
                flwr.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                raise RuntimeError(f"the federation did not finish within {timeout} s (logs in {home})") from None
            if not os.path.exists(os.path.join(out, result)):
                with open(os.path.join(home, f"flwr-run-{i}.log")) as f:
                    tail = f.read()[-3000:]
                raise RuntimeError(f"the run ended without {result} (logs in {home}):\n{tail}")
    finally:
        procs.stop()
    shutil.rmtree(home, ignore_errors=True)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("experiment")
    parser.add_argument("--out", default=None)
    parser.add_argument("--leave", default=None, help="PARTITION:ROUND, a test switch: that node leaves at that round")
    parser.add_argument("--unlearn-client", type=int, default=None, help="then forget this client (a partition id)")
    args = parser.parse_args()
    import json

    with open(args.experiment) as f:
        clients = int(json.load(f)["federated"]["clients"])
    out = args.out or tempfile.mkdtemp(prefix="lethe-flower-out-")
    leave = tuple(int(v) for v in args.leave.split(":")) if args.leave else None
    out = run(args.experiment, out, clients, leave, args.unlearn_client)
    # The last line: the report's path after unlearning (the page's federated mode imports it), else the history's.
    print(os.path.join(out, "unlearning", "report.json") if args.unlearn_client is not None else os.path.join(out, "history.json"))


if __name__ == "__main__":
    main()
