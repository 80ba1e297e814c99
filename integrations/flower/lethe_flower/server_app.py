"""The ServerApp: FedAvg over Lethe's parameters, the simulation's schedule, and the server's history on disk.

Each round the scheduled clients (the simulation's seeded schedule, by partition id) train the global model for the
local epochs; the server averages their weights by their rows, in float64, in partition order, as the simulation
does. It writes the global model before every round and after the last, and each client's weights every
`retain_every` rounds, with who took part (history.json): what FedEraser replays.
"""

import json
import os
import time

import numpy as np
from flwr.app import ConfigRecord, Context, Message, MessageType, RecordDict
from flwr.serverapp import Grid, ServerApp

import lethe_unlearn

from .task import experiment, from_record, to_record

app = ServerApp()


def schedule(clients, rounds, participation, seed):
    """Which partitions train each round: every one at full participation (the seeded share otherwise is the
    simulation's `fedavg::schedule`, not reproduced here yet)."""
    if participation < 1.0:
        raise ValueError("federated.participation below 1 is not supported on Flower yet: every client trains each round")
    return [list(range(clients)) for _ in range(rounds)]


def nodes_by_partition(grid, clients, timeout):
    """Waits for `clients` SuperNodes and asks each which partition it holds."""
    deadline = time.monotonic() + timeout
    while len(list(grid.get_node_ids())) < clients:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{len(list(grid.get_node_ids()))} SuperNodes connected within {timeout} s; {clients} expected")
        time.sleep(0.5)
    queries = [Message(RecordDict(), dst_node_id=node, message_type=MessageType.QUERY) for node in grid.get_node_ids()]
    by_partition = {}
    for reply in grid.send_and_receive(queries, timeout=timeout):
        if reply.has_error():
            raise RuntimeError(f"node {reply.metadata.src_node_id}: {reply.error.reason}")
        by_partition[int(reply.content["metrics"]["partition-id"])] = reply.metadata.src_node_id
    missing = sorted(set(range(clients)) - set(by_partition))
    if missing:
        raise RuntimeError(f"no SuperNode holds partitions {missing}")
    return by_partition


def save(path, weights):
    np.savez(path, **weights)


@app.main()
def main(grid: Grid, context: Context) -> None:
    parsed = experiment(context.run_config)
    out = context.run_config.get("out-dir", "")
    if not out:
        raise ValueError("run config out-dir: where the server writes the federation's outcome")
    timeout = float(context.run_config.get("round-timeout", 120.0))
    fed = parsed["federated"]
    clients, rounds = int(fed["clients"]), int(fed["rounds"])
    data = lethe_unlearn.prepared(parsed)
    weights = lethe_unlearn.initial_weights(parsed, data["n_features"], len(data["classes"]))
    nodes = nodes_by_partition(grid, clients, timeout)
    history_dir = os.path.join(out, "history")
    os.makedirs(history_dir, exist_ok=True)
    rounds_log = []
    started = time.perf_counter()
    for t, participants in enumerate(schedule(clients, rounds, float(fed.get("participation", 1.0)), parsed["seed"])):
        save(os.path.join(history_dir, f"global-{t:04d}.npz"), weights)
        config = ConfigRecord({"round": t + 1, "epochs": int(fed["local_epochs"])})
        messages = [
            Message(RecordDict({"arrays": to_record(weights), "config": config}), dst_node_id=nodes[k], message_type=MessageType.TRAIN)
            for k in participants
        ]
        replies = {}
        for reply in grid.send_and_receive(messages, timeout=timeout):
            if reply.has_error():
                continue  # a client that left or failed: the round goes on with the others
            metrics = reply.content["metrics"]
            replies[int(metrics["partition-id"])] = (from_record(reply.content["arrays"]), int(metrics["num-examples"]), int(metrics["sample-grads"]))
        took_part = sorted(replies)
        if took_part:
            sizes = np.array([replies[k][1] for k in took_part], dtype=np.float64)
            weights = {
                name: (sum(s * replies[k][0][name].astype(np.float64) for s, k in zip(sizes, took_part)) / sizes.sum()).astype(np.float32)
                for name in weights
            }
        retained = t % int(fed.get("retain_every", 1)) == 0
        if retained:
            for k in took_part:
                save(os.path.join(history_dir, f"round-{t:04d}-client-{k}.npz"), replies[k][0])
        rounds_log.append(
            {"round": t + 1, "scheduled": participants, "took_part": took_part, "retained": retained,
             "sizes": {str(k): replies[k][1] for k in took_part}, "sample_grads": sum(replies[k][2] for k in took_part)}
        )
    save(os.path.join(history_dir, f"global-{rounds:04d}.npz"), weights)
    with open(os.path.join(out, "history.json"), "w", encoding="utf-8") as f:
        json.dump({"experiment": parsed, "rounds": rounds_log, "seconds": time.perf_counter() - started}, f, indent=1)
