"""The ClientApp: client `partition-id` (node config) trains the global model on its rows with Lethe's recipe,
keeping its random stream in the node's state across rounds, as the simulation's client does."""

import os
import signal

from flwr.app import ConfigRecord, Context, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

import lethe_unlearn

from .task import client_rows, experiment, from_record, to_record

app = ClientApp()


def leave():
    """Stops this node's SuperNode (the nearest ancestor process that is one), then this process."""
    pid = os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{pid}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            break
        if b"flower-supernode" in cmd:
            os.kill(pid, signal.SIGTERM)
            break
        pid = parent
    os._exit(3)


def _partition(context):
    return int(context.node_config["partition-id"])


@app.query()
def query(msg: Message, context: Context) -> Message:
    """Says which client this node is (SuperNode ids are random) and how many rows it holds."""
    parsed = experiment(context.run_config)
    X, _ = client_rows(parsed, _partition(context))
    return Message(RecordDict({"metrics": MetricRecord({"partition-id": _partition(context), "num-examples": len(X)})}), reply_to=msg)


@app.train()
def train(msg: Message, context: Context) -> Message:
    """`epochs` local epochs from the global weights; the reply carries the weights, the rows and the work."""
    parsed = experiment(context.run_config)
    partition = _partition(context)
    leave_at = int(context.node_config.get("leave-at-round", 0) or 0)
    config = msg.content["config"]
    if leave_at and int(config["round"]) >= leave_at:
        leave()  # test switch: this node leaves the federation at that round, without a reply
    X, y = client_rows(parsed, partition)
    # One random stream per client and per method (the simulation restarts the clients' streams for each).
    key = f"rng-{config['stream']}"
    state = context.state.get(key)
    rng = state["rng"] if state is not None else lethe_unlearn.client_rng_state(parsed["seed"], partition)
    weights, rng, sample_grads = lethe_unlearn.fit_local(
        from_record(msg.content["arrays"]), X, y, parsed, int(config["epochs"]), rng, progress=False
    )
    context.state[key] = ConfigRecord({"rng": rng})
    metrics = MetricRecord({"partition-id": partition, "num-examples": len(X), "sample-grads": sample_grads})
    return Message(RecordDict({"arrays": to_record(weights), "metrics": metrics}), reply_to=msg)
