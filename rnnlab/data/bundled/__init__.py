"""Small public-domain real series shipped with rnnlab, usable by name: `rnnlab forecast nile`.

The numbers were taken from the data files statsmodels distributes (statsmodels.datasets),
whose notes mark each of them public domain; the original sources are named below.
`usmacro` is a long-format panel (series, quarter, value) of eight columns of
statsmodels' macrodata, one series each.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path


@dataclass(frozen=True)
class BundledSeries:
    name: str
    file: str
    column: str
    time_column: str
    description: str
    frequency: str  # what one step is: year, month, week
    source: str
    licence: str
    horizon: int  # the default forecast horizon
    fill: str = "none"  # the default for missing cells ("interpolate" where the series has gaps)
    id_column: str = ""  # a panel's column naming each row's series


DATASETS: dict[str, BundledSeries] = {s.name: s for s in (
    BundledSeries(
        "sunspots", "sunspots.csv", "sunspots", "year",
        "Yearly mean sunspot number, 1700-2008 (309 values; an ~11-year cycle of varying length)",
        "year", "NOAA National Geophysical Data Center (via statsmodels.datasets.sunspots)",
        "public domain", horizon=10),
    BundledSeries(
        "nile", "nile.csv", "flow", "year",
        "Annual flow of the Nile at Aswan, 1871-1970, in 1e8 m^3 (100 values; a change point near 1898)",
        "year", "Cobb (1978), Biometrika 65(2); Durbin & Koopman (via statsmodels.datasets.nile)",
        "public domain", horizon=5),
    BundledSeries(
        "co2", "co2.csv", "co2", "week",
        "Weekly atmospheric CO2 at Mauna Loa in ppmv, 1958-2001 (2284 weeks, 59 missing; trend + yearly cycle)",
        "week", "Keeling & Whorf, Scripps / CDIAC (via statsmodels.datasets.co2)",
        "public domain", horizon=26, fill="interpolate"),
    BundledSeries(
        "elnino", "elnino.csv", "temperature", "month",
        "Monthly sea surface temperature, Nino 1+2 region, 1950-2010, in deg C (732 values; yearly cycle)",
        "month", "NOAA National Weather Service, ERSST.V3B (via statsmodels.datasets.elnino)",
        "public domain", horizon=12),
    BundledSeries(
        "usmacro", "usmacro.csv", "value", "quarter",
        "US quarterly macro series, 1959Q1-2009Q3, 8 series of 203 values (a panel: real GDP, consumption, "
        "investment, government spending, disposable income, CPI, M1, population)",
        "quarter", "Federal Reserve Bank of St. Louis FRED, compiled by Skipper Seabold "
        "(via statsmodels.datasets.macrodata)", "public domain", horizon=8, id_column="series"),
)}


def path_of(name: str) -> Path:
    """The packaged CSV of a bundled series (a real file: package data is installed unzipped)."""
    return Path(str(resources.files(__name__).joinpath(DATASETS[name].file)))
