"""``bench/sweep.py`` on a fixed sample of real Python that is not the checker's: the model
builders of the installed Keras's applications and a few standard library modules that
once crashed or hung the checker. None may crash, hang or get an error finding."""

import subprocess
import sys
import sysconfig
from pathlib import Path

import keras

ROOT = Path(__file__).resolve().parent.parent
STDLIB = Path(sysconfig.get_paths()["stdlib"])


def test_the_sweep_sample_is_clean(tmp_path):
    sample = [Path(keras.__file__).parent / "src" / "applications", STDLIB / "json",
              STDLIB / "netrc.py", STDLIB / "argparse.py", STDLIB / "pydoc_data" / "topics.py"]
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "sweep.py"), *map(str, sample),
                           "--jobs", "2", "--timeout", "120", "--json", str(tmp_path / "out.json")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout
    assert "internal errors: 0\nhangs: 0\n" in done.stdout
    assert "error findings: 0\n" in done.stdout
    assert int(done.stdout.split("files checked: ")[1].split()[0]) >= 25
