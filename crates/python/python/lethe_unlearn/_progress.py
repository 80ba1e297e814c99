"""Progress while the engine runs: the user's callback, tqdm's bars when tqdm is installed, or nothing.

The engine calls back with a dict per epoch (``epoch``, ``epochs_total``, ``train_loss``, ``test_acc``) and per
step of a stage (``stage``, ``done``, ``total``), each with ``steps`` so far.
"""


class Bars:
    """One tqdm bar per stage (training's epochs, then each method of the lab), closed when the next begins."""

    def __init__(self, tqdm, disable):
        self._tqdm = tqdm
        self._disable = disable
        self._bar = None
        self._name = None

    def _show(self, name, done, total):
        if name != self._name or self._bar is None or self._bar.total != total:
            self.close()
            self._bar = self._tqdm(
                total=total, desc=name, unit="step", leave=False, dynamic_ncols=True, disable=self._disable
            )
            self._name = name
        self._bar.update(max(0, done - self._bar.n))

    def __call__(self, event):
        if "epoch" in event:
            self._show("training (epochs)", event["epoch"], event["epochs_total"])
        else:
            self._show(event["stage"], event["done"], event["total"])

    def close(self):
        if self._bar is not None:
            self._bar.close()
        self._bar = None
        self._name = None


def reporter(progress):
    """What the engine calls: ``progress`` itself when it is callable; tqdm's bars when tqdm is installed and
    ``progress`` is True (always) or None (on a terminal only); nothing when it is False. Returns (callback, close)."""
    if callable(progress):
        return progress, lambda: None
    if progress is False:
        return None, lambda: None
    if progress is not None and progress is not True:
        raise ValueError(f"progress must be a callable, True, False or None, got {type(progress).__name__}")
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, lambda: None
    bars = Bars(tqdm, disable=None if progress is None else False)
    return bars, bars.close
