"""Shared pieces of the end-to-end checkers (check_*.py): dotted lookups in ECS events and
PASS/FAIL bookkeeping. Each checker prints one line per check and exits 1 on any failure."""


def get(e, path, default=None):
    """e["a"]["b"]["c"] for path "a.b.c", or default when any step is missing."""
    for k in path.split("."):
        if not isinstance(e, dict) or k not in e:
            return default
        e = e[k]
    return e


class Checks:
    def __init__(self):
        self.failures = []

    def __call__(self, name, ok, detail=""):
        print(f"{'PASS' if ok else 'FAIL'}: {name}" + (f" ({detail})" if detail else ""), flush=True)
        if not ok:
            self.failures.append(name)
        return ok

    @property
    def failed(self):
        return bool(self.failures)
