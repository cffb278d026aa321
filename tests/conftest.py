import matplotlib
import pytest

matplotlib.use("Agg")  # tests never open windows


def pytest_collection_modifyitems(config, items):
    """``COURSE_SHARD=i/n`` keeps every n-th test from the i-th on (``dev.py test`` runs the site tests
    as two such shards side by side: they spend most of their time waiting for the browser)."""
    import os

    shard = os.environ.get("COURSE_SHARD", "")
    if not shard:
        return
    try:
        index, count = (int(part) for part in shard.split("/"))
        if not 0 <= index < count:
            raise ValueError
    except ValueError:
        raise pytest.UsageError(f"COURSE_SHARD must be i/n with 0 <= i < n, got {shard!r}") from None
    config.hook.pytest_deselected(items=[item for k, item in enumerate(items) if k % count != index])
    items[:] = [item for k, item in enumerate(items) if k % count == index]
