"""The ServerApp: FedAvg over Lethe's parameters with the server's history on disk, and, asked to forget a client,
each way the experiment lists through the same federation, then the simulation's report.

Learning (run config without `unlearn-client`): each round the clients of the simulation's seeded schedule train the
global model for the local epochs; the server averages their weights by their rows, in float64, in partition order,
as the simulation does, and writes the global model before every round and after the last, each client's weights
every `retain_every` rounds, and who took part (history.json): what FedEraser replays.

Unlearning (`unlearn-client = k`, `history-dir` = a learning run's out-dir): the remaining clients, through Flower,
retrain from the initial model (`fed_retrain`), FedEraser rebuilds the model from the history, the clients
calibrating each retained round for ⌈r·E⌉ epochs (`federaser`) or not at all (`federaser_no_calibration`), or FedAvg
goes on without k (`continue_without`). Each client's random stream restarts for each method, as in the
simulation. The engine then measures every model as it measures the simulation's (report.json, host "flower").
"""

import json
import math
import os
import time

import numpy as np
from flwr.app import ConfigRecord, Context, Message, MessageType, RecordDict
from flwr.serverapp import Grid, ServerApp

import lethe_unlearn

from .task import experiment, from_record, to_record

app = ServerApp()


def nodes_by_partition(grid, clients, timeout, every=True):
    """Waits for `clients` SuperNodes (or, unless `every`, for those still connected: the count steady for 5 s) and
    asks each which partition it holds: {partition: (node id, rows)}."""
    deadline = time.monotonic() + timeout
    count, steady_since = -1, time.monotonic()
    while True:
        now = len(list(grid.get_node_ids()))
        if now != count:
            count, steady_since = now, time.monotonic()
        if now >= clients or (not every and now > 0 and time.monotonic() - steady_since >= 5):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"{now} SuperNodes connected within {timeout} s; {clients} expected")
        time.sleep(0.5)
    queries = [Message(RecordDict(), dst_node_id=node, message_type=MessageType.QUERY) for node in grid.get_node_ids()]
    found = {}
    for reply in grid.send_and_receive(queries, timeout=timeout):
        if reply.has_error():
            raise RuntimeError(f"node {reply.metadata.src_node_id}: {reply.error.reason}")
        metrics = reply.content["metrics"]
        found[int(metrics["partition-id"])] = (reply.metadata.src_node_id, int(metrics["num-examples"]))
    missing = sorted(set(range(clients)) - set(found))
    if missing and every:
        raise RuntimeError(f"no SuperNode holds partitions {missing}")
    return found


