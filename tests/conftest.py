import shutil
import warnings
from pathlib import Path

import pytest

from qzanalysis.core.paths import DEFAULT_DATA_DIR

# A missing glyph (□ boxes instead of Chinese) is an error in every test.
warnings.filterwarnings("error", message=r"Glyph \d+ .* missing from font")


@pytest.fixture
def data_copy(tmp_path) -> Path:
    """A scratch copy of data/ (2020 and 2021) that a test may break; the real data/ is never written."""
    target = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, target)
    return target


@pytest.fixture(scope="session")
def data_2021():
    from qzanalysis import load_year

    return load_year(2021)


@pytest.fixture(scope="session")
def data_2020():
    from qzanalysis import load_year

    return load_year(2020)
