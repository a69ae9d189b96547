"""Load, regularise, describe and download the series.

Every source gives the same thing: one or more series of floats on a regular calendar (a
``DatetimeIndex`` with a frequency), oldest first. Reading a file sorts it (newest-first files
are fine), merges duplicate or irregular timestamps into their period (mean), and fills missing
periods by linear interpolation; each of these is counted and reported, never silent.
``python -m <package> data`` downloads the full series into ``data/raw``.
"""

from __future__ import annotations

import argparse
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .config import SeriesFile, Settings, load_config
from .download import fetch
from .envelope import DataInfo
from .errors import DataError
from .paths import resolve, shown
from .settings import DataMode, add_data_argument, data_mode

# Coarsest first, each with its period-start and period-end variant ("W" is anchored on the
# first date's weekday).
_LEVELS = (("YS", "YE"), ("QS", "QE"), ("MS", "ME"), ("W",), ("D",), ("h",), ("min",))
# Periods per season by the frequency's base unit (the season is a year, a week or a day).
_SEASONS = {"Y": 1, "Q": 4, "M": 12, "W": 52, "D": 7, "B": 5, "h": 24, "min": 60}


@dataclass(frozen=True)
class Regularised:
    """One series on its regular calendar and what regularising it took."""

    series: pd.Series  # float, DatetimeIndex with a frequency, no gaps
    filled: pd.Series  # True where a missing period was interpolated
    rows: int  # rows read from the file for this series
    merged: int  # rows merged into a period another row was in (duplicates, irregular times)


@dataclass(frozen=True)
class SeriesSet:
    """The data a step actually used: the series, their calendar and what they are."""

    series: dict[str, pd.Series]
    frequency: str
    season_length: int
    name: str
    source: str
    files: tuple[Path, ...]
    fixture: bool
    mode: DataMode
    filled: dict[str, pd.Series] = field(default_factory=dict)
    merged: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Observations in every series (after regularisation)."""
        return sum(len(s) for s in self.series.values())

    @property
    def n_filled(self) -> int:
        """Missing periods filled by interpolation, in every series."""
        return sum(int(f.sum()) for f in self.filled.values())

    @property
    def n_merged(self) -> int:
        """Rows merged into another row's period (duplicate or irregular timestamps)."""
        return sum(self.merged.values())

    def description(self) -> str:
        """The data in numbers, counted from it."""
        first = min(s.index[0] for s in self.series.values())
        last = max(s.index[-1] for s in self.series.values())
        what = (
            f"{self.rows:,} observations"
            if len(self.series) == 1
            else f"{len(self.series):,} series, {self.rows:,} observations"
        )
        text = (
            f"{what}, {first:%Y-%m-%d} to {last:%Y-%m-%d}, frequency {self.frequency}, "
            f"season {self.season_length}"
        )
        if self.n_filled:
            text += f"; {self.n_filled:,} missing periods interpolated"
        if self.n_merged:
            text += f"; {self.n_merged:,} duplicate or irregular timestamps merged"
        return text

    def describe(self) -> str:
        """One line saying which data this is (shown in every report)."""
        return f"{self.name}: {self.description()}"

    def label(self) -> str:
        """A short name of the data for figures."""
        name = f"FIXTURE (not real data): {self.name}" if self.fixture else self.name
        return f"{name}, {self.rows:,} observations"

    def info(self) -> DataInfo:
        """What eval/metrics.json says about the data."""
        return DataInfo(
            name=self.name,
            mode=self.mode,
            source=self.source,
            files=self.files,
            rows=self.rows,
            fixture=self.fixture,
            description=self.description(),
        )


def read_table(spec: SeriesFile, path: Path) -> pd.DataFrame:
    """The raw rows of a CSV, TSV or Parquet file, with the configured columns checked."""
    if not path.is_file():
        raise DataError(f"{shown(path)} not found: set its path in configs/default.yaml")
    suffix = path.suffix.lower()
    try:
        if suffix == ".parquet":
            frame = pd.read_parquet(path)
        else:
            frame = pd.read_csv(
                path,
                sep="\t" if suffix == ".tsv" else ",",
                encoding=spec.encoding,
                na_values=[str(v) for v in spec.missing_values] or None,
            )
    except UnicodeDecodeError:
        raise DataError(
            f"{shown(path)}: not {spec.encoding} text (set the encoding in configs/default.yaml)"
        ) from None
    except LookupError:
        raise DataError(f"{shown(path)}: unknown encoding {spec.encoding!r}") from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{shown(path)}: empty file") from None
    except (pd.errors.ParserError, ValueError, OSError) as err:
        reason = " ".join(str(err).split())[:200]
        raise DataError(f"{shown(path)}: cannot read it ({reason})") from None
    needed = [spec.date_column, spec.value_column] + ([spec.id_column] if spec.id_column else [])
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise DataError(
            f"{shown(path)}: no column {', '.join(map(repr, missing))} (columns: "
            f"{', '.join(map(str, frame.columns[:10]))}); set the column names in configs/default.yaml"
        )
    if suffix == ".parquet" and spec.missing_values:
        frame[spec.value_column] = frame[spec.value_column].replace(
            {v: np.nan for v in spec.missing_values}
        )
    return frame