class Federation:
    """The grid, the nodes, the experiment's data as the simulation prepares it, and the work done."""

    def __init__(self, grid, context, every=True):
        self.grid = grid
        self.data = lethe_unlearn.federation(experiment(context.run_config))
        self.parsed = self.data["experiment"]  # every default written out
        self.fed = self.parsed["federated"]
        self.timeout = float(context.run_config.get("round-timeout", 120.0))
        self.clients = int(self.fed["clients"])
        self.nodes = nodes_by_partition(grid, self.clients, self.timeout, every)
        self.initial = lethe_unlearn.initial_weights(self.parsed, self.data["n_features"], len(self.data["classes"]))

    def point(self, round_, weights):
        """The curve's point after round `round_`: test accuracy and, with a backdoor, its success on the triggered
        test rows (the share classified as its target class), as the simulation measures them."""
        X, y = self.data["test"]
        model = self.parsed["model"]
        probs = lethe_unlearn.predict_proba(weights, X, model=model)
        point = {"round": round_, "test_acc": float((probs.argmax(1) == y).mean()), "backdoor_asr": None}
        triggered = self.data["triggered"]
        if triggered is not None:
            hits = lethe_unlearn.predict_proba(weights, triggered["X"], model=model).argmax(1) == triggered["target_class"]
            point["backdoor_asr"] = float(hits.sum() / max(1, len(hits)))
        return point

    def train(self, weights, partitions, epochs, stream, round_):
        """The partitions train `weights` for `epochs`: {partition: (weights, rows, sample gradients)} of those
        that answered (a client that left or failed is left out)."""
        config = ConfigRecord({"round": round_, "epochs": int(epochs), "stream": stream})
        connected = set(self.grid.get_node_ids())
        partitions = [k for k in partitions if k in self.nodes and self.nodes[k][0] in connected]
        messages = [
            Message(RecordDict({"arrays": to_record(weights), "config": config}), dst_node_id=self.nodes[k][0], message_type=MessageType.TRAIN)
            for k in partitions
        ]
        # Pushed, then pulled until every client answered or left: a node that is no longer connected (a SuperNode
        # that stopped deregisters) is not waited for; the timeout is only a guard.
        pending = dict(zip(self.grid.push_messages(messages), partitions))
        replies = {}
        deadline = time.monotonic() + self.timeout
        while pending and time.monotonic() < deadline:
            for reply in self.grid.pull_messages(list(pending)):
                pending.pop(reply.metadata.reply_to_message_id, None)
                if reply.has_error():
                    continue
                m = reply.content["metrics"]
                replies[int(m["partition-id"])] = (from_record(reply.content["arrays"]), int(m["num-examples"]), int(m["sample-grads"]))
            connected = set(self.grid.get_node_ids())
            for message_id, k in list(pending.items()):
                if self.nodes[k][0] not in connected:
                    del pending[message_id]
            if pending:
                time.sleep(0.1)
        return replies

    def fedavg(self, stream, exclude=None, history_dir=None, start=None, offset=0, rounds=None):
        """FedAvg from `start` (the initial model) over the rounds of the simulation's schedule (`rounds` from
        round `offset`), without `exclude`; the history when `history_dir`."""
        weights, curve, rounds_log, epochs_done, grads = start or self.initial, [], [], 0, 0
        local, retain_every = int(self.fed["local_epochs"]), int(self.fed["retain_every"])
        rounds = int(self.fed["rounds"]) if rounds is None else rounds
        plan = lethe_unlearn.schedule(self.parsed, rounds=rounds, offset=offset)
        for t in range(rounds):
            if history_dir:
                np.savez(os.path.join(history_dir, f"global-{t:04d}.npz"), **weights)
            scheduled = [k for k in plan[t] if k != exclude and k in self.nodes]
            replies = self.train(weights, scheduled, local, stream, offset + t + 1)
            took_part = sorted(replies)
            if took_part:
                weights = lethe_unlearn.weighted_mean([replies[k][0] for k in took_part], [replies[k][1] for k in took_part])
            epochs_done += local * len(took_part)
            grads += sum(replies[k][2] for k in took_part)
            retained = t % retain_every == 0
            if history_dir and retained:
                for k in took_part:
                    np.savez(os.path.join(history_dir, f"round-{t:04d}-client-{k}.npz"), **replies[k][0])
            rounds_log.append({
                "round": t + 1, "scheduled": scheduled, "took_part": took_part, "retained": retained,
                "sizes": {str(k): replies[k][1] for k in took_part}, "sample_grads": sum(replies[k][2] for k in took_part),
            })
            curve.append(self.point(offset + t + 1, weights))
        if history_dir:
            np.savez(os.path.join(history_dir, f"global-{int(self.fed['rounds']):04d}.npz"), **weights)
        return weights, {"curve": curve, "client_epochs": epochs_done, "sample_grads": grads, "rounds": rounds_log}

    def federaser(self, history_dir, rounds_log, target, calibrate):
        """FedEraser from the history without `target`: each retained round's stored models of the others, the first
        as their mean, the later ones as an update whose size is the stored one's and, with calibration, whose
        direction the remaining clients compute again from the new global model (per tensor)."""
        ratio, local = float(self.fed["calibration_ratio"]), int(self.fed["local_epochs"])
        epochs = max(1, math.ceil(ratio * local)) if calibrate else 0
        stream = "federaser" if calibrate else "federaser_no_calibration"
        weights, curve, epochs_done, grads = self.initial, [], 0, 0
        retained = [r for r in rounds_log if r["retained"]]
        for i, entry in enumerate(retained):
            t = entry["round"] - 1
            remaining = [k for k in entry["took_part"] if k != target]
            if not remaining:
                continue
            sizes = [entry["sizes"][str(k)] for k in remaining]
            stored = [dict(np.load(os.path.join(history_dir, f"round-{t:04d}-client-{k}.npz"))) for k in remaining]
            old_mean = lethe_unlearn.weighted_mean(stored, sizes)
            if i == 0:
                weights = old_mean
            else:
                old_global = dict(np.load(os.path.join(history_dir, f"global-{t:04d}.npz")))
                old_update = {n: old_mean[n] - old_global[n] for n in weights}
                replies = self.train(weights, remaining, epochs, stream, t + 1) if calibrate else {}
                answered = [k for k in remaining if k in replies]
                if answered:
                    epochs_done += epochs * len(answered)
                    grads += sum(replies[k][2] for k in answered)
                    new_mean = lethe_unlearn.weighted_mean([replies[k][0] for k in answered], [replies[k][1] for k in answered])
                    update = lethe_unlearn.calibrate(old_update, {n: new_mean[n] - weights[n] for n in weights})
                else:  # without calibration, or no remaining client left to calibrate: the stored update as it is
                    update = old_update
                weights = {n: weights[n] + update[n] for n in weights}
            curve.append(self.point(t + 1, weights))
        return weights, {"curve": curve, "client_epochs": epochs_done, "sample_grads": grads}


