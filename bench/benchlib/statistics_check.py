"""Medians over runs and the binomial check of an observed split."""
import math
import statistics

Z_99_9 = statistics.NormalDist().inv_cdf(1 - (1 - 0.999) / 2)  # 3.2905, two-sided 99.9%


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def binomial_interval(n, p, z=Z_99_9):
    """Counts k of n within n·p ± z·sqrt(n·p·(1−p)), rounded inward to whole counts
    (the normal approximation, as tcp-echo-client --expect uses): (low, high)."""
    centre = n * p
    spread = z * math.sqrt(n * p * (1 - p))
    return max(0, math.ceil(centre - spread)), min(n, math.floor(centre + spread))
