"""``skywarden pc --method max`` text output (issue 19): the named maxima, as in the JSON, at 80 columns.

Values are checked against the library (:func:`pc_from_cdm`, itself tested against Alfano's closed
forms and the degenerate limit in tests/space/test_pc_max.py) on NASA CARA's real Terra CDM, whose
own Foster Pc is 1.213e-03.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from skywarden.cli import app
from skywarden.space.safety.cdm import read_cdm
from skywarden.space.safety.cdm_table import pc_from_cdm

DATA = Path(__file__).resolve().parents[1] / "data" / "cdm"
TERRA = DATA / "cara_000025994_conj_000026132.cdm"


def _rows(out: str) -> list[list[str]]:
    """Table body lines as cell lists (Rich draws cells between │)."""
    return [[c.strip() for c in ln.strip("│").split("│")] for ln in out.splitlines() if ln.startswith("│")]


def test_pc_max_table_names_each_maximum_at_80_columns(tmp_path: Path) -> None:
    nocov = tmp_path / "nocov.cdm"  # the same message without its covariance: AR 1 is assumed
    nocov.write_text("\n".join(ln for ln in TERRA.read_text().splitlines() if not ln.startswith("CT_T")))
    result = CliRunner().invoke(app, ["pc", str(TERRA), str(nocov), "--method", "max"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert max(len(ln) for ln in out.splitlines()) <= 80
    head = [[c.strip() for c in ln.strip("┃").split("┃")] for ln in out.splitlines() if ln.startswith("┃")]
    names = [" ".join(" ".join(parts).split()) for parts in zip(*head, strict=True)]
    assert names == [
        "CDM",
        "miss m",
        "HBR m",
        "max, size (AR)",
        "max, CDM cov. (×k)",
        "bound, any shape",
        "Pc in CDM",
    ]

    own = pc_from_cdm(read_cdm(TERRA), method="max").extra
    rows = _rows(out)
    first, second = rows[0], rows[1]  # CDM, miss, HBR, max size, max scaled, bound, Pc in CDM
    assert first[3:7] == [f"{own['pc_max_size']:.3e}", f"{own['pc_max_scaled_covariance']:.3e}",
                          f"{own['pc_max_absolute']:.3e}", "1.213e-03"]  # fmt: skip
    assert (
        second[3] == f"(AR {own['aspect_ratio']:.3g})"
        and second[4] == f"(k {own['pc_max_covariance_scale']:.3g})"
    )
    assert own["aspect_ratio"] > 100  # CARA's covariance is long and thin: its own shape, not 1

    bare = pc_from_cdm(read_cdm(nocov), method="max").extra
    start = next(i for i, r in enumerate(rows) if r[0].startswith("nocov.cdm"))
    assert rows[start][3:6] == [f"{bare['pc_max_size']:.3e}", "—", f"{bare['pc_max_absolute']:.3e}"]
    assert rows[start + 1][3] == "(AR 1*)"
    legend = " ".join(out[out.index("└") :].split())
    assert "AR 1*: 1 assumed, the CDM has no covariance" in legend and "degenerate limit" in legend
    assert "Alfano 2005" in legend