def history_bytes(folder):
    """Bytes the server's history takes on disk (its model files)."""
    return sum(os.path.getsize(os.path.join(folder, name)) for name in os.listdir(folder))


def learn(federation, out):
    """FedAvg with the history: out/history.json and out/history/."""
    history_dir = os.path.join(out, "history")
    os.makedirs(history_dir, exist_ok=True)
    started = time.perf_counter()
    _, run = federation.fedavg("federated", history_dir=history_dir)
    run["seconds"] = time.perf_counter() - started
    with open(os.path.join(out, "history.json"), "w", encoding="utf-8") as f:
        json.dump({"experiment": federation.parsed, **run}, f, indent=1)


def unlearn(federation, out, target, learned):
    """Forgets client `target` each way the experiment lists (fed_retrain first) from the learning run in
    `learned`, then writes the report (out/report.json) measured by the engine as the simulation's."""
    started_all = time.perf_counter()
    if not 0 <= target < federation.clients:
        raise ValueError(f"run config unlearn-client is {target}, but the federation has {federation.clients} clients (0 to {federation.clients - 1})")
    if federation.fed.get("target_backdoor") and target != int(federation.fed["target_client"]):
        raise ValueError(
            f"run config unlearn-client is {target}, but the experiment backdoors client {federation.fed['target_client']} "
            "(federated.target_client): forget that client, or remove federated.target_backdoor"
        )
    try:
        with open(os.path.join(learned, "history.json"), encoding="utf-8") as f:
            history = json.load(f)
    except OSError as e:
        raise ValueError(f"run config history-dir: no learning run's history.json in {learned!r} ({e.strerror})") from None
    if history["experiment"] != federation.parsed:
        raise ValueError(f"run config history-dir: {learned!r} holds the history of another experiment")
    history_files = os.path.join(learned, "history")
    rounds = int(federation.fed["rounds"])
    learned_weights = dict(np.load(os.path.join(history_files, f"global-{rounds:04d}.npz")))
    models = [{
        "method": "federated", "weights": learned_weights, "seconds": history["seconds"], "unlearning_seconds": None,
        "curve": history["curve"], "client_epochs": history["client_epochs"], "sample_grads": history["sample_grads"],
        "history_bytes": history_bytes(history_files),
    }]
    results = {}
    methods = ["fed_retrain"] + [m for m in federation.fed["methods"] if m != "fed_retrain"]
    for method in methods:
        started = time.perf_counter()
        if method == "fed_retrain":
            weights, run = federation.fedavg(method, exclude=target)
            run.pop("rounds")
        elif method == "continue_without":
            more = int(federation.fed["continue_rounds"])
            weights, run = federation.fedavg(method, exclude=target, start=learned_weights, offset=rounds, rounds=more)
            run.pop("rounds")
        else:
            weights, run = federation.federaser(history_files, history["rounds"], target, method == "federaser")
        run["seconds"] = time.perf_counter() - started
        np.savez(os.path.join(out, f"{method}.npz"), **weights)
        results[method] = run
        models.append({
            "method": method, "weights": weights, "seconds": run["seconds"], "unlearning_seconds": run["seconds"],
            "curve": run["curve"], "client_epochs": run["client_epochs"], "sample_grads": run["sample_grads"],
            "history_bytes": models[0]["history_bytes"] if method.startswith("federaser") else None,
        })
    with open(os.path.join(out, "unlearning.json"), "w", encoding="utf-8") as f:
        json.dump({"unlearn_client": target, "connected": sorted(federation.nodes), "methods": results}, f, indent=1)
    # The report's experiment forgets this client (federated.target_client), so that it reproduces the table.
    reported = {**federation.parsed, "federated": {**federation.fed, "target_client": target}}
    wall = history["seconds"] + time.perf_counter() - started_all
    report = lethe_unlearn.federated_report(reported, models, wall, host="flower")
    with open(os.path.join(out, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)


@app.main()
def main(grid: Grid, context: Context) -> None:
    out = context.run_config.get("out-dir", "")
    if not out:
        raise ValueError("run config out-dir: where the server writes the federation's outcome")
    os.makedirs(out, exist_ok=True)
    target = int(context.run_config.get("unlearn-client", -1))
    # Learning waits for every client; unlearning works with the clients still connected (one may have left).
    federation = Federation(grid, context, every=target < 0)
    if target < 0:
        learn(federation, out)
    else:
        unlearn(federation, out, target, context.run_config.get("history-dir", ""))