def parse_dates(values: pd.Series, date_format: str | None, where: str) -> pd.DatetimeIndex:
    """Dates from a column; the first bad one is named with its row (header = line 1)."""
    parsed = pd.to_datetime(values, format=date_format, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        hint = f"does not match date_format {date_format!r}" if date_format else "is not a date"
        raise DataError(f"{where}: line {row + 2}: {values.iloc[row]!r} {hint}")
    index = pd.DatetimeIndex(parsed)
    return index.tz_localize(None) if index.tz is not None else index


def parse_values(values: pd.Series, where: str) -> pd.Series:
    """Numbers from a column (blank or listed missing values become NaN); anything else refused."""
    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(
            f"{where}: line {row + 2}: {values.iloc[row]!r} is not a number (list it under "
            "missing_values if it means missing)"
        )
    return numbers.astype(float)


def infer_frequency(dates: pd.DatetimeIndex, where: str) -> str:
    """The calendar of a series: exact when regular, else the coarsest grid every date lies on.

    Dates that lie on no grid (irregular times) get the coarsest calendar in which no two of
    them share a period, so regularising never merges distinct observations by accident; a
    calendar whose periods would each hold several dates is never chosen.
    """
    unique = dates.unique().sort_values()
    if len(unique) < 3:
        raise DataError(f"{where}: fewer than 3 distinct dates; cannot infer a frequency")
    with warnings.catch_warnings():  # pandas 3 announces an offset instead of a string
        warnings.simplefilter("ignore")
        exact = pd.infer_freq(unique)
    if exact:
        return str(getattr(exact, "freqstr", exact))
    weekly = f"W-{unique[0].day_name()[:3].upper()}"
    for level in _LEVELS:
        aliases = [weekly if alias == "W" else alias for alias in level]
        for alias in aliases:
            if unique.isin(pd.date_range(unique[0], unique[-1], freq=alias)).all():
                return alias  # every date on this calendar: only gaps to fill
        if pd.Series(1, index=unique).resample(aliases[0]).count().max() <= 1:
            return aliases[0]  # irregular times, but never two in one period
    raise DataError(f"{where}: cannot infer the frequency; set `frequency` (e.g. MS, D, h)")


def season_length(frequency: str, configured: int | None) -> int:
    """Periods per season: the configured value, else one year, week or day of this frequency."""
    if configured is not None:
        return configured
    offset = pd.tseries.frequencies.to_offset(frequency)
    code = offset.rule_code.split("-")[0]
    base = code if code in _SEASONS else code.rstrip("SE")
    periods = _SEASONS.get(base, 1)
    return max(1, periods // offset.n) if periods % offset.n == 0 else 1


def regularise(
    values: pd.Series, frequency: str, max_missing_share: float, where: str
) -> Regularised:
    """Put one series on its calendar: merge rows that share a period, interpolate gaps."""
    values = values.sort_index()
    binned = values.resample(frequency)
    counts = binned.count()
    regular = binned.mean()
    # a period holding only missing values is a gap; leading and trailing gaps are dropped
    known = regular.notna()
    if not known.any():
        raise DataError(f"{where}: no numeric values")
    regular = regular.loc[known.idxmax() : known[::-1].idxmax()]
    filled = regular.isna()
    share = float(filled.mean())
    if share > max_missing_share:
        raise DataError(
            f"{where}: {int(filled.sum())} of {len(regular)} periods are missing "
            f"({share:.0%} > series.max_missing_share {max_missing_share:.0%}); check the "
            "frequency or the file"
        )
    regular = regular.interpolate(method="linear")
    regular.index.freq = pd.tseries.frequencies.to_offset(frequency)
    rows = int(values.notna().sum())
    return Regularised(regular, filled, len(values), rows - int((counts > 0).sum()))


def load_file(
    spec: SeriesFile, path: Path, max_missing_share: float
) -> tuple[dict[str, Regularised], str]:
    """Every configured series of a file, regularised on one calendar, and that calendar."""
    frame = read_table(spec, path)
    where = shown(path)
    if frame.empty:
        raise DataError(f"{where}: no rows")
    dates = parse_dates(frame[spec.date_column], spec.date_format, where)
    values = parse_values(frame[spec.value_column], where)
    ids = (
        frame[spec.id_column].astype(str).to_numpy()
        if spec.id_column
        else np.full(len(frame), spec.value_column)
    )
    groups = {sid: np.flatnonzero(ids == sid) for sid in dict.fromkeys(ids)}
    if spec.series is not None:
        unknown = [s for s in spec.series if s not in groups]
        if unknown:
            raise DataError(
                f"{where}: no series {', '.join(map(repr, unknown))} in {spec.id_column}"
            )
        groups = {sid: groups[sid] for sid in spec.series}
    if spec.frequency:
        try:
            pd.tseries.frequencies.to_offset(spec.frequency)
        except ValueError:
            raise DataError(
                f"{where}: frequency {spec.frequency!r} is not a pandas alias (h, D, W-SUN, MS, QS, YS)"
            ) from None
    result: dict[str, Regularised] = {}
    frequency = spec.frequency
    for sid, rows in groups.items():
        series = pd.Series(values.to_numpy()[rows], index=dates[rows])
        name = f"{where} series {sid!r}" if spec.id_column else where
        frequency = frequency or infer_frequency(series.dropna().index, name)
        result[sid] = regularise(series, frequency, max_missing_share, name)
    assert frequency is not None  # at least one group exists: the frame is not empty
    return result, frequency


def spec_for(config: Settings, mode: str) -> tuple[SeriesFile, DataMode]:
    """The file description a mode reads, and the mode the envelope records."""
    cfg = config.data
    if cfg.source == "file":
        return cfg.file, "full"
    if mode == "sample":
        return cfg.sample, "sample"
    return cfg.download, "full"


def load_data(config: Settings, mode: str) -> SeriesSet:
    """The series for the configured source and data mode, regularised and described."""
    spec, recorded = spec_for(config, mode)
    path = resolve(spec.path)
    if not path.is_file() and spec is config.data.download:
        raise DataError(f"{shown(path)} not found: run `make data` first (or use DATA=sample)")
    loaded, frequency = load_file(spec, path, config.series.max_missing_share)
    name = spec.name
    if spec is config.data.file and name == "your series":
        name = f"your file {path.name}"
    return SeriesSet(
        series={sid: r.series for sid, r in loaded.items()},
        frequency=frequency,
        season_length=season_length(frequency, config.series.season_length),
        name=name,
        source=shown(path),
        files=(path,),
        fixture=spec.fixture,
        mode=recorded,
        filled={sid: r.filled for sid, r in loaded.items()},
        merged={sid: r.merged for sid, r in loaded.items()},
    )


def download(config: Settings) -> Path:
    """Download the full series (SHA-256 checked, cached) and check that it loads."""
    spec = config.data.download
    target = resolve(spec.path)
    path = fetch(config.data.url, target.parent, sha256=config.data.sha256, fname=target.name)
    load_file(spec, path, config.series.max_missing_share)
    return path


def summary(data: SeriesSet) -> list[str]:
    """Lines describing the data: what it is, and each series' span and gaps."""
    lines = [f"{data.describe()} (from {data.source})"]
    for sid, values in list(data.series.items())[:20]:
        filled = int(data.filled[sid].sum()) if sid in data.filled else 0
        lines.append(
            f"  {sid}: {len(values):,} periods {values.index[0]:%Y-%m-%d} .. "
            f"{values.index[-1]:%Y-%m-%d}, {filled} interpolated, mean {values.mean():.4g}"
        )
    if len(data.series) > 20:
        lines.append(f"  ... and {len(data.series) - 20:,} more series")
    return lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``--summary`` describes the data instead of downloading it."""
    parser.add_argument("--summary", action="store_true", help="describe the data; no download")
    add_data_argument(parser)


def run(args: argparse.Namespace) -> int:
    """Download the full series into data/raw, or with ``--summary`` describe the data a mode uses."""
    config = load_config()
    if args.summary:
        print("\n".join(summary(load_data(config, data_mode(args.data)))))
        return 0
    path = download(config)
    print("\n".join(summary(load_data(config, "full"))))
    print(f"Saved {shown(path)}; use it with DATA=full")
    return 0


def as_dict(data: SeriesSet) -> dict[str, Any]:
    """What the envelope's extras say about the series' calendar and regularisation."""
    return {
        "frequency": data.frequency,
        "season_length": data.season_length,
        "series": len(data.series),
        "missing_periods_interpolated": data.n_filled,
        "timestamps_merged": data.n_merged,
    }
